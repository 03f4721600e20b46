/** Redis medium: waits for `@mcp-transports/redis`; the SDK has no Redis transport. */
import { NotYetAvailableError, type Served, type ServerFactory } from './types.js';
import type { RedisTarget } from '../args.js';

export const REDIS_IMPLEMENTATION = 'not yet available';
export const REDIS_AVAILABLE: boolean = false;

export function serveRedis(_createServer: ServerFactory, _target: RedisTarget): Promise<Served> {
  return Promise.reject(
    new NotYetAvailableError(
      '--redis: the Redis transport is not yet available in this build (waiting for @mcp-transports/redis)',
    ),
  );
}
