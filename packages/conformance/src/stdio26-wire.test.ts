// Layer 2, 2026-07-28 over stdio, against a server that breaks section H on purpose: each broken
// rule fails its check with a message naming what went wrong, through the API and through the CLI
// (a real child process, as a user runs it). The passing run against a real SDK v2 server lives in
// packages/transport-stdio (src/wire26.test.ts).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from './fixtures/run-cli.js';
import type { CheckResult } from './index.js';
import { runWireChecks, STDIO26_CHECKS } from './node.js';
import type { Stdio26Target } from './node.js';

const here = import.meta.dirname;
const badServer = join(here, 'fixtures', 'bad-stdio26-server.mjs');
const target: Stdio26Target = {
  command: process.execPath,
  args: [badServer],
  slowTool: { name: 'wait' },
  listen: false,
  exitTimeoutMs: 1500,
};

describe('stdio26 wire checks: a server that breaks the 2026-07-28 rules', () => {
  let results: CheckResult[] = [];
  const result = (id: string): CheckResult | undefined => results.find((r) => r.id === id);
  beforeAll(async () => {
    results = await runWireChecks(STDIO26_CHECKS, target, { concurrency: 4, timeoutMs: 15_000 });
  }, 120_000);

  it('runs every check, each tagged with M26 ids', () => {
    expect(results.map((r) => r.id)).toEqual(STDIO26_CHECKS.map((c) => c.id));
    for (const check of STDIO26_CHECKS) expect(check.requirements.some((id) => id.startsWith('M26-'))).toBe(true);
  });

  it('[M26-1, M26-10] passes what it does right: server/discover, a stateless first request, an unknown method', () => {
    for (const id of ['stdio26.discover', 'stdio26.stateless-request', 'stdio26.unknown-method']) {
      expect(result(id)?.status, result(id)?.message).toBe('pass');
    }
  });

  it('[M26-1] a request lacking clientCapabilities, first or after discover, must get -32602', () => {
    expect(result('stdio26.missing-client-capabilities')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(
        /^no clientCapabilities in _meta: expected error -32602, got .*"result"/,
      ) as unknown,
    });
    expect(result('stdio26.per-request-envelope')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(
        /^tools\/list without _meta after server\/discover: expected error -32602/,
      ) as unknown,
    });
  });

  it('[M26-18] an unsupported revision, first or after discover, must get -32022, not -32602', () => {
    expect(result('stdio26.unsupported-version')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/expected error -32022, got \{"code":-32602/) as unknown,
    });
    expect(result('stdio26.per-request-version')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(
        /^tools\/list claiming revision 2099-01-01 after server\/discover: expected error -32022, got \{"code":-32602/,
      ) as unknown,
    });
    expect(result('stdio26.no-carried-context')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(
        /after a tools\/list without _meta: expected error -32022, got \{"code":-32602/,
      ) as unknown,
    });
  });

  it('[M26-5] a request written to stdout fails the exchange check', () => {
    expect(result('stdio26.no-server-requests')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/wrote a JSON-RPC request to stdout \(M26-5\): .*"roots\/list"/) as unknown,
    });
  });

  it('[M26-7] an answer after notifications/cancelled fails the cancellation check', () => {
    expect(result('stdio26.cancelled-request-silent')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/wrote for the cancelled request: .*"id":"slow".*finished anyway/) as unknown,
    });
  });

  it('[M26-8] a server that outlives its stdin fails the exit check', () => {
    expect(result('stdio26.exit-on-stdin-eof')).toMatchObject({
      status: 'fail',
      message: 'still running 1500 ms after stdin ended',
    });
  });

  it('[M26-6] listen is n/a when the target says the server does not serve it', () => {
    expect(result('stdio26.listen-acknowledged')).toMatchObject({
      status: 'n/a',
      message: 'the server does not serve subscriptions/listen',
    });
  });

  it('[M26-7] the cancellation check is n/a without a slow tool', async () => {
    const [only] = await runWireChecks(
      STDIO26_CHECKS,
      { ...target, slowTool: undefined },
      {
        only: ['stdio26.cancelled-request-silent'],
      },
    );
    expect(only).toMatchObject({ status: 'n/a', message: expect.stringMatching(/no slowTool declared/) as unknown });
  });
});

describe('mcp-transports-conformance stdio26 (the CLI, as a child process)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conformance-stdio26-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('[M26-5, M26-7, M26-8] names the failures, keeps listed gaps as expected, writes JSON; exits 1', async () => {
    const expected = join(dir, 'expected.json');
    const json = join(dir, 'report.json');
    await writeFile(
      expected,
      JSON.stringify([{ id: 'stdio26.exit-on-stdin-eof', reason: 'keeps running on purpose' }]),
    );
    const { code, stdout } = await run([
      'stdio26',
      '--only',
      'stdio26.discover,stdio26.no-server-requests,stdio26.cancelled-request-silent,stdio26.exit-on-stdin-eof,stdio26.listen-acknowledged',
      '--slow-tool',
      '{"name":"wait","arguments":{}}',
      '--tool',
      'roots',
      '--no-listen',
      '--expected-failures',
      expected,
      '--json',
      json,
      '--exit-timeout',
      '1500',
      '--concurrency',
      '5',
      '--timeout',
      '20000',
      '--',
      process.execPath,
      badServer,
    ]);
    expect(code, stdout).toBe(1);
    expect(stdout).toMatch(/stdio26\.discover\s+M26-1, M26-10\s+PASS/);
    expect(stdout).toMatch(
      /stdio26\.no-server-requests\s+M26-5, M26-4, M26-6\s+FAIL\s+the server wrote a JSON-RPC request/,
    );
    expect(stdout).toMatch(
      /stdio26\.cancelled-request-silent\s+M26-7\s+FAIL\s+the server wrote for the cancelled request/,
    );
    expect(stdout).toMatch(/stdio26\.exit-on-stdin-eof\s+M26-8, LC-11\s+EXPECTED-FAIL\s+keeps running on purpose/);
    expect(stdout).toMatch(/stdio26\.listen-acknowledged\s+M26-6, M26-4\s+N\/A/);
    const report = JSON.parse(await readFile(json, 'utf8')) as { ok: boolean; counts: Record<string, number> };
    expect(report).toMatchObject({ ok: false, counts: { pass: 1, fail: 2, 'expected-fail': 1, 'n/a': 1 } });
  });

  it('exits 2 with a clear message on a bad --tool or a missing command', async () => {
    const bad = await run(['stdio26', '--tool', '{"name":1}', '--', process.execPath, badServer]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--tool: expected { "name": string, "arguments"?: object }');
    const broken = await run(['stdio26', '--slow-tool', '{nope', '--', process.execPath, badServer]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/--slow-tool: not valid JSON/);
    const missing = await run(['stdio26']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('stdio26 needs -- <command> [args...]');
  });
});
