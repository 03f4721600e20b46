/**
 * The scaled HTTP setup for tests and the bench: node processes (`http-node.ts`) sharing one
 * Redis, and a round-robin HTTP proxy on loopback in front of them — no sticky sessions, the next
 * live node for every request, a node that refuses connections is skipped (a load balancer's
 * health check), and a node that dies mid-response cuts that response.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, request, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';

const NODE = fileURLToPath(new URL('./http-node.ts', import.meta.url));

export interface HttpNode {
  readonly child: ChildProcess;
  readonly port: number;
  readonly nodeId: string;
  readonly stderr: string[];
  kill(): Promise<void>;
}

export async function startNode(redisUrl: string, env: Record<string, string> = {}): Promise<HttpNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', NODE], {
    env: { ...process.env, REDIS_URL: redisUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /ready \d+ \S+/.exec(out);
      if (match !== null) resolve(match[0]);
    });
    child.once('exit', (code) => reject(new Error(`node exited (${code}) before ready: ${stderr.join('')}`)));
  });
  const [, port, nodeId] = line.split(' ');
  return {
    child,
    port: Number(port),
    nodeId: nodeId as string,
    stderr,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Routed {
  readonly method: string;
  readonly node: number;
}

export interface RoundRobinProxy {
  readonly url: URL;
  /** Every request forwarded: its method and the index of the node that got it. */
  readonly log: Routed[];
  close(): Promise<void>;
}

export async function startProxy(ports: readonly number[]): Promise<RoundRobinProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const dead = new Set<number>();
  const log: Routed[] = [];
  let next = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const attempt = (tries: number): void => {
        const alive = ports.map((_, i) => i).filter((i) => !dead.has(i));
        if (alive.length === 0 || tries > ports.length) {
          res.writeHead(502).end();
          return;
        }
        const node = alive[next++ % alive.length] as number;
        const upstream = request(
          { host: '127.0.0.1', port: ports[node], method: req.method, path: req.url, headers: req.headers, agent },
          (answer) => {
            log.push({ method: req.method ?? 'GET', node });
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            // The node died mid-response: cut the client's response too, as a balancer does.
            answer.on('aborted', () => res.destroy());
            answer.on('error', () => res.destroy());
          },
        );
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          if (res.headersSent) {
            res.destroy();
            return;
          }
          if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') dead.add(node);
          attempt(tries + 1);
        });
        res.on('close', () => {
          if (!res.writableFinished) upstream.destroy();
        });
        upstream.end(body);
      };
      attempt(0);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    log,
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
