/** stdio medium, on `@mcp-transports/stdio`: spawns the server command and closes its whole process tree. */
import { StdioClientTransport } from '@mcp-transports/stdio';
import { connection, type ClientFactory, type ConnectOptions, type Connection } from './types.js';

export const STDIO_IMPLEMENTATION = 'ours: @mcp-transports/stdio';

export async function connectStdio(
  command: string,
  args: readonly string[],
  createClient: ClientFactory,
  options: ConnectOptions = {},
): Promise<Connection> {
  const client = createClient();
  await client.connect(
    new StdioClientTransport({
      command,
      args: [...args],
      stderr: options.stderr ?? 'inherit',
      ...(options.env !== undefined && { env: options.env }),
    }),
  );
  return connection(client, 'stdio');
}
