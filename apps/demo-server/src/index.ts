export { createDemoServer, DEMO_SERVER_INFO } from './server.js';
export type { HostPort, RedisTarget, ServerArgs } from './args.js';
export { parseServerArgs, USAGE, UsageError } from './args.js';
export type { Endpoint, Served, ServerFactory } from './transports/types.js';
export { NotYetAvailableError } from './transports/types.js';
