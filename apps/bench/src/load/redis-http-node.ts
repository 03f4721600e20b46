/**
 * One node of the scaled HTTP bench, in its own process: our Streamable HTTP listener with a
 * `RedisSessionRouter` (sessionful, SSE) and an SDK v1 `McpServer` per session. Prints
 * `ready <port>` once it listens; SIGTERM closes it.
 */
import { RedisSessionRouter } from '@mcp-transports/redis';
import { createMcpHttpServer } from '@mcp-transports/sse/server';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

const url = process.env.REDIS_URL;
if (url === undefined) throw new Error('REDIS_URL is required');
const router = new RedisSessionRouter({ redis: url, prefix: 'bench' });
await router.ready;
const http = await createMcpHttpServer({
  router,
  onconnection: (transport) => void new McpServer({ name: 'bench', version: '0' }).connect(transport),
});
process.stdout.write(`ready ${http.url.port}\n`);
process.on('SIGTERM', () => {
  void http.close().then(() => router.close());
});
