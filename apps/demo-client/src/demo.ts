/**
 * `pnpm demo [--quick]` — starts the demo server on every medium this build can serve, drives it
 * with the demo client over each, and prints per transport: connect time, round-trip p50/p99,
 * calls per second and the time to receive a 1 MB result. Zero configuration; Redis is used when
 * one is reachable on 127.0.0.1:6379 or `redis-server` can be started. Every process it starts is
 * stopped before it exits, also on Ctrl-C.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { SERVER_IMPLEMENTATIONS } from '@mcp-transports/demo-server';
import { createClient } from './connect.js';
import { FULL_PLAN, measure, QUICK_PLAN, type Measurement } from './demo/measure.js';
import { findRedis, type DemoRedis } from './demo/redis.js';
import { serverCommand, startServerProcess, type ServerProcess } from './demo/server-process.js';
import { formatMs, formatRate, renderTable } from './demo/stats.js';
import { connectHttp, HTTP_IMPLEMENTATION } from './transports/http.js';
import { connectRedis, REDIS_IMPLEMENTATION } from './transports/redis.js';
import { connectStdio, STDIO_IMPLEMENTATION } from './transports/stdio.js';
import type { Connection } from './transports/types.js';
import { connectWs, WS_IMPLEMENTATION } from './transports/ws.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const plan = values.quick ? QUICK_PLAN : FULL_PLAN;
const MEDIUM_TIMEOUT_MS = values.quick ? 15_000 : 20_000;
const started = performance.now();
const out = process.stdout;
const tty = out.isTTY;

let progressShown = false;
function progress(text: string): void {
  if (!tty) return;
  const elapsed = ((performance.now() - started) / 1000).toFixed(1);
  out.write(`\r\x1b[K[${elapsed}s] ${text}`);
  progressShown = true;
}
function print(line: string): void {
  if (progressShown) out.write('\r\x1b[K');
  progressShown = false;
  out.write(`${line}\n`);
}

interface Medium {
  readonly name: string;
  readonly implementation: string;
  /** The demo server's medium that serves it. */
  readonly server: keyof typeof SERVER_IMPLEMENTATIONS;
  readonly connect: () => Promise<Connection>;
}

let server: ServerProcess | undefined;
let redis: DemoRedis | undefined;
let current: Connection | undefined;
let cleaning: Promise<void> | undefined;
const cleanup = (): Promise<void> =>
  (cleaning ??= (async () => {
    await current?.close().catch(() => undefined);
    await server?.stop();
    await redis?.stop();
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    print(`\n${signal}: stopping everything the demo started…`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  print(
    `mcp-transports demo${values.quick ? ' (quick)' : ''} — Node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} CPUs`,
  );

  progress('looking for Redis…');
  const found = await findRedis();
  if (typeof found === 'string') print(`redis: skipped — ${found}`);
  else {
    redis = found;
    print(`redis: ${found.origin}`);
  }

  progress('starting the demo server…');
  const redisEndpoint = `demo-${process.pid}`;
  server = await startServerProcess([
    '--http',
    '127.0.0.1:0',
    '--ws',
    '127.0.0.1:0',
    ...(redis ? ['--redis', `${redis.url}#${redisEndpoint}`] : []),
  ]);
  const endpoints = server.endpoints;
  const stdio = serverCommand(['--stdio']);
  const media: Medium[] = [
    {
      name: 'stdio',
      server: 'stdio',
      implementation: STDIO_IMPLEMENTATION,
      // The server is our own: pass the whole environment through (the stdio transport would
      // otherwise give it only a safe allow-list).
      connect: () => connectStdio(stdio.command, stdio.args, createClient, { stderr: 'ignore', env: inheritedEnv() }),
    },
    {
      name: 'streamable-http',
      server: 'http',
      implementation: HTTP_IMPLEMENTATION,
      connect: () => connectHttp(new URL(endpoints.get('streamable-http')!), createClient, 'streamable-http'),
    },
    {
      name: 'sse (legacy)',
      server: 'http',
      implementation: HTTP_IMPLEMENTATION,
      connect: () => connectHttp(new URL(endpoints.get('sse')!), createClient, 'sse'),
    },
    {
      name: 'websocket',
      server: 'ws',
      implementation: WS_IMPLEMENTATION,
      connect: () => connectWs(new URL(endpoints.get('ws')!), createClient),
    },
    ...(redis
      ? [
          {
            name: 'redis',
            server: 'redis' as const,
            implementation: REDIS_IMPLEMENTATION,
            connect: () => connectRedis(redis!.url, redisEndpoint, createClient),
          },
        ]
      : []),
  ];

  const header = ['transport', 'connect', 'p50', 'p99', 'calls/s', '1 MB result'];
  const rows: string[][] = [];
  let failures = 0;
  print('');
  for (const medium of media) {
    progress(`${medium.name}: connecting…`);
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        run(medium),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`gave up after ${MEDIUM_TIMEOUT_MS / 1000} s`)), MEDIUM_TIMEOUT_MS);
        }),
      ]);
      const row = [
        medium.name,
        formatMs(result.connectMs),
        formatMs(result.p50Ms),
        formatMs(result.p99Ms),
        formatRate(result.callsPerSecond),
        formatMs(result.payloadMs),
      ];
      rows.push(row);
      print(
        `✓ ${medium.name}: connect ${row[1]!}, round trip p50 ${row[2]!} / p99 ${row[3]!}, ${row[4]!}, 1 MB result in ${row[5]!}`,
      );
    } catch (error) {
      failures++;
      rows.push([medium.name, 'failed', '', '', '', '']);
      print(`✗ ${medium.name}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
      await current?.close().catch(() => undefined);
      current = undefined;
    }
  }

  print(`\n${renderTable(header, rows)}\n`);
  print('Implementations:');
  for (const medium of media) {
    print(
      `  ${medium.name.padEnd(16)} client: ${medium.implementation}; server: ${SERVER_IMPLEMENTATIONS[medium.server]}`,
    );
  }
  print(
    `\nOne run on this machine: connect for stdio includes spawning the server (node + tsx); p50/p99 are sequential echo\ntool calls (up to ${plan.roundTrips} or ${plan.roundTripBudgetMs / 1000} s); calls/s has ${plan.concurrency} echo calls in flight for ${plan.throughputBudgetMs / 1000} s;\nthe 1 MB result is the median of up to ${plan.payloadRuns}. Finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  );
  return failures === 0 ? 0 : 1;
}

function inheritedEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

async function run(medium: Medium): Promise<Measurement> {
  const start = performance.now();
  current = await medium.connect();
  const connectMs = performance.now() - start;
  return measure(current.client, connectMs, plan, (step) => progress(`${medium.name}: ${step}`));
}

void main()
  .catch((error: unknown) => {
    print(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  })
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  });
