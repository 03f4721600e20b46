#!/usr/bin/env node
/**
 * `mcp-bridge <downstream flags> [options] [--] <upstream>` — see USAGE in args.ts.
 *
 * Announces endpoints on stderr as `[mcp-bridge] listening <medium> <url>`, then `[mcp-bridge] ready`
 * (stdout belongs to the stdio wire). Exit status: 0 after a clean shutdown, 1 when the stdio
 * session's upstream failed or a listener could not start, 2 for a usage error.
 */
import { runBridgeCli } from './main.js';

runBridgeCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[mcp-bridge] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
