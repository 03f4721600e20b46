/**
 * Runs a CLI from source (node + tsx) as a real child process: the demo server's for tests and dev
 * scripts (`@mcp-transports/demo-server/spawn`), and any CLI that announces itself the same way
 * (`[tag] listening <medium> <url>`, then `[tag] ready`), such as mcp-bridge.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const CLI_SOURCE: string = fileURLToPath(new URL('./cli.ts', import.meta.url));
/** Absolute path of tsx's loader, so the child needs no particular working directory. */
export const TSX_LOADER: string = createRequire(import.meta.url).resolve('tsx');

/** The argv that runs a TypeScript entry point from source: `node --import tsx <source> ...args`. */
export const sourceCommand = (source: string, args: readonly string[]): { command: string; args: string[] } => ({
  command: process.execPath,
  args: ['--import', TSX_LOADER, source, ...args],
});

/** The argv that starts the CLI from source: `node --import tsx src/cli.ts ...args`. */
export const cliCommand = (args: readonly string[]): { command: string; args: string[] } =>
  sourceCommand(CLI_SOURCE, args);

export interface RunningServer {
  readonly child: ChildProcess;
  /** `medium → url` from the `listening` lines. */
  readonly endpoints: ReadonlyMap<string, string>;
  stderr(): string;
  /** Sends a signal (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartCliOptions {
  /** The stderr prefix without brackets, e.g. `demo-server` for `[demo-server] ready`. */
  readonly tag: string;
  /** What the error calls the process when it exits before `ready`. */
  readonly name: string;
  /** Read and drop stdout, for a child whose stdout nobody reads (default false). */
  readonly drainStdout?: boolean;
}

/** Starts `command` and waits for `[tag] ready` on its stderr (rejects with stderr if it exits first). */
export async function startCli(
  command: { command: string; args: readonly string[] },
  options: StartCliOptions,
): Promise<RunningServer> {
  const child = spawn(command.command, command.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  if (options.drainStdout === true) child.stdout.resume();
  const listening = new RegExp(`^\\[${options.tag}\\] listening (\\S+) (\\S+)$`, 'gm');
  const ready = new RegExp(`^\\[${options.tag}\\] ready$`, 'm');
  const endpoints = new Map<string, string>();
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      for (const match of stderr.matchAll(listening)) endpoints.set(match[1]!, match[2]!);
      if (ready.test(stderr)) resolve();
    });
    void exited.then(([code]) => reject(new Error(`${options.name} exited with ${String(code)}:\n${stderr}`)));
  });
  return {
    child,
    endpoints,
    stderr: () => stderr,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = await exited;
      return code;
    },
  };
}

/** Starts the demo server CLI and waits for `[demo-server] ready` (rejects with stderr if it exits first). */
export const startServer = (args: readonly string[]): Promise<RunningServer> =>
  startCli(cliCommand(args), { tag: 'demo-server', name: 'demo server' });
