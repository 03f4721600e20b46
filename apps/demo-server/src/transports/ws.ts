/** WebSocket medium (`/mcp`), on `@mcp-transports/websocket`: one SDK server per connection. */
import { WebSocketListener } from '@mcp-transports/websocket';
import type { HostPort } from '../args.js';
import { perSession } from './_per-session.js';
import type { OriginOptions, Served, ServerFactory } from './types.js';

export const WS_IMPLEMENTATION = 'ours: @mcp-transports/websocket';

export async function serveWs(
  createServer: ServerFactory,
  address: HostPort,
  { allowedOrigins }: OriginOptions = {},
): Promise<Served> {
  const listener = new WebSocketListener(allowedOrigins && { allowedOrigins: [...allowedOrigins] });
  const sessions = perSession(createServer, 'ws');
  listener.onconnection = sessions.connect;
  listener.onerror = sessions.report;
  const { url } = await listener.listen({ host: address.host, port: address.port, path: '/mcp' });
  // Closing the listener closes every connection (1001), and with it each connection's server.
  return sessions.served([{ medium: 'ws', url }], () => listener.close());
}
