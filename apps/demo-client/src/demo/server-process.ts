/** Runs the demo server CLI from source (node + tsx) for the demo, and stops it for sure. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const TSX_LOADER = require.resolve('tsx');
const SERVER_CLI = join(dirname(require.resolve('@mcp-transports/demo-server/package.json')), 'src/cli.ts');

/** The command that starts the demo server from source with the given flags. */
export const serverCommand = (args: readonly string[]): { command: string; args: string[] } => ({
  command: process.execPath,
  args: ['--import', TSX_LOADER, SERVER_CLI, ...args],
});

export interface ServerProcess {
  readonly child: ChildProcess;
  /** `medium → url` as announced by the server. */
  readonly endpoints: ReadonlyMap<string, string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export async function startServerProcess(args: readonly string[]): Promise<ServerProcess> {
  const { command, args: argv } = serverCommand(args);
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = once(child, 'exit');
  let stderr = '';
  const endpoints = new Map<string, string>();
  const stop = async (graceMs = 3000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        for (const match of stderr.matchAll(/^\[demo-server\] listening (\S+) (\S+)$/gm))
          endpoints.set(match[1]!, match[2]!);
        if (/^\[demo-server\] ready$/m.test(stderr)) resolve();
      });
      child.once('error', reject);
      void exited.then(() => reject(new Error(`the demo server exited early:\n${stderr}`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { child, endpoints, stop };
}
