// Layer 2 against a real third-party server: @modelcontextprotocol/server-everything over stdio,
// spawned as a real child process for every check.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExpectedFailure } from './index.js';
import { runWireChecks, STDIO_CHECKS } from './node.js';

const require = createRequire(import.meta.url);
const everything = require
  .resolve('@modelcontextprotocol/server-everything/package.json')
  .replace(/package\.json$/, 'dist/index.js');
const expectedFailures = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'expected-failures', 'server-everything-stdio.json'), 'utf8'),
) as ExpectedFailure[];

describe('stdio wire checks: @modelcontextprotocol/server-everything', () => {
  it('every check passes or fails as recorded', { timeout: 120_000 }, async () => {
    const results = await runWireChecks(
      STDIO_CHECKS,
      { command: process.execPath, args: [everything, 'stdio'] },
      {
        expectedFailures,
        concurrency: 4,
        // The server takes a second or more to start on a busy machine: generous waits cost nothing.
        timeoutMs: 20_000,
      },
    );
    expect(results.map((r) => r.id)).toEqual(STDIO_CHECKS.map((c) => c.id));
    for (const result of results) {
      expect(
        ['pass', 'expected-fail'],
        `[${result.requirements.join(', ')}] ${result.id}: ${result.message}`,
      ).toContain(result.status);
    }
  });
});
