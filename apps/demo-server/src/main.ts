/**
 * The demo server CLI as a function (the bin in cli.ts only adds `process.exit`), so its error paths
 * can be tested in-process.
 */
import { announceReady, parseOrUsage, untilSignal, type CliStderr } from './_cli.js';
import { parseServerArgs, USAGE } from './args.js';
import { createDemoServer } from './server.js';
import { serveHttp } from './transports/http.js';
import { serveRedis } from './transports/redis.js';
import { serveStdio } from './transports/stdio.js';
import type { Served } from './transports/types.js';
import { serveWs } from './transports/ws.js';

export interface ServerCliOptions {
  /** Where announcements and errors go (default `process.stderr`; stdout belongs to the stdio wire). */
  stderr?: CliStderr;
}

/** Runs the demo server CLI; resolves with the exit status once everything is closed. */
export async function runServerCli(argv: readonly string[], options: ServerCliOptions = {}): Promise<number> {
  const stderr = options.stderr ?? process.stderr;
  const log = (line: string): void => void stderr.write(`[demo-server] ${line}\n`);
  const args = parseOrUsage(() => parseServerArgs(argv), USAGE, stderr, log);
  if (typeof args === 'number') return args;

  const served: Served[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(served.map((medium) => medium.close()));
  };
  try {
    const origins = args.allowedOrigins && { allowedOrigins: args.allowedOrigins };
    if (args.http) served.push(await serveHttp(createDemoServer, args.http, origins));
    if (args.ws) served.push(await serveWs(createDemoServer, args.ws, origins));
    if (args.redis) served.push(await serveRedis(createDemoServer, args.redis));
    if (args.stdio) served.push(await serveStdio(createDemoServer));
  } catch (error) {
    await closeAll();
    log(error instanceof Error ? error.message : String(error));
    return 1;
  }
  announceReady(served, log);

  // Stops when a signal arrives or when every medium has stopped by itself (stdio: stdin ended).
  const reason = await untilSignal([Promise.all(served.map((medium) => medium.closed)).then(() => 'closed')]);
  if (reason !== 'closed') log(`${reason}: closing every session`);
  await closeAll();
  return 0;
}
