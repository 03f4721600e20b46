/**
 * Test peer: the official SDK v1 `StreamableHTTPServerTransport` (stateful, with an event store
 * for resumability) and legacy `SSEServerTransport`, behind a plain node:http server on an
 * ephemeral loopback port.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

export function createMcpServer(): McpServer {
  const server = new McpServer({ name: 'sdk-peer', version: '1.0.0' }, { capabilities: { logging: {} } });
  server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('chatty', { inputSchema: { count: z.number() } }, async ({ count }, extra) => {
    for (let i = 0; i < count; i++) {
      await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: `note ${i}` } });
    }
    return { content: [{ type: 'text', text: `sent ${count}` }] };
  });
  // Progress sent back to back with the result (no await): usually one chunk on the client side.
  server.registerTool('burst', { inputSchema: { steps: z.number() } }, ({ steps }, extra) => {
    const token = extra._meta?.progressToken;
    for (let i = 1; token !== undefined && i <= steps; i++) {
      void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i } });
    }
    return { content: [{ type: 'text', text: 'done' }] };
  });
  server.registerTool('slow', { inputSchema: { ms: z.number() } }, async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { content: [{ type: 'text', text: 'done' }] };
  });
  return server;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

export interface SdkPeer {
  url: string;
  /** The legacy (2024-11-05) SSE endpoint, served when started with `legacy: true`. */
  sseUrl: string;
  /** The SDK's server-side transports by session id. */
  sessions: Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>;
  /** Every request the peer saw: method, session header, path. */
  seen: { method: string; sessionId: string | undefined; path: string }[];
  close(): Promise<void>;
}

export async function startSdkPeer(options: { json?: boolean; legacy?: boolean } = {}): Promise<SdkPeer> {
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>();
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the legacy transport is the peer under test
  const legacy = new Map<string, SSEServerTransport>();
  const seen: SdkPeer['seen'] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const header = req.headers['mcp-session-id'];
    const sessionId = typeof header === 'string' ? header : undefined;
    seen.push({ method: req.method ?? '', sessionId, path: url.pathname });
    if (url.pathname === '/sse' && options.legacy === true) {
      if (req.method !== 'GET') {
        // A server from before Streamable HTTP: the POST of `initialize` is not allowed here.
        res.writeHead(405, { allow: 'GET' }).end();
        return;
      }
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- the legacy transport is the peer under test
      const transport = new SSEServerTransport('/messages', res);
      legacy.set(transport.sessionId, transport);
      transport.onclose = () => legacy.delete(transport.sessionId);
      await createMcpServer().connect(transport);
      return;
    }
    if (url.pathname === '/messages' && options.legacy === true) {
      const transport = legacy.get(url.searchParams.get('sessionId') ?? '');
      if (transport === undefined) res.writeHead(404).end('unknown session');
      else await transport.handlePostMessage(req, res);
      return;
    }
    if (url.pathname !== '/mcp') {
      res.writeHead(404).end('not found');
      return;
    }
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const existing = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (existing !== undefined) {
      await existing.transport.handleRequest(req, res, body);
      return;
    }
    if (sessionId === undefined && req.method === 'POST' && isInitializeRequest(body)) {
      const server = createMcpServer();
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: options.json === true,
        eventStore: new InMemoryEventStore(),
        onsessioninitialized: (id) => {
          sessions.set(id, { transport, server });
        },
      });
      transport.onclose = () => {
        if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
      return;
    }
    res
      .writeHead(sessionId === undefined ? 400 : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'no valid session' }, id: null }));
  };
  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    sseUrl: `http://127.0.0.1:${port}/sse`,
    sessions,
    seen,
    close: async () => {
      for (const { transport } of sessions.values()) await transport.close();
      for (const transport of legacy.values()) await transport.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
