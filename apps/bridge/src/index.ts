export type { BridgeArgs, RedisEndpoint } from './args.js';
export { parseBridgeArgs, parseUpstream, USAGE, UsageError } from './args.js';
export type { BridgeCliOptions } from './main.js';
export { runBridgeCli } from './main.js';
export type { RelayOptions } from './relay.js';
export { Relay } from './relay.js';
export { Sessions } from './sessions.js';
export type { Upstream, UpstreamFactory, UpstreamOptions } from './upstream.js';
export { upstreamFactory } from './upstream.js';
