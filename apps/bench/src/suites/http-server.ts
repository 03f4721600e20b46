/**
 * HTTP server: requests/s and latency under concurrent load from a separate process, for a raw
 * `node:http` JSON echo (the medium's ceiling) and a bytes echo (no JSON), our listener (stateless
 * JSON, stateful SSE) and the official SDK v1 `StreamableHTTPServerTransport` and v2
 * `WebStandardStreamableHTTPServerTransport` (stateful, SSE; v2 behind a node:http ↔ fetch
 * conversion), all with an SDK server answering `ping` — in the same run, alternating order. Then
 * heap after many requests, and memory per idle session (full runs).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { StreamableHTTPListener } from '@mcp-transports/sse/server';
import {
  McpServer as McpServerV2,
  WebStandardStreamableHTTPServerTransport as SdkV2Transport,
} from '@modelcontextprotocol/server';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport as SdkStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { compare, heapGrowthRow, median, type BenchOptions, type Row } from '../harness.js';
import { describeErrors, initializeSession, MCP_HEADERS, PING, type LoadResult } from '../mcp-http.js';
import { httpClientFor, startServer } from '../sessions.js';
import type { SessionKind } from './sessions-server.js';

const SUITE = 'http-server';
const CONCURRENCY = 32;
interface Target {
  url: string;
  headers: Record<string, string>;
  close(): Promise<void>;
}

function sdkServer(): McpServer {
  return new McpServer({ name: 'bench', version: '0' });
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

async function rawEcho(): Promise<Target> {
  const server = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: {} }));
    });
  });
  return { url: urlOf(server), headers: MCP_HEADERS, close: () => stop(server) };
}

/** The medium without JSON: the request's bytes straight back, no parse, no stringify. */
async function rawBytes(): Promise<Target> {
  const server = await listen((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    req.pipe(res);
  });
  return { url: urlOf(server), headers: MCP_HEADERS, close: () => stop(server) };
}

async function ours(mode: 'stateless-json' | 'stateful-sse'): Promise<Target & { listener: StreamableHTTPListener }> {
  const listener = new StreamableHTTPListener(
    mode === 'stateless-json' ? { sessionIdGenerator: undefined, enableJsonResponse: true } : {},
  );
  listener.onconnection = (transport) => void sdkServer().connect(transport);
  const server = await listen((req, res) => void listener.handleNode(req, res));
  const url = urlOf(server);
  const headers = mode === 'stateless-json' ? MCP_HEADERS : await initializeSession(url);
  return {
    url,
    headers,
    listener,
    close: async () => {
      await listener.close();
      await stop(server);
    },
  };
}

async function sdkStateful(): Promise<Target> {
  const transport = new SdkStreamableHTTPServerTransport({ sessionIdGenerator: () => crypto.randomUUID() });
  await sdkServer().connect(transport);
  const server = await listen((req, res) => void transport.handleRequest(req, res));
  const url = urlOf(server);
  return {
    url,
    headers: await initializeSession(url),
    close: async () => {
      await transport.close();
      await stop(server);
    },
  };
}

/**
 * The SDK v2 server transport speaks fetch `Request`/`Response`; on node:http each request is
 * converted both ways here, as an adapter would (that conversion is part of its cost on Node).
 */
async function sdkV2Stateful(): Promise<Target> {
  const transport = new SdkV2Transport({ sessionIdGenerator: () => crypto.randomUUID() });
  await new McpServerV2({ name: 'bench', version: '0' }).connect(transport);
  const server = await listen((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [key, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers.set(key, value);
        else if (Array.isArray(value)) for (const v of value) headers.append(key, v);
      }
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const response = await transport.handleRequest(
        new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
          method: req.method ?? 'GET',
          headers,
          ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
        }),
      );
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (response.body !== null) for await (const chunk of response.body) res.write(chunk);
      res.end();
    })();
  });
  const url = urlOf(server);
  return {
    url,
    headers: await initializeSession(url),
    close: async () => {
      await transport.close();
      await stop(server);
    },
  };
}

function load(child: ChildProcess, target: Target, count: number): Promise<LoadResult> {
  return new Promise((resolve) => {
    child.once('message', (result: LoadResult) => resolve(result));
    child.send({ url: target.url, headers: target.headers, body: PING, count, concurrency: CONCURRENCY });
  });
}

/**
 * Server-side bytes per idle session (heap + external): the stack runs in a child, `n` sessions
 * are initialized from here after one warm-up session, and the child's growth is divided by `n`.
 */
async function idleSessionBytes(kind: SessionKind, n: number): Promise<number> {
  const server = await startServer(kind);
  const client = httpClientFor(server.port, true);
  try {
    await client.open(1);
    const before = await server.memory();
    await client.open(n);
    const after = await server.memory();
    return (after.heap - before.heap) / n;
  } finally {
    await client.close();
    await server.stop();
  }
}

