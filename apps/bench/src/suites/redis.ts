/**
 * Redis: our transport against the same echo written directly on the medium with the same client
 * (ioredis), in the same run — a raw pub/sub JSON echo and a raw Streams XADD/XREAD echo. The
 * official SDK has no Redis transport, so there is no SDK contender.
 *
 * Figures: round trip p50/p99 (one request at a time), pipelined throughput (a burst of
 * requests in flight at once), one 1 MB and one 10 MB message round trip (echoed back), and our
 * transport's heap growth after 100,000 messages (leak check). A private redis-server is started
 * on a free port.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { JSONRPCMessage } from '@mcp-transports/core';
import { RedisClientTransport, RedisServerListener } from '@mcp-transports/redis';
import { Redis } from 'ioredis';
import { compare, heapGrowthRow, median, percentile, type BenchOptions, type Row } from '../harness.js';
import { scaledHttpRows } from './redis-http.js';

const SUITE = 'redis';

interface Echo {
  /** Sends one request (carrying `text`) and resolves with its reply (which echoes `text`). */
  call(id: number, text?: string): Promise<unknown>;
  close(): Promise<void>;
}

const HELLO = 'hello from the bench';
const requestOf = (id: number, text = HELLO): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text } },
});
const replyTo = (id: number | string, text = HELLO): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  result: { content: [{ type: 'text', text }] },
});
/** The text a request carries (what the echo sends back). */
const textOf = (message: unknown): string =>
  (message as { params: { arguments: { text: string } } }).params.arguments.text;

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

async function pubSubEcho(url: string): Promise<Echo> {
  const [clientPub, clientSub, serverPub, serverSub] = [1, 2, 3, 4].map(() => new Redis(url));
  const pending = new Pending();
  await serverSub!.subscribe('bench:req');
  serverSub!.on('message', (_channel: string, text: string) => {
    const m = JSON.parse(text) as { id: number };
    void serverPub!.publish('bench:res', JSON.stringify(replyTo(m.id, textOf(m))));
  });
  await clientSub!.subscribe('bench:res');
  clientSub!.on('message', (_channel: string, text: string) => {
    const m = JSON.parse(text) as { id: number };
    pending.settle(m.id, m);
  });
  return {
    call(id, text) {
      const reply = pending.wait(id);
      void clientPub!.publish('bench:req', JSON.stringify(requestOf(id, text)));
      return reply;
    },
    async close() {
      for (const c of [clientPub, clientSub, serverPub, serverSub]) c!.disconnect();
    },
  };
}

async function streamsEcho(url: string): Promise<Echo> {
  const [clientCmd, clientRead, serverCmd, serverRead] = [1, 2, 3, 4].map(() => new Redis(url));
  const pending = new Pending();
  let open = true;
  const loop = async (read: Redis, key: string, handle: (text: string) => void) => {
    let last = '$';
    while (open) {
      let result: [string, [string, string[]][]][] | null;
      try {
        result = await read.xread('COUNT', 64, 'BLOCK', 0, 'STREAMS', key, last);
      } catch {
        // disconnect() on close ends the blocked read.
        return;
      }
      for (const [, entries] of result ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          handle(fields[1]!);
        }
      }
    }
  };
  void loop(serverRead!, 'bench:raw:c2s', (text) => {
    const m = JSON.parse(text) as { id: number };
    void serverCmd!.xadd('bench:raw:s2c', '*', 'm', JSON.stringify(replyTo(m.id, textOf(m))));
  });
  void loop(clientRead!, 'bench:raw:s2c', (text) => {
    const m = JSON.parse(text) as { id: number };
    pending.settle(m.id, m);
  });
  // Let both XREADs reach the server before anything is written ('$' means "after now").
  await clientCmd!.ping();
  await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    call(id, text) {
      const reply = pending.wait(id);
      void clientCmd!.xadd('bench:raw:c2s', '*', 'm', JSON.stringify(requestOf(id, text)));
      return reply;
    },
    async close() {
      open = false;
      for (const c of [clientCmd, clientRead, serverCmd, serverRead]) c!.disconnect();
      const admin = new Redis(url);
      await admin.del('bench:raw:c2s', 'bench:raw:s2c');
      admin.disconnect();
    },
  };
}

async function oursEcho(url: string): Promise<Echo> {
  const endpoint = 'bench';
  const listener = new RedisServerListener({ redis: url, endpoint });
  listener.onconnection = (transport) => {
    transport.onmessage = (message) => {
      if ('id' in message && 'method' in message) void transport.send(replyTo(message.id, textOf(message)));
    };
    void transport.start();
  };
  await listener.listen();
  const client = new RedisClientTransport({ redis: url, endpoint });
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
    async close() {
      await client.close();
      await listener.close();
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
  try {
    const echoes: Record<string, Echo> = {
      'raw pub/sub echo': await pubSubEcho(redis.url),
      'raw streams echo': await streamsEcho(redis.url),
      'ours (Redis transport)': await oursEcho(redis.url),
    };
    const names = Object.keys(echoes);
    const rounds = options.quick ? 3 : 9;
    let nextId = 1;

    // -- round trip, one request at a time -------------------------------------------------
    const sequential = options.quick ? 100 : 1000;
    const p99: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const { times: p50 } = await compare(
      Object.fromEntries(
        names.map((name) => [
          name,
          async () => {
            const echo = echoes[name]!;
            const samples: number[] = [];
            for (let i = 0; i < sequential; i++) {
              const start = performance.now();
              await echo.call(nextId++);
              samples.push(performance.now() - start);
            }
            p99[name]!.push(percentile(samples, 99));
            return percentile(samples, 50);
          },
        ]),
      ),
      rounds,
    );
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
        Object.fromEntries(
          names.map((name) => [
            name,
            async () => {
              const start = performance.now();
              await echoes[name]!.call(nextId++, text);
              return performance.now() - start;
            },
          ]),
        ),
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

    // -- leak check: this process's heap after many messages through each echo (both ends here) --
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

    // -- the scaled HTTP setup: 1, 2 and 3 node processes behind a round-robin proxy -----------
    rows.push(...(await scaledHttpRows(redis.url, options)));
  } finally {
    redis.stop();
  }
  return rows;
}
