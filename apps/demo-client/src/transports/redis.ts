/** Redis medium, on `@mcp-transports/redis`: opens a session on the named endpoint; a worker claims it. */
import { RedisClientTransport } from '@mcp-transports/redis';
import { connection, type ClientFactory, type Connection } from './types.js';

export const REDIS_IMPLEMENTATION = 'ours: @mcp-transports/redis';

export async function connectRedis(url: string, endpoint: string, createClient: ClientFactory): Promise<Connection> {
  const client = createClient();
  await client.connect(new RedisClientTransport({ redis: url, endpoint, connectTimeoutMs: 5_000 }));
  return connection(client, 'redis');
}
