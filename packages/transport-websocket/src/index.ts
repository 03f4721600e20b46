export type {
  Authenticate,
  AuthenticateRequest,
  AttachOptions,
  ListenOptions,
  ListeningAddress,
  WebSocketListenerOptions,
} from './listener.js';
export { WebSocketListener } from './listener.js';
export { WebSocketServerTransport } from './server.js';
export type { NodeWebSocketClientOptions } from './client.js';
export { WebSocketClientTransport } from './client.js';
export type { WebSocketClientOptions } from './_client.js';
export type { CloseInfo } from './_shared.js';
export { AUTH_SUBPROTOCOL_PREFIX, CloseCode, SUBPROTOCOL } from './_shared.js';
