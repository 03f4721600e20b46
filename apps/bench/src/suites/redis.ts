/**
 * Redis: our transport against the same echo written directly on the medium with the same client
 * (ioredis), in the same run — a raw pub/sub JSON echo (and one without JSON) and a raw Streams
 * XADD/XREAD echo. The
 * official SDK has no Redis transport, so there is no SDK contender.
 *
 * Figures: round trip p50/p99 (one request at a time), pipelined throughput (a burst of
 * requests in flight at once), one 1 MB and one 10 MB message round trip (echoed back), and our
 * transport's heap growth after 100,000 messages (leak check). A private redis-server is started
 * on a free port; the three echo servers run in a child process (`redis-echo-server.ts`) and the
 * load comes from this one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RedisClientTransport } from '@mcp-transports/redis';
import { Redis } from 'ioredis';
import {
  compare,
  heapGrowthRow,
  interleaved,
  timedOnce,
  median,
  percentile,
  type BenchOptions,
  type Row,
} from '../harness.js';
import {
  CONTROL_REQUESTS,
  CONTROL_RESPONSES,
  ENDPOINT,
  PUBSUB_BYTES_REQUESTS,
  PUBSUB_BYTES_RESPONSES,
  PUBSUB_REQUESTS,
  PUBSUB_RESPONSES,
  readStream,
  requestOf,
  STREAM_REQUESTS,
  STREAM_RESPONSES,
} from './redis-echo.js';
import { scaledHttpRows } from './redis-http.js';

const SUITE = 'redis';
const CONTROL = 'raw pub/sub echo, again (noise control)';

interface Echo {
  /** Sends one request (carrying `text`) and resolves with its reply (which echoes `text`). */
  call(id: number, text?: string): Promise<unknown>;
  close(): Promise<void>;
}

class Pending {
  readonly #waiting = new Map<number, (value: unknown) => void>();
  wait(id: number): Promise<unknown> {
    return new Promise((resolve) => this.#waiting.set(id, resolve));
  }
  settle(id: number, value: unknown): void {
    const resolve = this.#waiting.get(id);
    this.#waiting.delete(id);
    resolve?.(value);
  }
}

async function pubSubEcho(url: string, requests = PUBSUB_REQUESTS, responses = PUBSUB_RESPONSES): Promise<Echo> {
  const [pub, sub] = [1, 2].map(() => new Redis(url));
  const pending = new Pending();
  await sub!.subscribe(responses);
  sub!.on('message', (_channel: string, text: string) => {
    const m = JSON.parse(text) as { id: number };
    pending.settle(m.id, m);
  });
  return {
    call(id, text) {
      const reply = pending.wait(id);
      void pub!.publish(requests, JSON.stringify(requestOf(id, text)));
      return reply;
    },
    async close() {
      for (const c of [pub, sub]) c!.disconnect();
    },
  };
}

/** The pub/sub echo without JSON anywhere: a string template out, the reply taken as it comes (in order). */
async function pubSubBytesEcho(url: string): Promise<Echo> {
  const [pub, sub] = [1, 2].map(() => new Redis(url));
  const waiting: ((value: unknown) => void)[] = [];
  let next = 0;
  await sub!.subscribe(PUBSUB_BYTES_RESPONSES);
  sub!.on('message', () => {
    const resolve = waiting[next];
    waiting[next++] = undefined as never;
    if (next === waiting.length) {
      waiting.length = 0;
      next = 0;
    }
    resolve?.(undefined);
  });
  return {
    call(id, text) {
      const reply = new Promise((resolve) => waiting.push(resolve));
      // The bench's texts are runs of "x": nothing to escape.
      void pub!.publish(
        PUBSUB_BYTES_REQUESTS,
        `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"text":"${text ?? 'hello from the bench'}"}}}`,
      );
      return reply;
    },
    async close() {
      for (const c of [pub, sub]) c!.disconnect();
    },
  };
}

async function streamsEcho(url: string): Promise<Echo> {
  const [cmd, read] = [1, 2].map(() => new Redis(url));
  const pending = new Pending();
  const reading = readStream(read!, STREAM_RESPONSES, (text) => {
    const m = JSON.parse(text) as { id: number };
    pending.settle(m.id, m);
  });
  // Let the XREAD reach the server before anything is written ('$' means "after now").
  await cmd!.ping();
  await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    call(id, text) {
      const reply = pending.wait(id);
      void cmd!.xadd(STREAM_REQUESTS, '*', 'm', JSON.stringify(requestOf(id, text)));
      return reply;
    },
    async close() {
      reading.stop();
      for (const c of [cmd, read]) c!.disconnect();
    },
  };
}

