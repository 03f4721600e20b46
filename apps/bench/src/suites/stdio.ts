/**
 * stdio: our client + server transports against a raw pipe (with and without JSON per line) and
 * the official SDK's stdio transports (v1 and v2), each talking to its own echo child, all in the
 * same run. Figures: sequential round trip p50/p99 (fresh children every round, contenders
 * interleaved one round trip at a time, measured once the children's code is warm; the first 1000
 * after spawn on a row of their own), pipelined throughput (10k and 50k in flight), one 1/10/50 MB
 * message round trip, and
 * heap growth over 100k messages (leak check).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { StdioClientTransport } from '@mcp-transports/stdio';
import { StdioClientTransport as SdkV1ClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StdioClientTransport as SdkV2ClientTransport } from '@modelcontextprotocol/client/stdio';
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

const SUITE = 'stdio';
const ECHO = fileURLToPath(new URL('./stdio-echo.ts', import.meta.url));
const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url));
const LIMIT = 128 * 1024 * 1024;

/** One echo connection: send a message, get every echoed message back through `onmessage`. */
export interface Peer {
  send(message: object): void;
  onmessage: (message: { id?: number }) => void;
  close(): Promise<void>;
}

const echoArgs = (mode: string) => ['--import', 'tsx', ECHO, mode];

/** A raw pipe client: JSON.stringify + one write per message; lines split linearly and JSON.parsed. */
function rawPeer(mode: 'raw' | 'raw-json'): Peer {
  const child = spawn(process.execPath, echoArgs(mode), { cwd: BENCH_DIR, stdio: ['pipe', 'pipe', 'inherit'] });
  const peer: Peer = {
    send: (message) => child.stdin.write(`${JSON.stringify(message)}\n`),
    onmessage: () => undefined,
    close: async () => {
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
    },
  };
  let pieces: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      pieces.push(chunk.subarray(start, nl));
      const line = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
      pieces = [];
      peer.onmessage(JSON.parse(line.toString('utf8')) as { id?: number });
      start = nl + 1;
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
  });
  return peer;
}

interface AnyTransport {
  start(): Promise<void>;
  send(m: object): Promise<void>;
  close(): Promise<void>;
  onmessage?: (m: object) => void;
}

async function transportPeer(transport: AnyTransport): Promise<Peer> {
  const peer: Peer = {
    send: (message) => void transport.send(message),
    onmessage: () => undefined,
    close: () => transport.close(),
  };
  transport.onmessage = (m) => peer.onmessage(m);
  await transport.start();
  return peer;
}

/**
 * Every contender's echo child. Closing them all (`close`) also closes a sentinel child spawned
 * before them: the first child this process spawns answers faster than identical later ones
 * (measured: two identical raw JSON echoes, interleaved round trips, the first-spawned at
 * 0.93x of the other, again and again), so no contender may be first. `rotate` shifts the order
 * the contenders are spawned in. With `control`, the baseline is spawned a second time as
 * {@link CONTROL}: its ratio to the baseline is what identical echoes differ by.
 */
export async function makePeers(
  includeSdk: boolean,
  rotate = 0,
  control = false,
): Promise<{ peers: Record<string, Peer>; close: () => Promise<void> }> {
  const sentinel = rawPeer('raw-json');
  const base = { command: process.execPath, cwd: BENCH_DIR, stderr: 'inherit' as const };
  const makers: [string, () => Peer | Promise<Peer>][] = [
    ['raw pipe + JSON', () => rawPeer('raw-json')],
    ['raw pipe (bytes)', () => rawPeer('raw')],
    [
      'ours',
      () =>
        transportPeer(
          new StdioClientTransport({ ...base, args: echoArgs('ours'), maxMessageBytes: LIMIT }) as AnyTransport,
        ),
    ],
  ];
  if (includeSdk) {
    makers.push(
      [
        'SDK v1',
        () =>
          transportPeer(
            new SdkV1ClientTransport({ ...base, args: echoArgs('sdk-v1'), maxBufferSize: LIMIT }) as AnyTransport,
          ),
      ],
      [
        'SDK v2',
        () =>
          transportPeer(
            new SdkV2ClientTransport({ ...base, args: echoArgs('sdk-v2'), maxBufferSize: LIMIT }) as AnyTransport,
          ),
      ],
    );
  }
  if (control) makers.push([CONTROL, () => rawPeer('raw-json')]);
  const spawned = new Map<string, Peer>();
  for (let k = 0; k < makers.length; k++) {
    const [name, make] = makers[(k + rotate) % makers.length] as [string, () => Peer | Promise<Peer>];
    spawned.set(name, await make());
  }
  // The contenders in their usual order (the baseline first), whatever order they were spawned in.
  const peers: Record<string, Peer> = Object.fromEntries(makers.map(([name]) => [name, spawned.get(name) as Peer]));
  // Wait until every child answers (tsx startup is not what we measure).
  for (const peer of [sentinel, ...Object.values(peers)]) {
    await roundTrip(peer, { jsonrpc: '2.0', id: -1, method: 'warm' });
  }
  return {
    peers,
    close: async () => {
      await Promise.all([sentinel, ...Object.values(peers)].map((p) => p.close()));
    },
  };
}

