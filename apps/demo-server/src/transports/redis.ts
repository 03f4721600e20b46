/** Redis medium, on `@mcp-transports/redis`: this process is a worker of the endpoint, one SDK server per session. */
import { RedisServerListener } from '@mcp-transports/redis';
import type { RedisTarget } from '../args.js';
import { perSession } from './_per-session.js';
import type { Served, ServerFactory } from './types.js';

export const REDIS_IMPLEMENTATION = 'ours: @mcp-transports/redis';

export async function serveRedis(createServer: ServerFactory, target: RedisTarget): Promise<Served> {
  const sessions = perSession(createServer, 'redis');
  const listener = new RedisServerListener({ redis: target.url, endpoint: target.endpoint });
  listener.onconnection = sessions.connect;
  listener.onerror = sessions.report;
  await listener.listen();
  return sessions.served([{ medium: 'redis', url: `${target.url}#${encodeURIComponent(target.endpoint)}` }], () =>
    listener.close(),
  );
}
