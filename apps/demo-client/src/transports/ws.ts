/**
 * WebSocket medium: waits for `@mcp-transports/websocket` (the SDK's WebSocketClientTransport needs
 * a global WebSocket, which Node 20 lacks).
 */
import { NotYetAvailableError, type ClientFactory, type Connection } from './types.js';

export const WS_IMPLEMENTATION = 'not yet available';
export const WS_AVAILABLE: boolean = false;

export function connectWs(_url: URL, _createClient: ClientFactory): Promise<Connection> {
  return Promise.reject(
    new NotYetAvailableError(
      'ws:// targets are not yet available in this build (waiting for @mcp-transports/websocket)',
    ),
  );
}
