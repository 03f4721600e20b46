/**
 * The parts of a CLI's run that mcp-demo-server and mcp-bridge share: reading the arguments (usage
 * errors and `--help`), announcing the endpoints, and waiting for a signal.
 */
import { UsageError } from './args.js';
import type { Endpoint } from './transports/types.js';

export interface CliStderr {
  write(text: string): unknown;
}

/**
 * Runs `parse`. On a {@link UsageError} logs it, prints the usage and returns exit status 2; on
 * `--help` prints the usage and returns 0; otherwise returns the arguments. Other errors propagate.
 */
export function parseOrUsage<A extends { readonly help: boolean }>(
  parse: () => A,
  usage: string,
  stderr: CliStderr,
  log: (line: string) => void,
): A | number {
  let args: A;
  try {
    args = parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    log(error.message);
    stderr.write(`\n${usage}\n`);
    return 2;
  }
  if (args.help) {
    stderr.write(`${usage}\n`);
    return 0;
  }
  return args;
}

/** Logs `listening <medium> <url>` for every endpoint, then `ready`. */
export function announceReady(
  served: readonly { readonly endpoints: readonly Endpoint[] }[],
  log: (line: string) => void,
): void {
  for (const { endpoints } of served) for (const { medium, url } of endpoints) log(`listening ${medium} ${url}`);
  log('ready');
}

/**
 * Resolves with `SIGINT`/`SIGTERM` when one arrives, or with what the first of `others` resolves
 * with; the signal handlers are removed either way.
 */
export async function untilSignal(others: readonly Promise<string>[]): Promise<string> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  let onSignal!: (signal: string) => void;
  const signalled = new Promise<string>((resolve) => (onSignal = resolve));
  for (const signal of signals) process.once(signal, onSignal);
  try {
    return await Promise.race([signalled, ...others]);
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
}
