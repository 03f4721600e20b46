/**
 * The official `@modelcontextprotocol/conformance` suite (pinned), every server scenario, against the
 * demo server's Streamable HTTP endpoint in a real child process. The suite imports Node 22's
 * `fs.globSync`; conformance/node20-glob.mjs supplies it on Node 20 (`node --import`).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED_FAILURES } from './conformance-expected-failures.js';
import { startServer, type RunningServer } from './_spawn.js';

const require = createRequire(import.meta.url);
const SUITE = join(require.resolve('@modelcontextprotocol/conformance/package.json'), '../dist/index.js');
const POLYFILL = fileURLToPath(new URL('../conformance/node20-glob.mjs', import.meta.url));
const suite = (args: string[]): string[] => ['--import', POLYFILL, SUITE, ...args];

interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
  errorMessage?: string;
}

// Read the scenario list from the pinned suite itself, so a version bump brings its new scenarios.
const SCENARIOS = execFileSync(process.execPath, suite(['list', '--server']), { encoding: 'utf8' })
  .split('\n')
  .flatMap((line) => /^\s+- (\S+)/.exec(line)?.[1] ?? []);

describe('official MCP conformance suite (server scenarios, Streamable HTTP)', () => {
  let server: RunningServer;
  let outputDir: string;
  const results = new Map<string, Check[]>();

  beforeAll(async () => {
    server = await startServer(['--http', '127.0.0.1:0']);
    outputDir = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
    const url = server.endpoints.get('streamable-http')!;
    // The suite exits non-zero when a scenario fails; the per-scenario tests below say which.
    await promisify(execFile)(
      process.execPath,
      suite(['server', '--url', url, '--suite', 'all', '-o', outputDir]),
    ).catch((error: unknown) => error);
    for (const dir of readdirSync(outputDir)) {
      const scenario = SCENARIOS.find((name) => dir.startsWith(`server-${name}-`));
      if (scenario !== undefined) {
        results.set(scenario, JSON.parse(readFileSync(join(outputDir, dir, 'checks.json'), 'utf8')) as Check[]);
      }
    }
  }, 120_000);

  afterAll(async () => {
    await server.stop();
    rmSync(outputDir, { recursive: true, force: true });
  });

  it('knows the pinned suite’s 32 server scenarios', () => {
    expect(SCENARIOS).toHaveLength(32);
    for (const name of Object.keys(EXPECTED_FAILURES)) expect(SCENARIOS).toContain(name);
  });

  for (const scenario of SCENARIOS) {
    const reason = EXPECTED_FAILURES[scenario];
    const test = reason === undefined ? it : it.fails;
    test(`${scenario}${reason === undefined ? '' : ` (expected failure: ${reason})`}`, () => {
      const checks = results.get(scenario);
      expect(checks, `no results for ${scenario}`).toBeDefined();
      const failed = checks!.filter((check) => check.status === 'FAILURE');
      expect(failed.map((check) => `${check.id}: ${check.errorMessage ?? ''}`)).toEqual([]);
      expect(
        checks!.some((check) => check.status === 'SUCCESS' || check.status === 'WARNING' || check.status === 'INFO'),
      ).toBe(true);
    });
  }
});
