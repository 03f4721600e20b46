/**
 * Test peer: the official SDK v2 `createMcpHandler` (2026-07-28 per request, with its stateless
 * 2025 fallback unless `legacy: 'reject'`) behind node:http. Records the headers of every request
 * and which tool calls saw their cancellation, so tests can check the wire and M26-16.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { nodeListener } from './node-web.js';

export interface SdkV2HandlerPeer {
  url: string;
  /** Headers of every request the handler was given, in arrival order. */
  requests: IncomingHttpHeaders[];
  /** The HTTP method of every request, in the same order. */
  methods: string[];
  /** Tool calls of `wait` whose signal fired (the client closed the stream), by `tag`. */
  cancelled: Set<string>;
  /** Tool calls of `wait` that started, by `tag`. */
  started: Set<string>;
  close(): Promise<void>;
}

export async function startSdkV2Handler(
  options: { legacy?: 'stateless' | 'reject'; responseMode?: 'auto' | 'sse' | 'json' } = {},
): Promise<SdkV2HandlerPeer> {
  const requests: IncomingHttpHeaders[] = [];
  const methods: string[] = [];
  const cancelled = new Set<string>();
  const started = new Set<string>();
  const handler = createMcpHandler(
    () => {
      const server = new McpServer({ name: 'sdk-v2-handler', version: '2.0.0' });
      server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
        content: [{ type: 'text', text }],
      }));
      // M26-21: the client mirrors `region` into `Mcp-Param-Region`; the handler checks it against the body.
      server.registerTool(
        'regional',
        { inputSchema: z.object({ region: z.string().meta({ 'x-mcp-header': 'Region' }), text: z.string() }) },
        ({ region, text }) => ({ content: [{ type: 'text', text: `${region}: ${text}` }] }),
      );
      server.registerTool('progress', { inputSchema: z.object({ steps: z.number() }) }, async ({ steps }, ctx) => {
        const token = ctx.mcpReq._meta?.progressToken;
        for (let step = 1; step <= steps; step++) {
          if (token !== undefined) {
            await ctx.mcpReq.notify({
              method: 'notifications/progress',
              params: { progressToken: token, progress: step, total: steps },
            });
          }
        }
        return { content: [{ type: 'text', text: `done ${steps}` }] };
      });
      server.registerTool('wait', { inputSchema: z.object({ tag: z.string() }) }, async ({ tag }, ctx) => {
        started.add(tag);
        await new Promise<void>((resolve) => {
          if (ctx.mcpReq.signal.aborted) resolve();
          ctx.mcpReq.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        cancelled.add(tag);
        return { content: [{ type: 'text', text: 'cancelled' }] };
      });
      return server;
    },
    { legacy: options.legacy ?? 'stateless', responseMode: options.responseMode ?? 'auto', keepAliveMs: 0 },
  );
  const listener = nodeListener((request) => handler.fetch(request), { abortOnClose: true });
  const http = createServer((req, res) => {
    requests.push(req.headers);
    methods.push(req.method ?? '');
    listener(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    requests,
    methods,
    cancelled,
    started,
    close: async () => {
      await handler.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
