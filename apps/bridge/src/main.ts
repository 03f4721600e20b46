/**
 * The bridge CLI as a function (the bin in cli.ts only adds `process.exit`), so its error paths can
 * be tested in-process.
 */
import { parseBridgeArgs, USAGE, UsageError, type BridgeArgs } from './args.js';
import { serveHttp, serveRedis, serveStdio, serveWs, type Downstream } from './downstream.js';
import type { Relay } from './relay.js';
import { Sessions } from './sessions.js';
import { upstreamFactory } from './upstream.js';

export interface BridgeCliOptions {
  /** Where announcements and errors go (default `process.stderr`; stdout belongs to the stdio wire). */
  stderr?: { write(text: string): unknown };
}

/** Runs `mcp-bridge`; resolves with the exit status once every session and upstream is closed. */
export async function runBridgeCli(argv: readonly string[], options: BridgeCliOptions = {}): Promise<number> {
  const stderr = options.stderr ?? process.stderr;
  const log = (line: string): void => void stderr.write(`[mcp-bridge] ${line}\n`);
  let args: BridgeArgs;
  try {
    args = parseBridgeArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    log(error.message);
    stderr.write(`\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    stderr.write(`${USAGE}\n`);
    return 0;
  }

  const sessions = new Sessions(
    upstreamFactory(args.upstream, {
      env: args.env,
      headers: args.headers,
      ...(args.cwd !== undefined && { cwd: args.cwd }),
    }),
    log,
  );
  const served: Downstream[] = [];
  const closeAll = async (): Promise<void> => {
    // Listeners first (no new sessions; each closes its own), then whatever is still open.
    await Promise.allSettled(served.map((medium) => medium.close()));
    await sessions.close();
  };
  let stdio: Relay | undefined;
  try {
    if (args.http) served.push(await serveHttp(sessions, args.http, log));
    if (args.ws) served.push(await serveWs(sessions, args.ws, log));
    if (args.redis) served.push(await serveRedis(sessions, args.redis, log));
    if (args.stdio) {
      const medium = serveStdio(sessions);
      served.push(medium);
      stdio = medium.relay;
    }
  } catch (error) {
    await closeAll();
    log(error instanceof Error ? error.message : String(error));
    return 1;
  }
  for (const { endpoints } of served) for (const { medium, url } of endpoints) log(`listening ${medium} ${url}`);
  log('ready');

  const signals = ['SIGINT', 'SIGTERM'] as const;
  let onSignal!: (signal: string) => void;
  const signalled = new Promise<string>((resolve) => (onSignal = resolve));
  for (const signal of signals) process.once(signal, onSignal);
  // Stops on a signal, or when the stdio session ends (stdin closed, or its upstream died).
  const reason = await Promise.race([signalled, ...(stdio ? [stdio.closed.then(() => 'stdio')] : [])]);
  for (const signal of signals) process.off(signal, onSignal);
  if (reason !== 'stdio') log(`${reason}: closing every session`);
  await closeAll();
  if (stdio?.failure !== undefined) {
    log(`exiting with status 1: ${stdio.failure}`);
    return 1;
  }
  return 0;
}
