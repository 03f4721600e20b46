#!/usr/bin/env node
/**
 * `mcp-demo-server [--stdio] [--http HOST:PORT] [--ws HOST:PORT] [--redis URL]`
 *
 * Serves the demo server on every medium asked for. Endpoints are announced on stderr as
 * `[demo-server] listening <medium> <url>` followed by `[demo-server] ready` (stdout belongs to the
 * stdio wire). Exit status: 0 after a clean shutdown, 2 for a usage error or a medium that is not
 * available, 1 for anything else.
 */
import { runServerCli } from './main.js';

const log = (line: string): void => void process.stderr.write(`[demo-server] ${line}\n`);

runServerCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
