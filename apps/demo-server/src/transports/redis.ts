/** Redis medium, on `@mcp-transports/redis`: this process is a worker of the endpoint, one SDK server per session. */
import { RedisServerListener } from '@mcp-transports/redis';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RedisTarget } from '../args.js';
import type { Served, ServerFactory } from './types.js';

export const REDIS_IMPLEMENTATION = 'ours: @mcp-transports/redis';

export async function serveRedis(createServer: ServerFactory, target: RedisTarget): Promise<Served> {
  const servers = new Set<McpServer>();
  const report = (error: unknown): void =>
    void process.stderr.write(`[demo-server] redis: ${error instanceof Error ? error.message : String(error)}\n`);
  const listener = new RedisServerListener({ redis: target.url, endpoint: target.endpoint });
  listener.onconnection = (transport) => {
    const server = createServer();
    servers.add(server);
    server.server.onclose = () => servers.delete(server);
    server.connect(transport).catch(report);
  };
  listener.onerror = report;
  await listener.listen();

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await listener.close();
      await Promise.allSettled([...servers].map((server) => server.close()));
      resolveClosed();
    })());
  return {
    endpoints: [{ medium: 'redis', url: `${target.url}#${encodeURIComponent(target.endpoint)}` }],
    closed,
    close,
  };
}
