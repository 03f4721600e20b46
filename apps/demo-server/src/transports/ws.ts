/** WebSocket medium (`/mcp`): waits for `@mcp-transports/websocket`; the SDK has no WebSocket server. */
import { NotYetAvailableError, type Served, type ServerFactory } from './types.js';
import type { HostPort } from '../args.js';

export const WS_IMPLEMENTATION = 'not yet available';
export const WS_AVAILABLE: boolean = false;

export function serveWs(_createServer: ServerFactory, _address: HostPort): Promise<Served> {
  return Promise.reject(
    new NotYetAvailableError(
      '--ws: the WebSocket transport is not yet available in this build (waiting for @mcp-transports/websocket)',
    ),
  );
}
