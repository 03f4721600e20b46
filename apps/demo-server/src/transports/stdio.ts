/**
 * stdio medium. Until `@mcp-transports/stdio` lands this uses the SDK's StdioServerTransport, which
 * does not notice the end of stdin by itself — so that is watched here (the spec's shutdown signal).
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Served, ServerFactory } from './types.js';

export const STDIO_IMPLEMENTATION = 'SDK StdioServerTransport';

export async function serveStdio(createServer: ServerFactory): Promise<Served> {
  const server = createServer();
  const transport = new StdioServerTransport(process.stdin, process.stdout);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  transport.onclose = () => resolveClosed();
  await server.connect(transport);
  const close = async (): Promise<void> => {
    process.stdin.off('end', onEnd);
    await server.close();
    resolveClosed();
  };
  const onEnd = (): void => void close();
  process.stdin.once('end', onEnd);
  return { endpoints: [{ medium: 'stdio', url: 'stdio:' }], closed, close };
}
