/**
 * The scaled HTTP setup (part of the redis suite): sessionful Streamable HTTP node processes with
 * `RedisSessionRouter`, behind a round-robin proxy (no sticky sessions), load from a separate
 * process over several sessions — requests/s with 1, 2 and 3 nodes. With N nodes, (N-1)/N of the
 * requests land on a node that does not hold their session and are forwarded through Redis.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { compare, median, type BenchOptions, type Row } from '../harness.js';
import { describeErrors, initializeSession, MCP_HEADERS, PING, type LoadResult } from '../mcp-http.js';

const SUITE = 'redis';
const CONCURRENCY = 32;
const SESSIONS = 8;

async function startNode(redisUrl: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../load/redis-http-node.ts', import.meta.url))],
    {
      env: { ...process.env, REDIS_URL: redisUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /ready (\d+)/.exec(out);
      if (match !== null) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`bench node exited (${code}) before ready`)));
  });
  return { port, child };
}

/** A round-robin HTTP proxy: every request to the next node, no stickiness. */
async function startProxy(ports: readonly number[]): Promise<{ url: string; close: () => Promise<void> }> {
  // Idle sockets go after 4 s, before the nodes' keep-alive timeout (Node's default, 5 s) closes
  // them: reusing a socket the node is closing at that moment fails the request (ECONNRESET), an
  // artifact of this proxy that a real balancer avoids the same way.
  const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 });
  let next = 0;
  const server: Server = createServer((req, res) => {
    const port = ports[next++ % ports.length];
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    close: async () => {
      server.closeAllConnections();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Requests/s of the scaled setup with 1, 2 and 3 nodes, measured side by side. */
export async function scaledHttpRows(redisUrl: string, options: BenchOptions): Promise<Row[]> {
  const count = Number(process.env.BENCH_HTTP_REQUESTS) || (options.quick ? 300 : 5000);
  const rounds = options.quick ? 1 : 5;
  const nodes = await Promise.all([0, 1, 2].map(() => startNode(redisUrl)));
  const load = fork(fileURLToPath(new URL('../load/http-load.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const proxies: { url: string; close: () => Promise<void> }[] = [];
  try {
    const setups: Record<string, { url: string; sessions: Record<string, string>[] }> = {};
    for (const n of [1, 2, 3]) {
      const proxy = await startProxy(nodes.slice(0, n).map((node) => node.port));
      proxies.push(proxy);
      const sessions: Record<string, string>[] = [];
      for (let i = 0; i < SESSIONS; i++) sessions.push(await initializeSession(proxy.url));
      setups[`${n} node${n === 1 ? '' : 's'}`] = { url: proxy.url, sessions };
    }
    const latency: Record<
      string,
      { p50: number[]; p99: number[]; errors: number; errorKinds: Record<string, number> }
    > = {};
    const contenders: Record<string, () => Promise<number>> = {};
    for (const [name, setup] of Object.entries(setups)) {
      latency[name] = { p50: [], p99: [], errors: 0, errorKinds: {} };
      contenders[name] = async () => {
        const answer = once(load, 'message') as Promise<[LoadResult]>;
        load.send({
          url: setup.url,
          headers: MCP_HEADERS,
          sessions: setup.sessions,
          body: PING,
          count,
          concurrency: CONCURRENCY,
        });
        const [result] = await answer;
        latency[name]!.p50.push(result.p50);
        latency[name]!.p99.push(result.p99);
        latency[name]!.errors += result.errors;
        for (const [kind, n] of Object.entries(result.errorKinds)) {
          latency[name]!.errorKinds[kind] = (latency[name]!.errorKinds[kind] ?? 0) + n;
        }
        return result.elapsedMs;
      };
    }
    const { times, ratios } = await compare(contenders, rounds, options.quick ? 0 : 1);
    // The same figures as points of a curve (`pnpm bench:curves`: requests/s vs number of nodes).
    const curve: Row[] = Object.keys(setups).map((name, i) => ({
      suite: SUITE,
      figure: 'scaled HTTP req/s vs nodes',
      contender: `ours (RedisSessionRouter, round-robin, ${SESSIONS} sessions, ${CONCURRENCY} in flight)`,
      value: (count / median(times[name]!)) * 1000,
      unit: 'req/s',
      x: i + 1,
    }));
    const table = Object.keys(setups).map((name): Row => {
      const l = latency[name]!;
      return {
        suite: SUITE,
        figure: `scaled HTTP (round-robin, ${SESSIONS} sessions, ${CONCURRENCY} in flight) req/s`,
        contender: name,
        value: (count / median(times[name]!)) * 1000,
        unit: 'req/s',
        ...(name === '1 node' ? {} : { ratio: 1 / median(ratios[name]!) }),
        note: `p50 ${median(l.p50).toFixed(2)} ms, p99 ${median(l.p99).toFixed(2)} ms${l.errors > 0 ? `, ${describeErrors(l.errors, l.errorKinds)}` : ''}; ratio vs 1 node`,
      };
    });
    return [...table, ...curve];
  } finally {
    load.kill();
    for (const proxy of proxies) await proxy.close();
    for (const node of nodes) {
      const exited = once(node.child, 'exit');
      node.child.kill('SIGTERM');
      await exited;
    }
  }
}
