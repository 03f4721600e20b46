/**
 * Test helpers: the bridge CLI from source (node + tsx) as a real child process, server-everything's
 * path, process liveness, a throwaway redis-server, and waiting for a condition (never a fixed sleep).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export const CLI_SOURCE: string = fileURLToPath(new URL('./cli.ts', import.meta.url));
/** Absolute path of tsx's loader, so the child needs no particular working directory. */
export const TSX_LOADER: string = require.resolve('tsx');
/** `node <this> stdio` runs the official everything server on stdio. */
export const SERVER_EVERYTHING: string = join(
  dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist/index.js',
);

/** The argv that starts the bridge from source: `node --import tsx src/cli.ts ...args`. */
export const bridgeCommand = (args: readonly string[]): { command: string; args: string[] } => ({
  command: process.execPath,
  args: ['--import', TSX_LOADER, CLI_SOURCE, ...args],
});

export interface SessionLine {
  readonly session: number;
  readonly medium: string;
  /** The upstream child's pid, for a command upstream. */
  readonly pid: number | undefined;
}

export interface RunningBridge {
  readonly child: ChildProcess;
  /** `medium → url` from the `listening` lines. */
  readonly endpoints: ReadonlyMap<string, string>;
  stderr(): string;
  /** Every `session N (medium) open: upstream …` line seen so far. */
  sessions(): SessionLine[];
  /** Whether `session N closed` was announced. */
  closed(session: number): boolean;
  /** Sends a signal (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startBridge(args: readonly string[]): Promise<RunningBridge> {
  const { command, args: argv } = bridgeCommand(args);
  const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stdout.resume();
  const endpoints = new Map<string, string>();
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      for (const match of stderr.matchAll(/^\[mcp-bridge\] listening (\S+) (\S+)$/gm))
        endpoints.set(match[1]!, match[2]!);
      if (/^\[mcp-bridge\] ready$/m.test(stderr)) resolve();
    });
    void exited.then(([code]) => reject(new Error(`the bridge exited with ${String(code)}:\n${stderr}`)));
  });
  return {
    child,
    endpoints,
    stderr: () => stderr,
    sessions: () => parseSessions(stderr),
    closed: (session) => new RegExp(`^\\[mcp-bridge\\] session ${session} closed$`, 'm').test(stderr),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = await exited;
      return code;
    },
  };
}

export function parseSessions(stderr: string): SessionLine[] {
  return [...stderr.matchAll(/^\[mcp-bridge\] session (\d+) \((\w+)\) open: upstream (?:pid (\d+))?.*$/gm)].map(
    (match) => ({
      session: Number(match[1]),
      medium: match[2]!,
      pid: match[3] === undefined ? undefined : Number(match[3]),
    }),
  );
}

/** Whether a process with this pid exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie (exited, not yet reaped) still answers kill(0); /proc says which it is.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** The command line of a live process (Linux), for checking what a pid is. */
export function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
}

/** Waits until `condition()` holds, polling; fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export const HAS_REDIS_SERVER: boolean = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
if (!HAS_REDIS_SERVER && process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') {
  throw new Error('redis-server is not installed, and CI is set: the Redis bridge test must run in CI');
}

export interface TestRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/** A redis-server on a free loopback port with persistence off (the transport-redis test pattern). */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return { url: `redis://127.0.0.1:${port}`, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
