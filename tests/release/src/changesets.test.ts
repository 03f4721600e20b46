// The release flow on a copy of the repository (its manifests, built dist and the changesets
// config; never the pending changesets, never the real registry): `changeset version` bumps only
// what a changeset names, writes changelogs, a minor core release forces nothing else, and the
// tarballs a release would publish carry the right version, the publishConfig exports and provenance.
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, type Folder, manifestOf, must, packages, pnpm, root } from './_pack.js';

const folders = Object.keys(packages) as Folder[];
const changesetBin = join(root, 'node_modules', '@changesets', 'cli', 'bin.js');
const copies: string[] = [];

interface Manifest {
  name: string;
  version: string;
  peerDependencies?: Record<string, string>;
  publishConfig?: Record<string, unknown>;
  exports?: unknown;
}

/** A copy of the repository as `changeset` and `pnpm pack` see it, every package at `version` if given. */
async function copyRepo(version?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-transports-release-'));
  copies.push(dir);
  for (const file of ['package.json', 'pnpm-workspace.yaml', join('.changeset', 'config.json')])
    await cp(join(root, file), join(dir, file), { recursive: true });
  for (const folder of folders) {
    await cp(join(root, 'packages', folder), join(dir, 'packages', folder), {
      recursive: true,
      // node_modules holds pnpm's relative links (kept as they are): `pnpm pack` reads the linked
      // workspace packages' versions through them, here the copy's own.
      verbatimSymlinks: true,
      filter: (source) => !/[/\\](src|\.turbo)$/.test(source) && !source.endsWith('CHANGELOG.md'),
    });
    if (version !== undefined) {
      const file = join(dir, 'packages', folder, 'package.json');
      const manifest = JSON.parse(await readFile(file, 'utf8')) as Manifest;
      manifest.version = version;
      await writeFile(file, JSON.stringify(manifest, null, 2));
    }
  }
  return dir;
}

async function changeset(dir: string, bumps: Record<string, 'patch' | 'minor'>, summary: string): Promise<void> {
  await mkdir(join(dir, '.changeset'), { recursive: true });
  const lines = Object.entries(bumps).map(([name, type]) => `'${name}': ${type}`);
  await writeFile(join(dir, '.changeset', 'release-test.md'), `---\n${lines.join('\n')}\n---\n\n${summary}\n`);
  await must(process.execPath, [changesetBin, 'version'], dir);
}

function versions(dir: string): Record<string, string> {
  return Object.fromEntries(
    folders.map((folder) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'packages', folder, 'package.json'), 'utf8')) as Manifest;
      return [manifest.name, manifest.version];
    }),
  );
}

const changelogs = (dir: string): Folder[] =>
  folders.filter((folder) => existsSync(join(dir, 'packages', folder, 'CHANGELOG.md')));

beforeAll(async () => {
  await buildIfStale(folders);
});

afterAll(async () => {
  for (const dir of copies) await rm(dir, { recursive: true, force: true });
});

describe('changeset version', () => {
  it('a patch changeset on one transport bumps only that package and writes its changelog', async () => {
    const dir = await copyRepo();
    const before = versions(dir);
    await changeset(dir, { '@mcp-transports/websocket': 'patch' }, 'Fix the thing in WebSocket.');
    expect(versions(dir)).toEqual({ ...before, '@mcp-transports/websocket': '0.0.1' });
    expect(changelogs(dir)).toEqual(['transport-websocket']);
    const changelog = await readFile(join(dir, 'packages', 'transport-websocket', 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/## 0\.0\.1[\s\S]*### Patch Changes[\s\S]*Fix the thing in WebSocket\./);
    expect(existsSync(join(dir, '.changeset', 'release-test.md')), 'the changeset is consumed').toBe(false);
  });

  it("a minor core release stays inside every transport's peer range: nothing else is bumped", async () => {
    const dir = await copyRepo('0.1.0'); // as after the first release
    await changeset(dir, { '@mcp-transports/core': 'minor' }, 'A new core helper.');
    const after = versions(dir);
    expect(after['@mcp-transports/core']).toBe('0.2.0');
    expect(Object.entries(after).filter(([name]) => name !== '@mcp-transports/core')).toEqual(
      Object.keys(after)
        .filter((name) => name !== '@mcp-transports/core')
        .map((name) => [name, '0.1.0']),
    );
    expect(changelogs(dir)).toEqual(['core']);
    for (const folder of folders.filter((f) => f !== 'core')) {
      const manifest = JSON.parse(await readFile(join(dir, 'packages', folder, 'package.json'), 'utf8')) as Manifest;
      expect(manifest.peerDependencies?.['@mcp-transports/core'], folder).toBe('>=0.1.0 <1');
    }
  });
});

describe('pnpm release (dry run: pack and `npm publish --dry-run`, never a real publish)', () => {
  it('the release script builds, then publishes with changesets', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.release).toMatch(/^turbo run build && changeset publish$/);
  });

  it('every published package asks for provenance', () => {
    for (const folder of folders) {
      const manifest = JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')) as Manifest;
      expect(manifest.publishConfig, folder).toMatchObject({ access: 'public', provenance: true });
    }
  });

  it('after `changeset version`, the tarballs carry the new versions, publishConfig exports and a concrete core range', async () => {
    const dir = await copyRepo('0.1.0');
    await changeset(dir, { '@mcp-transports/core': 'minor', '@mcp-transports/sse': 'patch' }, 'Release test.');
    const out = join(dir, 'out');
    await mkdir(out);
    const tarball = async (folder: Folder): Promise<string> =>
      (await pnpm(['pack', '--pack-destination', out], join(dir, 'packages', folder))).trim().split('\n').at(-1) ?? '';
    const core = await tarball('core');
    const sse = await tarball('transport-sse');
    expect(core).toMatch(/mcp-transports-core-0\.2\.0\.tgz$/);
    expect(sse).toMatch(/mcp-transports-sse-0\.1\.1\.tgz$/);

    const coreManifest = (await manifestOf(core)) as unknown as Manifest;
    expect(coreManifest.version).toBe('0.2.0');
    expect(coreManifest.exports).toEqual({ '.': './dist/index.js', './package.json': './package.json' });
    expect(coreManifest.publishConfig).toMatchObject({ provenance: true });
    const sseManifest = (await manifestOf(sse)) as unknown as Manifest;
    expect(sseManifest.version).toBe('0.1.1');
    expect(sseManifest.exports).toMatchObject({ './server': './dist/server.js', './browser': './dist/browser.js' });
    expect(sseManifest.peerDependencies).toEqual({ '@mcp-transports/core': '>=0.1.0 <1' });
    expect(JSON.stringify(sseManifest)).not.toContain('workspace:');

    // What `changeset publish` hands npm, accepted by npm's own checks; --dry-run never uploads.
    for (const [file, id] of [
      [core, '@mcp-transports/core@0.2.0'],
      [sse, '@mcp-transports/sse@0.1.1'],
    ] as const) {
      const published = await must('npm', ['publish', '--dry-run', '--json', file], out);
      expect(published).toContain(`"id": "${id}"`);
    }
  });
});