async function oursEcho(url: string): Promise<Echo> {
  const client = new RedisClientTransport({ redis: url, endpoint: ENDPOINT });
  const pending = new Pending();
  client.onmessage = (message) => {
    if ('id' in message) pending.settle(message.id as number, message);
  };
  await client.start();
  return {
    call(id, text) {
      const reply = pending.wait(id);
      void client.send(requestOf(id, text));
      return reply;
    },
    close: () => client.close(),
  };
}

/** The three echo servers, in a child process: the load comes from this one. */
async function startEchoServers(url: string): Promise<{ stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./redis-echo-server.ts', import.meta.url)), url],
    {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  if (line !== 'ready') throw new Error(`redis echo servers: unexpected "${line}"`);
  return {
    stop: async () => {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}

async function startRedis(): Promise<{ url: string; stop: () => void } | undefined> {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { retryStrategy: () => 20, maxRetriesPerRequest: null });
  // Refused until redis-server is up: expected, and retried.
  probe.on('error', () => undefined);
  await probe.ping();
  probe.disconnect();
  return { url, stop: () => child.kill('SIGKILL') };
}

export async function redisSuite(options: BenchOptions): Promise<Row[]> {
  const redis = await startRedis();
  if (redis === undefined) {
    return [
      {
        suite: SUITE,
        figure: 'skipped',
        contender: '-',
        value: 0,
        unit: '',
        note: 'redis-server not installed (apt-get install redis-server)',
      },
    ];
  }
  const rows: Row[] = [];
  let servers: { stop: () => Promise<void> } | undefined;
  try {
    servers = await startEchoServers(redis.url);
    const echoes: Record<string, Echo> = {
      'raw pub/sub echo': await pubSubEcho(redis.url),
      'raw streams echo': await streamsEcho(redis.url),
      'raw pub/sub (no JSON)': await pubSubBytesEcho(redis.url),
      'ours (Redis transport)': await oursEcho(redis.url),
      // The pub/sub echo again: what two identical echoes differ by in the same rounds.
      [CONTROL]: await pubSubEcho(redis.url, CONTROL_REQUESTS, CONTROL_RESPONSES),
    };
    const names = Object.keys(echoes);
    const rounds = options.quick ? 3 : 9;
    let nextId = 1;

    // -- round trip, one request at a time -------------------------------------------------
    const sequential = options.quick ? 100 : 1000;
    // Interleaved: every echo does its i-th round trip before any does its i+1-th.
    const latencies = await interleaved(
      Object.fromEntries(names.map((name) => [name, () => echoes[name]!.call(nextId++)])),
      sequential,
      rounds,
    );
    const p50 = Object.fromEntries(names.map((n) => [n, latencies[n]!.map((lat) => percentile(lat, 50))]));
    const p99 = Object.fromEntries(names.map((n) => [n, latencies[n]!.map((lat) => percentile(lat, 99))]));
    for (const [figure, values] of [
      ['round trip p50', p50],
      ['round trip p99', p99],
    ] as const) {
      for (const name of names) {
        const value = median(values[name]!);
        const perRound = (base: string) =>
          median(values[name]!.map((v, i) => v / (values[base]![i] as number)).filter(Number.isFinite));
        const vsPubSub = perRound('raw pub/sub echo');
        const vsStreams = perRound('raw streams echo');
        const ours = name.startsWith('ours');
        rows.push({
          suite: SUITE,
          figure,
          contender: name,
          value: value * 1000,
          unit: 'µs',
          ...(name === 'raw pub/sub echo' ? {} : { ratio: vsPubSub }),
          ...(ours
            ? { goal: '<= 1.2', met: vsPubSub <= 1.2, note: `vs pub/sub; ${vsStreams.toFixed(2)}x vs raw streams` }
            : {}),
        });
      }
    }

    // -- pipelined throughput: a burst of requests in flight at once ---------------------------
    const burst = options.quick ? 500 : 5000;
    const { times, ratios } = await compare(
      Object.fromEntries(
        names.map((name) => [
          name,
          async () => {
            const echo = echoes[name]!;
            const start = performance.now();
            const replies: Promise<unknown>[] = [];
            for (let i = 0; i < burst; i++) replies.push(echo.call(nextId++));
            await Promise.all(replies);
            return performance.now() - start;
          },
        ]),
      ),
      rounds,
    );
    for (const name of names) {
      const perSecond = (burst / median(times[name]!)) * 1000;
      // Throughput ratio oriented as a slowdown: time(ours) / time(baseline), so <= 1.2 reads the same way.
      const vsPubSub = median(ratios[name]!);
      const vsStreams = median(times[name]!.map((t, i) => t / (times['raw streams echo']![i] as number)));
      const ours = name.startsWith('ours');
      rows.push({
        suite: SUITE,
        figure: `pipelined burst of ${burst}`,
        contender: name,
        value: perSecond,
        unit: 'msg/s',
        ...(name === 'raw pub/sub echo' ? {} : { ratio: vsPubSub }),
        ...(ours
          ? { goal: '<= 1.2', met: vsPubSub <= 1.2, note: `time vs pub/sub; ${vsStreams.toFixed(2)}x vs raw streams` }
          : {}),
      });
    }

    // -- one big message, echoed back ------------------------------------------------------------
    for (const mb of options.quick ? [1] : [1, 10]) {
      const text = 'x'.repeat(mb * 1024 * 1024);
      const { times, ratios } = await compare(
        timedOnce(names, (name) => echoes[name]!.call(nextId++, text)),
        options.quick ? 1 : 5,
      );
      for (const name of names) {
        const vsStreams = median(times[name]!.map((t, i) => t / (times['raw streams echo']![i] as number)));
        const ours = name.startsWith('ours');
        rows.push({
          suite: SUITE,
          figure: `${mb} MB message round trip`,
          contender: name,
          value: median(times[name]!),
          unit: 'ms',
          ...(name === 'raw pub/sub echo' ? {} : { ratio: median(ratios[name]!) }),
          ...(ours
            ? {
                goal: '<= 1.2',
                met: median(ratios[name]!) <= 1.2,
                note: `vs pub/sub; ${vsStreams.toFixed(2)}x vs raw streams`,
              }
            : {}),
        });
      }
    }

    // -- leak check: this process's heap after many messages (the client end; the servers are a child) --
    const leakCount = options.quick ? 2_000 : 100_000;
    for (const name of ['raw pub/sub echo', 'ours (Redis transport)']) {
      const echo = echoes[name]!;
      const burstOf = async (n: number) => {
        const replies: Promise<unknown>[] = [];
        for (let i = 0; i < n; i++) replies.push(echo.call(nextId++));
        await Promise.all(replies);
      };
      const figure = `heap growth after ${leakCount.toLocaleString('en-US')} messages`;
      rows.push(
        await heapGrowthRow(
          { suite: SUITE, figure, contender: name, isOurs: name.startsWith('ours') },
          () => burstOf(1000),
          async () => {
            for (let done = 0; done < leakCount; done += 10_000) await burstOf(Math.min(10_000, leakCount - done));
          },
        ),
      );
    }
    for (const echo of Object.values(echoes)) await echo.close();
    await servers.stop();
    servers = undefined;

    // -- the scaled HTTP setup: 1, 2 and 3 node processes behind a round-robin proxy -----------
    rows.push(...(await scaledHttpRows(redis.url, options)));
  } finally {
    await servers?.stop();
    redis.stop();
  }
  return rows;
}
