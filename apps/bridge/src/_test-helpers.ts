/**
 * Test helpers: the bridge CLI from source (node + tsx) as a real child process, server-everything's
 * path, process liveness, a throwaway redis-server, and waiting for a condition (never a fixed sleep).
 */
import { sourceCommand, startCli, type RunningServer } from '@mcp-transports/demo-server/spawn';
import { freePort, HAS_REDIS_SERVER, startRedis, type TestRedis } from '@mcp-transports/demo-server/test-redis';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export { freePort, HAS_REDIS_SERVER, startRedis, type TestRedis };

const require = createRequire(import.meta.url);

export const CLI_SOURCE: string = fileURLToPath(new URL('./cli.ts', import.meta.url));
/** `node <this> stdio` runs the official everything server on stdio. */
export const SERVER_EVERYTHING: string = join(
  dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist/index.js',
);

/** The argv that starts the bridge from source: `node --import tsx src/cli.ts ...args`. */
export const bridgeCommand = (args: readonly string[]): { command: string; args: string[] } =>
  sourceCommand(CLI_SOURCE, args);

export interface SessionLine {
  readonly session: number;
  readonly medium: string;
  /** The upstream child's pid, for a command upstream. */
  readonly pid: number | undefined;
}

export interface RunningBridge extends RunningServer {
  /** Every `session N (medium) open: upstream …` line seen so far. */
  sessions(): SessionLine[];
  /** Whether `session N closed` was announced. */
  closed(session: number): boolean;
}

/** Starts the bridge from source and waits for `[mcp-bridge] ready` (rejects with stderr if it exits first). */
export async function startBridge(args: readonly string[]): Promise<RunningBridge> {
  const running = await startCli(bridgeCommand(args), { tag: 'mcp-bridge', name: 'the bridge', drainStdout: true });
  return {
    ...running,
    sessions: () => parseSessions(running.stderr()),
    closed: (session) => new RegExp(`^\\[mcp-bridge\\] session ${session} closed$`, 'm').test(running.stderr()),
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

if (!HAS_REDIS_SERVER && process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') {
  throw new Error('redis-server is not installed, and CI is set: the Redis bridge test must run in CI');
}
