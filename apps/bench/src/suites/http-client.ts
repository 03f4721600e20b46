/**
 * HTTP client: JSON-RPC round trips to one raw node:http JSON echo server running in a separate
 * process, for a raw `node:http` `http.request` on a keep-alive Agent (the baseline the goal is
 * measured against, as issue 5 names it), a raw undici keep-alive `request()` (the second floor,
 * shown beside it), our StreamableHTTPClientTransport, and the official SDK's v1 and v2 client
 * transports — sequential (interleaved one request at a time) and 10 in flight, then one
 * 1/10/50 MB message each way, same run; and the heap of this process after 100k requests
 * through ours and the raw client (leak check).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { once, setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { JSONRPCMessage } from '@mcp-transports/core';
import { StreamableHTTPClientTransport } from '@mcp-transports/sse/client';
import { StreamableHTTPClientTransport as SdkV2Transport } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport as SdkV1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Agent, request } from 'undici';
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

const SUITE = 'http-client';

// The peer: answers every POSTed request with a small JSON-RPC result (echoing
// params.arguments.text when there is one), notifications with 202.
const ECHO_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (message.id === undefined) { res.writeHead(202).end(); return; }
    const body = JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: message.params?.arguments?.text ?? 'ok' }] } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

export async function startEcho(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', ECHO_SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [port] = (await once(lines, 'line')) as [string];
  lines.close();
  return { url: `http://127.0.0.1:${port.trim()}/mcp`, child };
}

export interface Contender {
  /** One request/response round trip (`text`: a payload the echo sends back). */
  roundTrip: (id: number, text?: string) => Promise<void>;
  close: () => Promise<void>;
}

const params = (text: string | undefined) =>
  text === undefined ? { name: 'echo' } : { name: 'echo', arguments: { text } };

export function rawUndici(url: string): Contender {
  const dispatcher = new Agent({ keepAliveTimeout: 60_000 });
  return {
    roundTrip: async (id, text) => {
      const response = await request(url, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: params(text) }),
      });
      const message = (await response.body.json()) as { id: number };
      if (message.id !== id) throw new Error('raw: wrong id');
    },
    close: () => dispatcher.close(),
  };
}

/**
 * Raw `node:http`: `http.request` on a keep-alive Agent, the body collected and JSON.parse'd. With
 * `json: false`, no JSON work in the client at all: the request body is a string template and the
 * response is taken as bytes (the medium's own cost).
 */
export function rawHttp(url: string, json = true): Contender {
  // Enough sockets for 10 in flight, all kept open between requests.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16, maxFreeSockets: 16 });
  return {
    roundTrip: (id, text) =>
      new Promise<void>((resolve, reject) => {
        const body = json
          ? JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: params(text) })
          : // The bench's texts are runs of "x": nothing to escape.
            `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo"${text === undefined ? '' : `,"arguments":{"text":"${text}"}`}}}`;
        const req = http.request(
          url,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              if (!json) {
                if (res.statusCode === 200) resolve();
                else reject(new Error(`raw http.request: status ${res.statusCode}`));
                return;
              }
              try {
                const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number };
                if (message.id !== id) throw new Error('raw http.request: wrong id');
                resolve();
              } catch (error) {
                reject(error instanceof Error ? error : new Error(String(error)));
              }
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: async () => agent.destroy(),
  };
}

/** Any Transport: send a request, resolve when its response arrives through onmessage. */
export async function viaTransport(transport: {
  start(): Promise<void>;
  send(message: JSONRPCMessage): Promise<void>;
  close(): Promise<void>;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
}): Promise<Contender> {
  const waiting = new Map<number, () => void>();
  transport.onmessage = (message) => {
    const id = (message as { id?: number }).id;
    if (id === undefined) return;
    waiting.get(id)?.();
    waiting.delete(id);
  };
  await transport.start();
  return {
    roundTrip: (id, text) =>
      new Promise<void>((resolve, reject) => {
        waiting.set(id, resolve);
        transport
          .send({ jsonrpc: '2.0', id, method: 'tools/call', params: params(text) })
          .catch((error: unknown) => reject(error as Error));
      }),
    close: () => transport.close(),
  };
}

/**
 * The SDK's transports pass one AbortSignal to every fetch(); Node's fetch adds an abort listener
 * per request that goes only when the request is garbage-collected, so thousands pile up and Node
 * prints a MaxListenersExceededWarning per request past 1500, flooding the report. The listeners
 * (the SDK's real cost) stay; only the warning is turned off, once `start()` made the controller.
 */
export function quiet<T extends { start(): Promise<void> }>(transport: T): T {
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    const controller = (transport as unknown as { _abortController?: AbortController })._abortController;
    if (controller !== undefined) setMaxListeners(0, controller.signal);
  };
  return transport;
}

