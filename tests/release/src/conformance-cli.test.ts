// The conformance CLI from a fresh install, as its README documents it: core and conformance packed
// with `pnpm pack` (publishConfig applied), installed with plain npm into an empty directory outside
// the workspace, the README's contract module written there verbatim, and the installed bin run with npx.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, offlineReason, pack, root, run } from './_pack.js';

const readme = readFileSync(join(root, 'packages', 'conformance', 'README.md'), 'utf8');
// The example and the command, exactly as the README shows them.
const example = /```js\n(\/\/ factory\.mjs[\s\S]*?)```/.exec(readme)?.[1];
const command = 'npx mcp-transports-conformance contract ./factory.mjs --json out.json';

let work: string;
let app: string;
let offline: string | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'conformance-install-'));
  app = join(work, 'app');
  await buildIfStale(['core', 'conformance']);
  const [core, conformance] = await Promise.all([
    pack(join(root, 'packages', 'core'), work),
    pack(join(root, 'packages', 'conformance'), work),
  ]);
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const install = await run('npm', ['install', '--no-audit', '--no-fund', core, conformance], app, {
    timeout: 60_000,
  });
  // Neither package has runtime dependencies, so npm should not need the registry; if it does and
  // cannot reach it outside CI, skip with the reason rather than fail.
  if (install.code !== 0) {
    offline = offlineReason(install);
    if (offline === undefined) throw new Error(`npm install exited ${install.code}:\n${install.stderr}`);
  }
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the conformance CLI from a fresh npm install (README: "Test your own transport")', () => {
  it('the README shows the module and the command this test runs', () => {
    expect(example, 'README has a ```js block starting with // factory.mjs').toBeDefined();
    expect(readme).toContain(command);
  });

  it('runs the README example: exit 0, every check passes, JSON report written', async (context) => {
    if (offline !== undefined) context.skip(offline);
    await writeFile(join(app, 'factory.mjs'), example ?? '');
    const { code, stdout, stderr } = await run('npx', command.split(' ').slice(1), app, { timeout: 60_000 });
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/TC-3\.concurrency\s+TC-3\s+PASS/);
    const report = JSON.parse(await readFile(join(app, 'out.json'), 'utf8'));
    expect(report).toMatchObject({ ok: true, counts: { pass: 16, fail: 0, stale: 0, 'n/a': 1 } });
    expect(report.results).toHaveLength(17);
    expect(report.results.find((r: { id: string }) => r.id === 'TC-6.over-limit')).toMatchObject({ status: 'pass' });
  });

  it('a broken factory: exit 1 and the failure named', async (context) => {
    if (offline !== undefined) context.skip(offline);
    await writeFile(
      join(app, 'broken.mjs'),
      "export async function factory() { throw new Error('cannot make a pair'); }\n",
    );
    const { code, stdout } = await run(
      'npx',
      ['mcp-transports-conformance', 'contract', './broken.mjs', '--only', 'TC-1.'],
      app,
      { timeout: 60_000 },
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/TC-1\.start-twice\s+TC-1\s+FAIL\s+.*cannot make a pair/);
  });
});
