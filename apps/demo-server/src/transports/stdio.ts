/**
 * stdio medium, on `@mcp-transports/stdio`: the transport closes by itself when stdin ends (the
 * spec's shutdown signal) or stdout breaks, and `guardStdout` keeps stray writes off the wire.
 */
import { guardStdout, StdioServerTransport } from '@mcp-transports/stdio';
import type { Served, ServerFactory } from './types.js';

export const STDIO_IMPLEMENTATION = 'ours: @mcp-transports/stdio';

export async function serveStdio(createServer: ServerFactory): Promise<Served> {
  guardStdout();
  const server = createServer();
  const transport = new StdioServerTransport({ endOnClose: true });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  transport.onclose = () => resolveClosed();
  await server.connect(transport);
  const close = async (): Promise<void> => {
    await server.close();
    resolveClosed();
  };
  return { endpoints: [{ medium: 'stdio', url: 'stdio:' }], closed, close };
}
