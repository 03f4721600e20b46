import { HTTP_IMPLEMENTATION } from './transports/http.js';
import { REDIS_IMPLEMENTATION } from './transports/redis.js';
import { STDIO_IMPLEMENTATION } from './transports/stdio.js';
import { WS_IMPLEMENTATION } from './transports/ws.js';
export { announceReady, parseOrUsage, untilSignal, type CliStderr } from './_cli.js';
export { createDemoServer, DEMO_SERVER_INFO } from './server.js';
export type { HostPort, Media, RedisTarget, ServerArgs } from './args.js';
export {
  MEDIA_OPTIONS,
  parseFlags,
  parseHostPort,
  parseMedia,
  parseRedisTarget,
  parseServerArgs,
  USAGE,
  UsageError,
} from './args.js';
export type { Endpoint, Served, ServerFactory } from './transports/types.js';

/** What serves each medium in this build: the SDK's transport or ours. */
export const SERVER_IMPLEMENTATIONS: Readonly<Record<'stdio' | 'http' | 'ws' | 'redis', string>> = {
  stdio: STDIO_IMPLEMENTATION,
  http: HTTP_IMPLEMENTATION,
  ws: WS_IMPLEMENTATION,
  redis: REDIS_IMPLEMENTATION,
};
