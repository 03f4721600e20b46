/**
 * The bridge CLI as a function (the bin in cli.ts only adds `process.exit`), so its error paths can
 * be tested in-process.
 */
import { announceReady, parseOrUsage, untilSignal, type CliStderr } from '@mcp-transports/demo-server';
import { parseBridgeArgs, USAGE } from './args.js';
import { serveHttp, serveRedis, serveStdio, serveWs, type Downstream } from './downstream.js';
import type { Relay } from './relay.js';
import { Sessions } from './sessions.js';
import { upstreamFactory } from './upstream.js';

export interface BridgeCliOptions {
  /** Where announcements and errors go (default `process.stderr`; stdout belongs to the stdio wire). */
  stderr?: CliStderr;
}

/** Runs `mcp-bridge`; resolves with the exit status once every session and upstream is closed. */
export async function runBridgeCli(argv: readonly string[], options: BridgeCliOptions = {}): Promise<number> {
  const stderr = options.stderr ?? process.stderr;
  const log = (line: string): void => void stderr.write(`[mcp-bridge] ${line}\n`);
  const args = parseOrUsage(() => parseBridgeArgs(argv), USAGE, stderr, log);
  if (typeof args === 'number') return args;

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
  announceReady(served, log);

  // Stops on a signal, or when the stdio session ends (stdin closed, or its upstream died).
  const reason = await untilSignal(stdio ? [stdio.closed.then(() => 'stdio')] : []);
  if (reason !== 'stdio') log(`${reason}: closing every session`);
  await closeAll();
  if (stdio?.failure !== undefined) {
    log(`exiting with status 1: ${stdio.failure}`);
    return 1;
  }
  return 0;
}
