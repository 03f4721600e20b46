/**
 * One node of the scaled HTTP setup, as its own process: our Streamable HTTP listener with a
 * `RedisSessionRouter` and a `RedisEventStore`, an SDK v1 `McpServer` per session. Prints
 * `ready <port> <nodeId>` once it listens. Tools: `count` (progress notifications), `bump`
 * (resource updates on the GET stream, numbered in `_meta.seq`); resource `test://counter`
 * supports `resources/subscribe`.
 */
import { createMcpHttpServer } from '@mcp-transports/sse/server';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Redis } from 'ioredis';
import * as z from 'zod';
import { RedisEventStore } from '../event-store.js';
import { RedisSessionRouter } from '../router.js';

const url = process.env.REDIS_URL;
if (url === undefined) throw new Error('REDIS_URL is required');
const prefix = process.env.PREFIX ?? 'mcp';

function createServer(): McpServer {
  const server = new McpServer(
    { name: 'scaled', version: '1.0.0' },
    { capabilities: { resources: { subscribe: true } } },
  );
  const subscribed = new Set<string>();
  server.server.setRequestHandler(SubscribeRequestSchema, ({ params }) => {
    subscribed.add(params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, ({ params }) => {
    subscribed.delete(params.uri);
    return {};
  });
  server.registerResource('counter', 'test://counter', {}, (uri) => ({
    contents: [{ uri: uri.href, text: 'counter' }],
  }));
  server.registerTool('count', { inputSchema: { n: z.number() } }, async ({ n }, extra) => {
    for (let i = 1; i <= n; i++) {
      await extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken: extra._meta?.progressToken ?? 0, progress: i, total: n },
      });
    }
    return { content: [{ type: 'text', text: `counted ${n}` }] };
  });
  server.registerTool(
    'bump',
    { inputSchema: { uri: z.string(), from: z.number(), count: z.number(), delayMs: z.number() } },
    async ({ uri, from, count, delayMs }) => {
      if (!subscribed.has(uri)) return { content: [{ type: 'text', text: 'not subscribed' }], isError: true };
      for (let i = from; i < from + count; i++) {
        // Not related to the tool call: these travel on the session's GET stream.
        await server.server.notification({
          method: 'notifications/resources/updated',
          params: { uri, _meta: { seq: i } },
        });
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      return { content: [{ type: 'text', text: `bumped ${count}` }] };
    },
  );
  server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  return server;
}

const router = new RedisSessionRouter({ redis: url, prefix, livenessMs: Number(process.env.LIVENESS_MS ?? 500) });
// Redis unreachable: the rejection ends the process with an error.
await router.ready;
const store = new Redis(url);
const http = await createMcpHttpServer({
  router,
  eventStore: new RedisEventStore({ redis: store, prefix }),
  onconnection: (transport) => void createServer().connect(transport),
  onerror: (error) => process.stderr.write(`listener: ${error.message}\n`),
});
process.stdout.write(`ready ${http.url.port} ${router.nodeId}\n`);
process.on('SIGTERM', () => {
  // Closing every connection lets the process end on its own.
  void http
    .close()
    .then(() => router.close())
    .then(() => store.quit());
});