export async function httpServerSuite(options: BenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const child = fork(fileURLToPath(new URL('../load/http-load.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // BENCH_HTTP_REQUESTS / BENCH_HTTP_ROUNDS shorten a full run on a busy machine.
  const count = Number(process.env.BENCH_HTTP_REQUESTS) || (options.quick ? 300 : 20_000);
  const rounds = Number(process.env.BENCH_HTTP_ROUNDS) || (options.quick ? 1 : 5);
  const targets: Record<string, Target> = {
    'raw node:http JSON echo': await rawEcho(),
    'raw node:http (no JSON)': await rawBytes(),
    'ours stateless JSON': await ours('stateless-json'),
    'ours stateful SSE': await ours('stateful-sse'),
    'SDK v1 stateful SSE': await sdkStateful(),
    'SDK v2 stateful SSE': await sdkV2Stateful(),
  };
  try {
    const latency: Record<
      string,
      { p50: number[]; p99: number[]; errors: number; errorKinds: Record<string, number> }
    > = {};
    const contenders: Record<string, () => Promise<number>> = {};
    for (const [name, target] of Object.entries(targets)) {
      latency[name] = { p50: [], p99: [], errors: 0, errorKinds: {} };
      contenders[name] = async () => {
        const result = await load(child, target, count);
        const l = latency[name]!;
        l.p50.push(result.p50);
        l.p99.push(result.p99);
        l.errors += result.errors;
        for (const [kind, n] of Object.entries(result.errorKinds)) l.errorKinds[kind] = (l.errorKinds[kind] ?? 0) + n;
        return result.elapsedMs;
      };
    }
    const { times, ratios } = await compare(contenders, rounds, options.quick ? 0 : 1);
    const baseline = 'raw node:http JSON echo';
    const skip = options.quick ? 0 : 1; // warm-up rounds recorded in `latency`
    for (const name of Object.keys(targets)) {
      const rps = (count / median(times[name]!)) * 1000;
      const l = latency[name]!;
      const isBaseline = name === baseline;
      const ourRow = name.startsWith('ours');
      const note = describeErrors(l.errors, l.errorKinds);
      rows.push({
        suite: SUITE,
        figure: `req/s, ${CONCURRENCY} in flight`,
        contender: name,
        value: rps,
        unit: 'req/s',
        ...(isBaseline ? {} : { ratio: 1 / median(ratios[name]!) }),
        ...(ourRow ? { goal: '>= 0.6', met: 1 / median(ratios[name]!) >= 0.6 } : {}),
        note,
      });
    }
    // Latency under the same load, ratios within each round against the raw echo.
    for (const key of ['p50', 'p99'] as const) {
      for (const name of Object.keys(targets)) {
        const samples = latency[name]![key].slice(skip);
        const base = latency[baseline]![key].slice(skip);
        rows.push({
          suite: SUITE,
          figure: `round trip ${key}, ${CONCURRENCY} in flight`,
          contender: name,
          value: median(samples),
          unit: 'ms',
          ...(name === baseline ? {} : { ratio: median(samples.map((v, i) => v / (base[i] as number))) }),
        });
      }
    }

    // Heap after many requests: a per-request leak shows up as growth proportional to the count.
    const heapCount = options.quick ? 1_000 : 100_000;
    for (const name of ['ours stateless JSON', 'ours stateful SSE']) {
      const target = targets[name]!;
      const figure = `heap growth after ${heapCount.toLocaleString('en-US')} requests`;
      rows.push(
        await heapGrowthRow(
          { suite: SUITE, figure, contender: name, isOurs: true },
          () => load(child, target, options.quick ? 200 : 2_000),
          () => load(child, target, heapCount),
        ),
      );
    }

    // Memory per idle session: ours and the SDK v1, each with an McpServer per session, per round.
    // Full runs only: two more server processes cost --quick a few seconds of tsx start-up.
    const sessions = 1000;
    const memory: Record<'ours' | 'sdk', number[]> = { ours: [], sdk: [] };
    for (let round = 0; round < (options.quick ? 0 : 3); round++) {
      const order = round % 2 === 0 ? (['ours', 'sdk'] as const) : (['sdk', 'ours'] as const);
      for (const who of order)
        memory[who].push(await idleSessionBytes(who === 'ours' ? 'http-ours' : 'http-sdk-v1', sessions));
    }
    const figure = `memory per idle session (${sessions.toLocaleString('en-US')} sessions, heap)`;
    if (!options.quick)
      rows.push(
        { suite: SUITE, figure, contender: 'ours stateful', value: median(memory.ours), unit: 'B' },
        { suite: SUITE, figure, contender: 'SDK v1 stateful', value: median(memory.sdk), unit: 'B' },
      );
  } finally {
    child.kill();
    for (const target of Object.values(targets)) await target.close();
  }
  return rows;
}
