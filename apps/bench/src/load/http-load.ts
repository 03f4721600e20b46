/**
 * Load generator for the HTTP suites, run in its own process (so the server under test has the
 * bench process to itself): keep-alive `node:http` agent, N requests in flight, each body's
 * `__ID__` replaced by a fresh integer (request ids stay unique within a session, JR-6).
 *
 * Protocol (IPC): receives `{ url, headers, body, count, concurrency, sessions? }` (`sessions`:
 * header sets spread over the in-flight slots, one per session, else `headers` for all), answers
 * `{ elapsedMs, p50, p99, errors, errorKinds }`.
 */
import { Agent, request } from 'node:http';
import type { LoadResult } from '../mcp-http.js';

interface Job {
  url: string;
  headers: Record<string, string>;
  body: string;
  count: number;
  concurrency: number;
  sessions?: Record<string, string>[];
}

let nextId = 1;

async function run(job: Job): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const url = new URL(job.url);
  const latencies: number[] = [];
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  const failed = (kind: string) => {
    errors++;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  let issued = 0;
  const one = (headers: Record<string, string>) =>
    new Promise<void>((resolve) => {
      const body = job.body.replace('__ID__', String(nextId++));
      const started = performance.now();
      const req = request(
        url,
        { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            if (res.statusCode !== 200) failed(String(res.statusCode));
            latencies.push(performance.now() - started);
            resolve();
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        failed(error.code ?? error.message);
        resolve();
      });
      req.end(body);
    });
  const worker = async (slot: number) => {
    const headers = job.sessions?.[slot % job.sessions.length] ?? job.headers;
    while (issued < job.count) {
      issued++;
      await one(headers);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: job.concurrency }, (_, slot) => worker(slot)));
  const elapsedMs = performance.now() - start;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { elapsedMs, p50: at(0.5), p99: at(0.99), errors, errorKinds };
}

process.on('message', (job: Job) => {
  void run(job).then((result) => process.send?.(result));
});
