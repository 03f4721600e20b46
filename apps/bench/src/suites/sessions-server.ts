/**
 * Child process of the sessions curve: `sessions-server.ts <kind>` serves one stack on 127.0.0.1,
 * prints `{ "port": N }`, then answers each IPC `'memory'` with its `{ heap, rss }` (bytes, heap
 * including external) after collecting garbage. The load and the sessions come from the parent, so
 * this process holds only the server side of every session.
 *
 * Kinds: `http-ours` (our StreamableHTTPListener, stateful, an SDK McpServer per session),
 * `http-sdk-v1` (the SDK v1 StreamableHTTPServerTransport per session, the same McpServer),
 * `http-raw` (a node:http JSON echo: no sessions, the medium's ceiling for req/s),
 * `ws-ours` (our WebSocketListener echoing each request), `ws-raw` (a bare `ws` JSON echo).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONRPCMessage } from '@mcp-transports/core';
import { StreamableHTTPListener } from '@mcp-transports/sse/server';
import { WebSocketListener } from '@mcp-transports/websocket';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { WebSocketServer } from 'ws';

export type SessionKind = 'http-ours' | 'http-sdk-v1' | 'http-raw' | 'ws-ours' | 'ws-raw';

const kind = process.argv[2] as SessionKind;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('sessions-server needs --expose-gc');

const reply = (m: { id: number | string }): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id: m.id,
  result: { content: [{ type: 'text', text: 'ok' }] },
});

function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function start(): Promise<number> {
  switch (kind) {
    case 'http-ours': {
      const listener = new StreamableHTTPListener({});
      listener.onconnection = (transport) => void new McpServer({ name: 'bench', version: '0' }).connect(transport);
      return httpServer((req, res) => void listener.handleNode(req, res));
    }
    case 'http-sdk-v1': {
      // The SDK's documented pattern: a transport (and server) per session, found by its id.
      const sessions = new Map<string, StreamableHTTPServerTransport>();
      return httpServer((req, res) => {
        const id = req.headers['mcp-session-id'];
        const existing = typeof id === 'string' ? sessions.get(id) : undefined;
        if (existing !== undefined) {
          void existing.handleRequest(req, res);
          return;
        }
        const transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => crypto.randomUUID(),
          onsessioninitialized: (sessionId) => void sessions.set(sessionId, transport),
        });
        void new McpServer({ name: 'bench', version: '0' })
          .connect(transport)
          .then(() => transport.handleRequest(req, res));
      });
    }
    case 'http-raw':
      return httpServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: number };
          if (message.id === undefined) {
            res.writeHead(202).end();
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply({ id: message.id })));
        });
      });
    case 'ws-ours': {
      const listener = new WebSocketListener();
      listener.onconnection = (transport) => {
        transport.onmessage = (message) => {
          if ('id' in message && 'method' in message) void transport.send(reply(message));
        };
        void transport.start();
      };
      const { url } = await listener.listen();
      return Number(new URL(url).port);
    }
    case 'ws-raw': {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
      await new Promise<void>((resolve) => wss.once('listening', resolve));
      wss.on('connection', (ws) => {
        ws.on('message', (data: Buffer) => {
          ws.send(JSON.stringify(reply(JSON.parse(data.toString('utf8')) as { id: number })));
        });
      });
      return (wss.address() as AddressInfo).port;
    }
    default:
      throw new Error(`unknown kind "${String(kind)}"`);
  }
}

/** Lets pending work finish, then collects garbage until the heap stops shrinking. */
async function memory(): Promise<{ heap: number; rss: number }> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  let last = Infinity;
  for (let i = 0; i < 5; i++) {
    gc?.();
    const used = process.memoryUsage().heapUsed;
    if (used >= last) break;
    last = used;
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

process.on('message', (what: string) => {
  if (what === 'memory') void memory().then((m) => process.send?.(m));
});
process.on('disconnect', () => process.exit(0));
process.send?.({ port: await start() });
