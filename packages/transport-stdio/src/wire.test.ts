/**
 * Conformance layer 2 (the stdio wire, black box) against a demo-style server: the SDK's v1
 * `McpServer` with two tools on our `StdioServerTransport`, `guardStdout()` and `exitWhenClosed()`,
 * spawned afresh for every check — once through the conformance package's API, once through its CLI
 * as a user would run it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runWireChecks, STDIO_CHECKS } from '@mcp-transports/conformance/node';
import type { CheckResult } from '@mcp-transports/conformance';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_OUT } from './fixtures/build.js';
import { fixture } from './fixtures/helpers.js';

const server = fixture('demo-server');

describe('stdio wire checks: SDK v1 McpServer on our StdioServerTransport', () => {
  let results: CheckResult[] = [];
  beforeAll(async () => {
    // Every check spawns its own server: run a few at once, with generous waits for a busy machine.
    results = await runWireChecks(STDIO_CHECKS, server, { concurrency: 4, timeoutMs: 15_000 });
  }, 120_000);

  it('runs every check', () => {
    expect(results.map((r) => r.id)).toEqual(STDIO_CHECKS.map((c) => c.id));
  });

  it.each(STDIO_CHECKS.map((check) => [`[${check.requirements.join(', ')}] ${check.id}`, check.id] as const))(
    '%s passes',
    (_name, id) => {
      const result = results.find((r) => r.id === id);
      expect(result?.status, result?.message).toBe('pass');
    },
  );
});

describe('mcp-transports-conformance stdio (the CLI, as a child process)', () => {
  it('[ST-2, ST-4, ST-7, LC-1, LC-11] passes every check and exits 0', { timeout: 120_000 }, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(FIXTURE_OUT, 'conformance-cli.mjs'),
        'stdio',
        '--concurrency',
        '4',
        '--timeout',
        '15000',
        '--',
        server.command,
        ...server.args,
      ],
      { cwd: server.cwd },
    );
    expect(stdout).toMatch(new RegExp(`${STDIO_CHECKS.length} checks: ${STDIO_CHECKS.length} pass, 0 fail`));
  });
});
