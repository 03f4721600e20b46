export { connect, CLIENT_INFO, createClient } from './connect.js';
export { runClientCli, USAGE } from './main.js';
export type { Target } from './target.js';
export { parseTarget, splitCommand, TargetError } from './target.js';
export type { ClientFactory, ConnectOptions, Connection } from './transports/types.js';