/** The baseline a second time, in the round-trip figures: the noise control. */
export const CONTROL = 'raw pipe + JSON, again (noise control)';

export function roundTrip(peer: Peer, message: { id: number; [key: string]: unknown }): Promise<void> {
  return new Promise((resolve) => {
    peer.onmessage = (m) => {
      if (m.id === message.id) resolve();
    };
    peer.send(message);
  });
}

/** `n` requests written at once; resolves when every echo is back. */
function burst(peer: Peer, n: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let got = 0;
    peer.onmessage = () => {
      if (++got === n) resolve();
    };
    for (let i = 0; i < n; i++) peer.send(request(i));
  });
}

export function request(id: number, params: object = { text: 'hello, world', n: id }) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params };
}

export async function stdioSuite(options: BenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const rounds = options.quick ? 2 : 7;
  const { peers, close } = await makePeers(true);
  const names = Object.keys(peers);
  const contenders = (fn: (peer: Peer) => Promise<number>, only: readonly string[] = names) =>
    Object.fromEntries(only.map((name) => [name, () => fn(peers[name] as Peer)]));
  const progress = (what: string) => process.stderr.write(`  stdio: ${what}\n`);
  const push = (figure: string, name: string, value: number, unit: string, ratio?: number, goal?: string) => {
    const met =
      goal === undefined || ratio === undefined
        ? undefined
        : goal.startsWith('>=')
          ? ratio >= Number(goal.slice(3))
          : ratio <= Number(goal.slice(3));
    rows.push({ suite: SUITE, figure, contender: name, value, unit, ratio, goal, met });
    // Long runs: show each figure as it lands, so a stopped run still tells something.
    progress(`${figure} · ${name}: ${value.toFixed(1)} ${unit}${ratio === undefined ? '' : ` (${ratio.toFixed(2)}x)`}`);
  };

  try {
    // -- sequential round trips: fresh children every round, contenders interleaved -----------------
    // Each child keeps whatever the scheduler gave it (CPU placement, wake-up path) for its life:
    // identical echoes differ by 10-40% for their whole lives and a different one is lucky in each
    // run. New children every round (spawned in a rotating order) and the median over rounds
    // take that luck out; interleaving takes out the machine's moment-to-moment noise.
    // A new child's JavaScript is still being compiled for its first few thousand messages: the
    // transport's code has more to compile than a bare echo loop, so it is slower while that lasts
    // (measured in windows of 1000 round trips from spawn, ours ÷ raw + JSON: 1.18x, 1.26x, 1.07x,
    // 1.06x, then 1.03–1.04x from the 5th on). The figures with a goal are taken after
    // `warmWindows` windows, as a server that has been running a while answers; the first window
    // after spawn is reported on its own row.
    const sequential = options.quick ? 100 : 1000;
    const warmWindows = options.quick ? 1 : 4;
    progress(
      `round trips (${sequential} × ${rounds} rounds after ${warmWindows * sequential} + ${sequential} to warm up, fresh children each round, interleaved)`,
    );
    const rtNames = [...names, CONTROL];
    const latencies: Record<string, number[][]> = Object.fromEntries(rtNames.map((n) => [n, []]));
    const cold: Record<string, number[][]> = Object.fromEntries(rtNames.map((n) => [n, []]));
    for (let round = 0; round < rounds; round++) {
      const fresh = await makePeers(true, round, true);
      try {
        const windows = await interleaved(
          Object.fromEntries(
            rtNames.map((name) => [name, (i: number) => roundTrip(fresh.peers[name] as Peer, request(i))]),
          ),
          sequential,
          warmWindows + 2,
          0,
        );
        for (const name of rtNames) {
          cold[name]!.push(windows[name]![0]!);
          latencies[name]!.push(windows[name]![warmWindows + 1]!);
        }
      } finally {
        await fresh.close();
      }
    }
    const roundTripRows = (figure: string, data: Record<string, number[][]>, p: number, goal?: string) => {
      const per = (name: string) => data[name]!.map((lat) => percentile(lat, p));
      const base = per('raw pipe + JSON');
      for (const name of rtNames) {
        push(
          figure,
          name,
          median(per(name)) * 1000,
          'µs',
          median(per(name).map((v, i) => v / (base[i] as number))),
          name === 'ours' ? goal : undefined,
        );
      }
    };
    roundTripRows('round trip p50', latencies, 50, '<= 1.15');
    roundTripRows('round trip p99', latencies, 99);
    roundTripRows(`round trip p50, first ${sequential} after spawn`, cold, 50);

    // -- pipelined --------------------------------------------------------------------------------
    for (const inFlight of options.quick ? [2_000] : [10_000, 50_000]) {
      progress(`pipelined ${inFlight}`);
      // The SDK adds one 'drain' listener per blocked send and removing each is O(listeners):
      // 50k in flight is quadratic there (minutes per round), so it runs at 10k only.
      const only = inFlight > 10_000 ? names.filter((n) => !n.startsWith('SDK')) : names;
      const result = await compare(
        contenders(async (peer) => {
          const start = performance.now();
          await new Promise<void>((resolve) => {
            let got = 0;
            peer.onmessage = () => {
              if (++got === inFlight) resolve();
            };
            for (let i = 0; i < inFlight; i++) peer.send(request(i));
          });
          return performance.now() - start;
        }, only),
        rounds,
      );
      for (const name of only) {
        // Throughput ratio: baseline time / contender time.
        const ratio = 1 / median(result.ratios[name]!);
        push(
          `pipelined ${inFlight / 1000}k in flight`,
          name,
          (inFlight / median(result.times[name]!)) * 1000,
          'msg/s',
          ratio,
          name === 'ours' ? '>= 0.9' : undefined,
        );
      }
    }

    // -- one big message ---------------------------------------------------------------------------
    for (const mb of options.quick ? [1] : [1, 10, 50]) {
      progress(`${mb} MB message`);
      const message = request(1_000_000 + mb, { text: 'x'.repeat(mb * 1024 * 1024) });
      // At 50 MB the SDK v1's quadratic ReadBuffer takes a minute or more per round: no warm-up.
      const big = mb >= 50;
      const result = await compare(
        timedOnce(names, (name) => roundTrip(peers[name] as Peer, message)),
        options.quick ? 1 : big ? 2 : 5,
        big ? 0 : 1,
      );
      for (const name of names) {
        push(
          `${mb} MB message round trip`,
          name,
          median(result.times[name]!),
          'ms',
          median(result.ratios[name]!),
          name === 'ours' ? '<= 1.2' : undefined,
        );
      }
    }

    // -- leak check: this process's heap after many messages (the client end; the echo is a child) --
    const leakCount = options.quick ? 2_000 : 100_000;
    for (const name of ['raw pipe + JSON', 'ours']) {
      const peer = peers[name] as Peer;
      const figure = `heap growth after ${leakCount.toLocaleString('en-US')} messages`;
      rows.push(
        await heapGrowthRow(
          { suite: SUITE, figure, contender: name, isOurs: name === 'ours' },
          () => burst(peer, 1000),
          async () => {
            for (let done = 0; done < leakCount; done += 10_000) await burst(peer, Math.min(10_000, leakCount - done));
          },
        ),
      );
    }
  } finally {
    await close();
  }
  return rows;
}
