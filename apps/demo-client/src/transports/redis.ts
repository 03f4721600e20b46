/** Redis medium: waits for `@mcp-transports/redis`. */
import { NotYetAvailableError, type ClientFactory, type Connection } from './types.js';

export const REDIS_IMPLEMENTATION = 'not yet available';
export const REDIS_AVAILABLE: boolean = false;

export function connectRedis(_url: string, _endpoint: string, _createClient: ClientFactory): Promise<Connection> {
  return Promise.reject(
    new NotYetAvailableError(
      'redis:// targets are not yet available in this build (waiting for @mcp-transports/redis)',
    ),
  );
}
