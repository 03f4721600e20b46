/**
 * Open sessions from this process against a server stack running in a child
 * (suites/sessions-server.ts), measure the child's memory, and drive load across the sessions.
 * Used by the sessions curve and the HTTP server suite's memory-per-idle-session figure.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { WebSocket } from 'ws';
import { INIT, INITIALIZED, MCP_HEADERS } from './mcp-http.js';
import type { SessionKind } from './suites/sessions-server.js';

const SESSION_SERVER = fileURLToPath(new URL('./suites/sessions-server.ts', import.meta.url));
const IN_FLIGHT = 32;

export interface Server {
  child: ChildProcess;
  port: number;
  memory(): Promise<{ heap: number; rss: number }>;
  stop(): Promise<void>;
}

export async function startServer(kind: SessionKind): Promise<Server> {
  const child = fork(SESSION_SERVER, [kind], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`sessions-server ${kind} exited with ${code}`)));
  });
  return {
    child,
    port,
    memory: () =>
      new Promise((resolve) => {
        child.once('message', resolve);
        child.send('memory');
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}

/** Runs `fn` over `items` with at most `limit` at once. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Client side of one stack: open sessions, then drive requests across all of them. */
export interface SessionClient {
  open(count: number): Promise<void>;
  /** `total` requests, round-robin over the open sessions, IN_FLIGHT at once; returns req/s. */
  load(total: number): Promise<number>;
  close(): Promise<void>;
}

export function httpClientFor(port: number, sessions: boolean): SessionClient {
  const url = `http://127.0.0.1:${port}/mcp`;
  const dispatcher = new Agent({ connections: IN_FLIGHT, keepAliveTimeout: 60_000 });
  const ids: (string | undefined)[] = [];
  let nextId = 1;
  const post = async (headers: Record<string, string>, body: string) => {
    const response = await request(url, { method: 'POST', dispatcher, headers, body });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
    return response.headers['mcp-session-id'] as string | undefined;
  };
  return {
    async open(count) {
      if (!sessions) {
        for (let i = 0; i < count; i++) ids.push(undefined);
        return;
      }
      await pool(
        Array.from({ length: count }, (_, i) => i),
        IN_FLIGHT,
        async () => {
          const id = await post(MCP_HEADERS, INIT);
          if (id === undefined) throw new Error('no mcp-session-id on initialize');
          await post({ ...MCP_HEADERS, 'mcp-session-id': id }, INITIALIZED);
          ids.push(id);
        },
      );
    },
    async load(total) {
      const start = performance.now();
      await pool(
        Array.from({ length: total }, (_, i) => i),
        IN_FLIGHT,
        async (i) => {
          const id = ids[i % ids.length];
          await post(
            id === undefined ? MCP_HEADERS : { ...MCP_HEADERS, 'mcp-session-id': id },
            `{"jsonrpc":"2.0","id":${nextId++},"method":"ping"}`,
          );
        },
      );
      return (total / (performance.now() - start)) * 1000;
    },
    close: () => dispatcher.close(),
  };
}

export function wsClientFor(port: number): SessionClient {
  const sockets: WebSocket[] = [];
  const waiting = new Map<number, () => void>();
  let nextId = 1;
  const connect = () =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/mcp`, 'mcp', { perMessageDeflate: false });
      ws.once('open', () => {
        sockets.push(ws);
        resolve();
      });
      ws.once('error', reject);
      ws.on('message', (data: Buffer) => {
        const id = (JSON.parse(data.toString('utf8')) as { id: number }).id;
        waiting.get(id)?.();
        waiting.delete(id);
      });
    });
  return {
    async open(count) {
      await pool(
        Array.from({ length: count }, (_, i) => i),
        IN_FLIGHT,
        connect,
      );
    },
    async load(total) {
      const start = performance.now();
      await pool(
        Array.from({ length: total }, (_, i) => i),
        IN_FLIGHT,
        (i) =>
          new Promise<void>((resolve) => {
            const id = nextId++;
            waiting.set(id, resolve);
            (sockets[i % sockets.length] as WebSocket).send(
              JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo' } }),
            );
          }),
      );
      return (total / (performance.now() - start)) * 1000;
    },
    async close() {
      for (const ws of sockets) ws.terminate();
    },
  };
}
