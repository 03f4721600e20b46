/** WebSocket medium (`/mcp`), on `@mcp-transports/websocket`: one SDK server per connection. */
import { WebSocketListener } from '@mcp-transports/websocket';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { HostPort } from '../args.js';
import type { OriginOptions, Served, ServerFactory } from './types.js';

export const WS_IMPLEMENTATION = 'ours: @mcp-transports/websocket';

export async function serveWs(
  createServer: ServerFactory,
  address: HostPort,
  { allowedOrigins }: OriginOptions = {},
): Promise<Served> {
  const listener = new WebSocketListener(allowedOrigins && { allowedOrigins: [...allowedOrigins] });
  const servers = new Set<McpServer>();
  listener.onconnection = (transport) => {
    const server = createServer();
    servers.add(server);
    server.server.onclose = () => servers.delete(server);
    server.connect(transport).catch((error: unknown) => {
      process.stderr.write(`[demo-server] ws: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  };
  listener.onerror = (error) => void process.stderr.write(`[demo-server] ws: ${error.message}\n`);
  const { url } = await listener.listen({ host: address.host, port: address.port, path: '/mcp' });

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      // Closing the listener closes every connection (1001), and with it each connection's server.
      await listener.close();
      await Promise.allSettled([...servers].map((server) => server.close()));
      resolveClosed();
    })());
  return { endpoints: [{ medium: 'ws', url }], closed, close };
}
