// The CLI as a user runs it: a real child process, real files, real exit codes. Each spawn costs
// seconds on a busy machine, so each run below checks several things at once.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from './fixtures/run-cli.js';

const here = import.meta.dirname;
const fixture = (name: string): string => join(here, 'fixtures', name);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conformance-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mcp-transports-conformance contract', () => {
  it('passes the in-memory pair: table, JSON and JUnit reports, exit 0', async () => {
    const json = join(dir, 'in-memory.json');
    const junit = join(dir, 'in-memory.xml');
    const { code, stdout } = await run(['contract', fixture('in-memory-pair.ts'), '--json', json, '--junit', junit]);
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/check\s+requirement\s+result\s+message/);
    expect(stdout).toMatch(/TC-1\.start-twice\s+TC-1\s+PASS/);
    expect(stdout).toMatch(/TC-4\.peer-death\s+TC-4\s+N\/A\s+capabilities\.peerDeath is not set/);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report).toMatchObject({ ok: true, counts: { pass: 16, fail: 0, 'n/a': 1 } });
    expect(report.results[0]).toMatchObject({ id: 'TC-1.start-twice', requirements: ['TC-1'], status: 'pass' });
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="contract [^"]*" tests="17" failures="0" skipped="1"/);
    expect(xml).toContain('<skipped message="n/a: capabilities.peerDeath is not set"/>');
  });

  it('a broken transport: failures named, expected failures kept, a stale entry exits 1', async () => {
    const file = join(dir, 'expected.json');
    await writeFile(
      file,
      JSON.stringify([
        { id: 'TC-4.close-from-client', reason: 'fires onclose twice' },
        { id: 'TC-1.start-twice', reason: 'wrongly listed' },
      ]),
    );
    const { code, stdout } = await run([
      'contract',
      fixture('double-close-pair.ts'),
      '--only',
      'TC-1.,TC-4.',
      '--expected-failures',
      file,
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/TC-4\.close-from-client\s+TC-4, LC-11\s+EXPECTED-FAIL\s+fires onclose twice/);
    expect(stdout).toMatch(/TC-4\.close-from-server\s+TC-4, LC-12\s+FAIL\s+client\.onclose fired \d+ times/);
    expect(stdout).toMatch(/TC-1\.start-twice\s+TC-1\s+STALE\s+listed as an expected failure/);
  });

  it('exits 2 with usage on bad arguments', async () => {
    const { code, stderr } = await run(['contract', fixture('in-memory-pair.ts'), '--bogus']);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage:');
  });
});

describe('mcp-transports-conformance stdio', () => {
  it('fails a server that breaks the wire rules; listed gaps are expected failures', async () => {
    const file = join(dir, 'bad-server.json');
    await writeFile(file, JSON.stringify([{ id: 'LC-11.exit-on-stdin-eof', reason: 'keeps running on purpose' }]));
    const { code, stdout } = await run([
      'stdio',
      '--only',
      'LC-1.,JR-7.,TC-5.,LC-11.,ST-2.',
      '--expected-failures',
      file,
      '--exit-timeout',
      '1500',
      '--concurrency',
      '5',
      '--timeout',
      '20000',
      '--',
      process.execPath,
      fixture('bad-stdio-server.mjs'),
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /LC-1\.silent-before-initialize\s+ST-7, LC-1, LC-6\s+FAIL\s+the first stdout line is not the initialize response: "bad server starting"/,
    );
    expect(stdout).toMatch(/JR-7\.tricky-ids\s+JR-4, JR-7\s+FAIL\s+ping \(id 0\).*answered with id "0" instead of 0/);
    expect(stdout).toMatch(/TC-5\.malformed-line\s+.*FAIL\s+the server died on a malformed line/);
    expect(stdout).toMatch(/LC-11\.exit-on-stdin-eof\s+.*EXPECTED-FAIL\s+keeps running on purpose/);
    expect(stdout).toMatch(/ST-2\.initialize\s+.*PASS/);
  });
});
