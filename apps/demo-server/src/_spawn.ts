/** Runs the demo server CLI from source (node + tsx) as a real child process: for tests and dev scripts (`@mcp-transports/demo-server/spawn`). */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const CLI_SOURCE: string = fileURLToPath(new URL('./cli.ts', import.meta.url));
/** Absolute path of tsx's loader, so the child needs no particular working directory. */
export const TSX_LOADER: string = createRequire(import.meta.url).resolve('tsx');

/** The argv that starts the CLI from source: `node --import tsx src/cli.ts ...args`. */
export const cliCommand = (args: readonly string[]): { command: string; args: string[] } => ({
  command: process.execPath,
  args: ['--import', TSX_LOADER, CLI_SOURCE, ...args],
});

export interface RunningServer {
  readonly child: ChildProcess;
  /** `medium → url` from the `listening` lines. */
  readonly endpoints: ReadonlyMap<string, string>;
  stderr(): string;
  /** Sends a signal (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the CLI and waits for `[demo-server] ready` (rejects with stderr if it exits first). */
export async function startServer(args: readonly string[]): Promise<RunningServer> {
  const { command, args: argv } = cliCommand(args);
  const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const endpoints = new Map<string, string>();
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      for (const match of stderr.matchAll(/^\[demo-server\] listening (\S+) (\S+)$/gm))
        endpoints.set(match[1]!, match[2]!);
      if (/^\[demo-server\] ready$/m.test(stderr)) resolve();
    });
    void exited.then(([code]) => reject(new Error(`demo server exited with ${String(code)}:\n${stderr}`)));
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
