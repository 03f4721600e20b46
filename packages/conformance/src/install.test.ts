// The CLI from a fresh install, as the README documents it: both packages packed with `pnpm pack`
// (publishConfig applied), installed with plain npm into an empty directory outside the workspace,
// the README's contract module written there verbatim, and the installed bin run with npx.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
// The example and the command, exactly as the README shows them.
const example = /```js\n(\/\/ factory\.mjs[\s\S]*?)```/.exec(readme)?.[1];
const command = 'npx mcp-transports-conformance contract ./factory.mjs --json out.json';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], cwd: string, timeout = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, timeout, env: { ...process.env, npm_config_update_notifier: 'false' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function must(file: string, args: string[], cwd: string): Promise<string> {
  const result = await run(file, args, cwd);
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return result.stdout;
}

const pnpm = (args: string[], cwd: string): Promise<string> => must('npx', ['-y', 'pnpm@10.34.8', ...args], cwd);

/** Newest modification time under `dir` (ms). */
async function newest(dir: string): Promise<number> {
  let latest = 0;
  for (const entry of await readdir(dir, { recursive: true }))
    latest = Math.max(latest, statSync(join(dir, entry)).mtimeMs);
  return latest;
}

/** Whether a package's dist is missing or older than its sources (`pnpm pack` does not build). */
async function stale(folder: string): Promise<boolean> {
  const dist = join(root, 'packages', folder, 'dist');
  return !existsSync(dist) || (await newest(dist)) < (await newest(join(root, 'packages', folder, 'src')));
}

/**
 * Packs a package with `pnpm pack` and stamps the first release's version on an unreleased 0.0.0:
 * `changeset version` turns 0.0.0 into 0.1.0, which the `^0.1.0` peer ranges expect (npm refuses
 * 0.0.0 against them, rightly).
 */
async function pack(folder: string, into: string): Promise<string> {
  const out = await pnpm(['pack', '--pack-destination', into], join(root, 'packages', folder));
  const tarball = out.trim().split('\n').at(-1) ?? '';
  const staging = join(into, folder);
  await mkdir(staging);
  await must('tar', ['xzf', tarball, '-C', staging], into);
  const manifestFile = join(staging, 'package', 'package.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { version: string };
  if (manifest.version !== '0.0.0') return tarball;
  manifest.version = '0.1.0';
  await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
  const repacked = await must('npm', ['pack', '--silent', '--pack-destination', into, join(staging, 'package')], into);
  return join(into, repacked.trim().split('\n').at(-1) ?? '');
}

let work: string;
let app: string;
let offline: string | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'conformance-install-'));
  app = join(work, 'app');
  const filters = [];
  for (const folder of ['core', 'conformance']) {
    if (await stale(folder)) filters.push('--filter', `@mcp-transports/${folder}`);
  }
  if (filters.length > 0) await pnpm([...filters, 'build'], root);
  const [core, conformance] = await Promise.all([pack('core', work), pack('conformance', work)]);
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const install = await run('npm', ['install', '--no-audit', '--no-fund', core, conformance], app);
  // Neither package has runtime dependencies, so npm should not need the registry; if it does and
  // cannot reach it outside CI, skip with the reason rather than fail.
  if (install.code !== 0) {
    if (process.env.CI === undefined && /E(NOTFOUND|AI_AGAIN|CONNREFUSED|TIMEDOUT|NETUNREACH)/.test(install.stderr)) {
      offline = `npm registry unreachable (and CI is not set): ${install.stderr.split('\n')[0] ?? ''}`;
      return;
    }
    throw new Error(`npm install exited ${install.code}:\n${install.stderr}`);
  }
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the CLI from a fresh npm install (README: "Test your own transport")', () => {
  it('the README shows the module and the command this test runs', () => {
    expect(example, 'README has a ```js block starting with // factory.mjs').toBeDefined();
    expect(readme).toContain(command);
  });

  it('runs the README example: exit 0, every check passes, JSON report written', async (context) => {
    if (offline !== undefined) context.skip(offline);
    await writeFile(join(app, 'factory.mjs'), example ?? '');
    const { code, stdout, stderr } = await run('npx', command.split(' ').slice(1), app);
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
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/TC-1\.start-twice\s+TC-1\s+FAIL\s+.*cannot make a pair/);
  });
});