export async function httpClientSuite(options: BenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const { url, child } = await startEcho();
  // The first contender is every ratio's baseline: raw `http.request` keep-alive, as the goal reads.
  const contenders: Record<string, Contender> = {
    'raw http.request keep-alive': rawHttp(url),
    'raw http.request (no JSON)': rawHttp(url, false),
    'raw undici': rawUndici(url),
    ours: await viaTransport(new StreamableHTTPClientTransport(url, { maxMessageBytes: 128 * 1024 * 1024 })),
    'SDK v1': await viaTransport(quiet(new SdkV1Transport(new URL(url)))),
    'SDK v2': await viaTransport(quiet(new SdkV2Transport(new URL(url)))),
  };
  const names = Object.keys(contenders);
  const requests = options.quick ? 100 : 2_000;
  const rounds = options.quick ? 3 : 7;
  let nextId = 1;
  try {
    for (const inFlight of [1, 10]) {
      // Per contender, one array of round-trip latencies per recorded round. Sequential round trips
      // are interleaved across contenders one at a time (the same machine for all of them from
      // moment to moment); 10 in flight run as a block per contender, the first round a warm-up.
      let latencies: Record<string, number[][]>;
      let times: Record<string, number[]>;
      if (inFlight === 1) {
        latencies = await interleaved(
          Object.fromEntries(names.map((n) => [n, () => contenders[n]!.roundTrip(nextId++)])),
          requests,
          rounds,
        );
        times = Object.fromEntries(
          names.map((n) => [n, latencies[n]!.map((lat) => lat.reduce((sum, ms) => sum + ms, 0))]),
        );
      } else {
        latencies = Object.fromEntries(names.map((n) => [n, []]));
        const run = (name: string) => async () => {
          const contender = contenders[name]!;
          const lat: number[] = [];
          latencies[name]!.push(lat);
          const start = performance.now();
          let issued = 0;
          const worker = async () => {
            while (issued < requests) {
              issued++;
              const t0 = performance.now();
              await contender.roundTrip(nextId++);
              lat.push(performance.now() - t0);
            }
          };
          await Promise.all(Array.from({ length: inFlight }, worker));
          return performance.now() - start;
        };
        ({ times } = await compare(Object.fromEntries(names.map((n) => [n, run(n)])), rounds));
        for (const name of names) latencies[name] = latencies[name]!.slice(1);
      }
      const figure = inFlight === 1 ? 'round trips, sequential' : `round trips, ${inFlight} in flight`;
      for (const name of names) {
        const perSecond = (requests / median(times[name]!)) * 1000;
        const ratios = times[name]!.map((t, i) => times[names[0]!]![i]! / t);
        const ratio = name === names[0] ? undefined : median(ratios);
        rows.push({
          suite: SUITE,
          figure,
          contender: name,
          value: perSecond,
          unit: 'req/s',
          ratio,
          ...(name === 'ours' && ratio !== undefined ? { goal: '>= 0.9', met: ratio >= 0.9 } : {}),
        });
      }
      for (const p of [50, 99]) {
        const per = (name: string) => latencies[name]!.map((lat) => percentile(lat, p));
        const base = per(names[0]!);
        for (const name of names) {
          rows.push({
            suite: SUITE,
            figure: `round trip p${p}, ${inFlight === 1 ? 'sequential' : `${inFlight} in flight`}`,
            contender: name,
            value: median(per(name)),
            unit: 'ms',
            ...(name === names[0] ? {} : { ratio: median(per(name).map((v, i) => v / (base[i] as number))) }),
          });
        }
      }
    }

    // -- one big message each way (the echo sends the text back) ---------------------------------
    for (const mb of options.quick ? [1] : [1, 10, 50]) {
      const text = 'x'.repeat(mb * 1024 * 1024);
      const big = mb >= 10;
      const { times, ratios } = await compare(
        timedOnce(names, (name) => contenders[name]!.roundTrip(nextId++, text)),
        options.quick ? 1 : big ? 2 : 5,
        options.quick || big ? 0 : 1,
      );
      for (const name of names) {
        const ratio = name === names[0] ? undefined : median(ratios[name]!);
        rows.push({
          suite: SUITE,
          figure: `${mb} MB message round trip`,
          contender: name,
          value: median(times[name]!),
          unit: 'ms',
          ratio,
          ...(name === 'ours' && ratio !== undefined ? { goal: '<= 1.2', met: ratio <= 1.2 } : {}),
        });
      }
    }

    // -- leak check: this process's heap after many requests, 10 in flight ------------------------
    const leakCount = options.quick ? 2_000 : 100_000;
    for (const name of [names[0]!, 'ours']) {
      const contender = contenders[name]!;
      const burst = async (n: number) => {
        let issued = 0;
        const worker = async () => {
          while (issued++ < n) await contender.roundTrip(nextId++);
        };
        await Promise.all(Array.from({ length: 10 }, worker));
      };
      const figure = `heap growth after ${leakCount.toLocaleString('en-US')} requests`;
      rows.push(
        await heapGrowthRow(
          { suite: SUITE, figure, contender: name, isOurs: name === 'ours' },
          () => burst(1_000),
          () => burst(leakCount),
        ),
      );
    }
  } finally {
    for (const contender of Object.values(contenders)) await contender.close();
    child.stdin?.end();
    if (child.exitCode === null) await once(child, 'exit');
  }
  return rows;
}
