/**
 * A real redis-server for tests: started on a free loopback port with persistence off, stopped on
 * teardown. Without the binary, tests are skipped with a message (outside CI) or fail (under CI).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const available = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
if (!available && process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') {
  throw new Error('redis-server is not installed, and CI is set: Redis tests must run in CI (.ci/run installs it)');
}
if (!available) {
  console.warn(
    '[transport-redis] redis-server not found: skipping the Redis tests. Install it (apt-get install redis-server, brew install redis) to run them.',
  );
}

/** Whether the tests can run here. */
export const hasRedis: boolean = available;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

export interface RedisServerOptions {
  port?: number;
  /** Append-only file with fsync on every write, in a temporary folder: survives a restart. */
  persistent?: boolean;
  dir?: string;
}

export class TestRedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly #persistent: boolean;
  #child: ChildProcess | undefined;

  private constructor(port: number, persistent: boolean, dir: string) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.#persistent = persistent;
    this.dir = dir;
  }

  static async start(options: RedisServerOptions = {}): Promise<TestRedisServer> {
    const port = options.port ?? (await freePort());
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mcp-redis-'));
    const server = new TestRedisServer(port, options.persistent === true, dir);
    await server.#spawn();
    return server;
  }

  async #spawn(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir];
    args.push(...(this.#persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.#child = child;
    const probe = new Redis(this.port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch (error) {
        probe.disconnect();
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`redis-server did not start on port ${this.port}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Kills the server (SIGKILL) and waits for it to be gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts it again on the same port (and, when persistent, the same data). */
  async restart(): Promise<void> {
    await this.kill();
    await this.#spawn();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
