#!/usr/bin/env node
/** `mcp-demo-client <target> [list | call <tool> [json-args]]` — see USAGE in main.ts. */
import { runClientCli } from './main.js';

runClientCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[demo-client] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
