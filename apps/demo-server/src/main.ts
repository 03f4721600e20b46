/**
 * The demo server CLI as a function (the bin in cli.ts only adds `process.exit`), so its error paths
 * can be tested in-process.
 */
import { parseServerArgs, USAGE, UsageError } from './args.js';
import { createDemoServer } from './server.js';
import { serveHttp } from './transports/http.js';
import { serveRedis } from './transports/redis.js';
import { serveStdio } from './transports/stdio.js';
import type { Served } from './transports/types.js';
import { serveWs } from './transports/ws.js';

export interface ServerCliOptions {
  /** Where announcements and errors go (default `process.stderr`; stdout belongs to the stdio wire). */
  stderr?: { write(text: string): unknown };
}

/** Runs the demo server CLI; resolves with the exit status once everything is closed. */
export async function runServerCli(argv: readonly string[], options: ServerCliOptions = {}): Promise<number> {
  const stderr = options.stderr ?? process.stderr;
  const log = (line: string): void => void stderr.write(`[demo-server] ${line}\n`);
  let args;
  try {
    args = parseServerArgs(argv);
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
  for (const { endpoints } of served) for (const { medium, url } of endpoints) log(`listening ${medium} ${url}`);
  log('ready');

  const signalled = new Promise<string>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  });
  // Stops when a signal arrives or when every medium has stopped by itself (stdio: stdin ended).
  const reason = await Promise.race([
    signalled,
    Promise.all(served.map((medium) => medium.closed)).then(() => 'closed'),
  ]);
  if (reason !== 'closed') log(`${reason}: closing every session`);
  await closeAll();
  return 0;
}
