export type { CorsOptions } from './_http.js';
export { DEFAULT_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from './_http.js';
export type { AuthenticateRequest, LegacySseOptions, StreamableHTTPListenerOptions } from './listener.js';
export { StreamableHTTPListener } from './listener.js';
export { StreamableHTTPServerTransport } from './session.js';
export { SSEServerTransport } from './legacy.js';
export type { McpHttpServer, McpHttpServerOptions } from './create-server.js';
export { createMcpHttpServer } from './create-server.js';
export type { RoutedRequest, SessionRouter } from './routing.js';
