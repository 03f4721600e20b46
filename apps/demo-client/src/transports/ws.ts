/** WebSocket medium, on `@mcp-transports/websocket` (subprotocol `mcp`, one message per text frame). */
import { WebSocketClientTransport } from '@mcp-transports/websocket';
import { connection, type ClientFactory, type Connection } from './types.js';

export const WS_IMPLEMENTATION = 'ours: @mcp-transports/websocket';

export async function connectWs(url: URL, createClient: ClientFactory): Promise<Connection> {
  const client = createClient();
  await client.connect(new WebSocketClientTransport(url));
  return connection(client, 'ws');
}
