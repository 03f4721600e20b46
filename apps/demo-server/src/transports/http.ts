/**
 * HTTP medium: Streamable HTTP at `/mcp` and the legacy HTTP+SSE transport at `/sse` (+ `/messages`),
 * one SDK server per session. Until `@mcp-transports/sse` lands this uses the SDK's
 * StreamableHTTPServerTransport and SSEServerTransport, with core's MemoryEventStore for
 * resumability and a Host/Origin check against DNS rebinding on loopback binds.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MAX_MESSAGE_BYTES, MemoryEventStore } from '@mcp-transports/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { HostPort } from '../args.js';
import type { Served, ServerFactory } from './types.js';

export const HTTP_IMPLEMENTATION = 'SDK StreamableHTTPServerTransport + SSEServerTransport';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export async function serveHttp(createMcpServer: ServerFactory, address: HostPort): Promise<Served> {
  const streamable = new Map<string, StreamableHTTPServerTransport>();
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- serving the legacy transport is the point
  const legacy = new Map<string, SSEServerTransport>();
  const servers = new Set<McpServer>();
  const guardHosts = LOOPBACK.has(address.host);

  const track = (server: McpServer): void => {
    servers.add(server);
    const previous = server.server.onclose;
    server.server.onclose = () => {
      servers.delete(server);
      previous?.();
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (guardHosts && !isLocalRequest(req)) {
      sendError(res, 403, -32000, 'Forbidden: Host or Origin is not a loopback address (DNS rebinding protection)');
      return;
    }
    if (url.pathname === '/mcp') {
      await handleStreamable(req, res);
      return;
    }
    if (url.pathname === '/sse' && req.method === 'GET') {
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- serving the legacy transport is the point
      const transport = new SSEServerTransport('/messages', res);
      legacy.set(transport.sessionId, transport);
      transport.onclose = () => legacy.delete(transport.sessionId);
      const server = createMcpServer();
      track(server);
      await server.connect(transport);
      return;
    }
    if (url.pathname === '/messages' && req.method === 'POST') {
      const transport = legacy.get(url.searchParams.get('sessionId') ?? '');
      if (transport === undefined) {
        sendError(res, 404, -32001, 'Session not found');
        return;
      }
      const body = await readJson(req, res);
      if (body === undefined) return;
      await transport.handlePostMessage(req, res, body.value);
      return;
    }
    sendError(res, 404, -32000, `Not found: ${url.pathname} (MCP is served at /mcp, legacy HTTP+SSE at /sse)`);
  };

  const handleStreamable = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = streamable.get(sessionId);
      if (transport === undefined) {
        sendError(res, 404, -32001, 'Session not found');
        return;
      }
      if (req.method === 'POST') {
        const body = await readJson(req, res);
        if (body !== undefined) await transport.handleRequest(req, res, body.value);
      } else {
        await transport.handleRequest(req, res);
      }
      return;
    }
    if (req.method !== 'POST') {
      sendError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
      return;
    }
    const body = await readJson(req, res);
    if (body === undefined) return;
    if (!isInitializeRequest(body.value)) {
      sendError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
      return;
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      eventStore: new MemoryEventStore(),
      retryInterval: 1000,
      onsessioninitialized: (id) => void streamable.set(id, transport),
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) streamable.delete(transport.sessionId);
    };
    const server = createMcpServer();
    track(server);
    await server.connect(transport);
    await transport.handleRequest(req, res, body.value);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('[demo-server] http:', error);
      if (!res.headersSent) sendError(res, 500, -32603, 'Internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(address.port, address.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  const base = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${port}`;

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await Promise.allSettled([...servers].map((server) => server.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      resolveClosed();
    })());

  return {
    endpoints: [
      { medium: 'streamable-http', url: `${base}/mcp` },
      { medium: 'sse', url: `${base}/sse` },
    ],
    closed,
    close,
  };
}

/** Host (and Origin, when sent) must name a loopback address, so a rebound DNS name cannot reach us. */
function isLocalRequest(req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (host === undefined || !LOOPBACK.has(hostname(host))) return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return LOOPBACK.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}

function hostname(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
}

/** Reads a bounded JSON body; on trouble answers the request itself and returns undefined. */
async function readJson(req: IncomingMessage, res: ServerResponse): Promise<{ value: unknown } | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > DEFAULT_MAX_MESSAGE_BYTES) {
      // Answer first, then drop the connection rather than read the rest of an oversized body.
      res.setHeader('connection', 'close');
      res.once('finish', () => req.destroy());
      sendError(res, 413, -32600, `Request body exceeds ${DEFAULT_MAX_MESSAGE_BYTES} bytes`);
      return undefined;
    }
    chunks.push(chunk);
  }
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    sendError(res, 400, -32700, 'Parse error: the body is not valid JSON');
    return undefined;
  }
}

function sendError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
