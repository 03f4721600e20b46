export { DEFAULT_INHERITED_ENV_VARS, getDefaultEnvironment } from './_env.js';
export type { StdioClientTransportOptions, StdioCloseReason, StdioRestartOptions } from './client.js';
export { StdioClientTransport } from './client.js';
export type { StdioServerCloseReason, StdioServerTransportOptions } from './server.js';
export { StdioServerTransport } from './server.js';
export type { RestoreStdout } from './guard.js';
export { guardStdout } from './guard.js';
export type { ExitWhenClosedOptions } from './exit.js';
export { exitWhenClosed } from './exit.js';
