/** stdio medium: spawns the server command. Until `@mcp-transports/stdio` lands: the SDK's StdioClientTransport. */
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { connection, type ClientFactory, type ConnectOptions, type Connection } from './types.js';

export const STDIO_IMPLEMENTATION = 'SDK StdioClientTransport';

export async function connectStdio(
  command: string,
  args: readonly string[],
  createClient: ClientFactory,
  options: ConnectOptions = {},
): Promise<Connection> {
  const client = createClient();
  await client.connect(new StdioClientTransport({ command, args: [...args], stderr: options.stderr ?? 'inherit' }));
  return connection(client, 'stdio');
}
