// Every transport as a user gets it: core and the transport packed into tarballs once (publishConfig
// applied), each transport installed ALONE with plain npm into its own empty project outside the
// workspace (plus the official SDK and @types/node from the registry), its README example written
// there verbatim, compiled with tsc (the published types work) and run against the real thing: a
// child process, an HTTP server, a WebSocket server, a redis-server on a free port.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedis, TestRedisServer } from '../../../packages/transport-redis/src/__test__/redis-server.js';
import { buildIfStale, type Folder, must, offlineReason, pack, packages, readmeFiles, root, run } from './_pack.js';

interface Case {
  folder: Exclude<Folder, 'core' | 'conformance'>;
  /** The README's files, the one run first. */
  files: string[];
  /** What the example prints when it worked. */
  expected: string;
  /** The transport's own runtime dependency. */
  own: string;
}

const cases: Case[] = [
  { folder: 'transport-stdio', files: ['client.ts', 'server.ts'], expected: 'hello over stdio', own: 'cross-spawn' },
  { folder: 'transport-sse', files: ['example.ts'], expected: 'hello over HTTP', own: 'undici' },
  { folder: 'transport-websocket', files: ['example.ts'], expected: 'hello over WebSocket', own: 'ws' },
  { folder: 'transport-redis', files: ['example.ts'], expected: 'hello over Redis', own: 'ioredis' },
];
const runtimeDeps = cases.map((c) => c.own);

// The SDK version the workspace is tested against, so the example meets the same SDK.
const sdkVersion = (
  JSON.parse(
    readFileSync(
      join(root, 'packages', 'transport-stdio', 'node_modules', '@modelcontextprotocol', 'sdk', 'package.json'),
      'utf8',
    ),
  ) as { version: string }
).version;
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

// A Node project as `tsc --init` makes one (skipLibCheck on): the example must compile and emit.
const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    types: ['node'],
    skipLibCheck: true,
  },
  include: ['*.ts'],
};

/**
 * Our published declarations checked strictly (skipLibCheck off, no DOM lib): every Node entry point
 * of the transport and core as roots. Not the SDK's: its declarations need the DOM lib (HeadersInit),
 * and checking them costs most of the time.
 */
async function declarationsConfig(dir: string, names: string[]): Promise<object> {
  const files: string[] = [];
  for (const name of names) {
    const manifest = JSON.parse(await readFile(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as {
      exports: Record<string, string>;
    };
    for (const [entry, target] of Object.entries(manifest.exports)) {
      if (entry === './browser' || !target.endsWith('.js')) continue;
      files.push(join('node_modules', name, target.replace(/\.js$/, '.d.ts')));
    }
  }
  return { compilerOptions: { ...tsconfig.compilerOptions, skipLibCheck: false, noEmit: true }, files };
}

interface Lock {
  packages: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
}

/** Names of every package reachable from `start` in an npm lockfile (v3), resolved as Node would. */
function closure(lock: Lock, start: string): Set<string> {
  const resolve = (from: string, name: string): string | undefined => {
    let base = from;
    for (;;) {
      const key = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
      if (key in lock.packages) return key;
      if (base === '') return undefined;
      const i = base.lastIndexOf('/node_modules/');
      base = i < 0 ? '' : base.slice(0, i);
    }
  };
  const seen = new Set<string>();
  const names = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    names.add(key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length));
    const entry = lock.packages[key];
    for (const dep of Object.keys({ ...entry?.dependencies, ...entry?.optionalDependencies })) {
      const found = resolve(key, dep);
      if (found !== undefined) visit(found);
    }
  };
  visit(`node_modules/${start}`);
  return names;
}

let work: string;
const tarballs = new Map<Folder, string>();
const installs = new Map<Folder, { app: string; error?: Error; offline?: string }>();
let redis: TestRedisServer | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mcp-transports-packed-'));
  const folders = ['core', ...cases.map((c) => c.folder)] as const;
  await buildIfStale(folders);
  // One pack step for every transport.
  await Promise.all(
    folders.map(async (folder) => {
      tarballs.set(folder, await pack(join(root, 'packages', folder), work));
    }),
  );
  // Each transport alone in its own project; the installs mostly wait on the network, so in parallel.
  await Promise.all(
    cases.map(async ({ folder }) => {
      const app = join(work, `app-${folder}`);
      installs.set(folder, { app });
      await mkdir(app);
      await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
      const result = await run(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          tarballs.get('core') ?? '',
          tarballs.get(folder) ?? '',
          `@modelcontextprotocol/sdk@${sdkVersion}`,
          '@types/node@^20.19.0',
        ],
        app,
        { timeout: 240_000 },
      );
      if (result.code === 0) return;
      const offline = offlineReason(result);
      installs.set(
        folder,
        offline === undefined
          ? { app, error: new Error(`npm install exited ${result.code}:\n${result.stderr}`) }
          : { app, offline },
      );
    }),
  );
  if (hasRedis) redis = await TestRedisServer.start();
});

afterAll(async () => {
  await redis?.stop();
  await rm(work, { recursive: true, force: true });
});

describe.each(cases)('$folder, packed and installed alone with npm', ({ folder, files, expected, own }) => {
  const name = packages[folder];
  const readme = readFileSync(join(root, 'packages', folder, 'README.md'), 'utf8');
  const examples = readmeFiles(readme);

  const app = (context: { skip: (note: string) => void }): string => {
    const install = installs.get(folder);
    if (install?.offline !== undefined) context.skip(install.offline);
    if (install?.error !== undefined) throw install.error;
    return install?.app ?? '';
  };

  it('the README shows complete example files and the npm install line', () => {
    expect([...examples.keys()].sort()).toEqual([...files].sort());
    expect(readme).toContain(`npm install ${name} @mcp-transports/core @modelcontextprotocol/sdk`);
  });

  it(`pulls in its own dependency (${own}) and no other transport's`, async (context) => {
    const dir = app(context);
    const lock = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8')) as Lock;
    const ours = new Set([...closure(lock, name), ...closure(lock, '@mcp-transports/core')]);
    expect(ours).toContain(own);
    expect([...ours].filter((dep) => runtimeDeps.includes(dep) && dep !== own)).toEqual([]);
    expect([...ours].filter((dep) => dep.startsWith('@mcp-transports/')).sort()).toEqual(
      ['@mcp-transports/core', name].sort(),
    );
    // Installed from the tarballs, not linked from the workspace.
    expect(lock.packages[`node_modules/${name}`]).toMatchObject({ resolved: expect.stringMatching(/^file:/) });
    expect(existsSync(join(dir, 'node_modules', name, 'dist'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules', name, 'src'))).toBe(false);
  });

  it('the README example compiles with tsc (a `tsc --init`-style Node project)', async (context) => {
    const dir = app(context);
    for (const [file, source] of examples) await writeFile(join(dir, file), source);
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    const result = await run(process.execPath, [tsc, '-p', dir], dir);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('the published declarations type-check strictly (skipLibCheck off, no DOM lib)', async (context) => {
    const dir = app(context);
    const config = await declarationsConfig(dir, [name, '@mcp-transports/core']);
    await writeFile(join(dir, 'tsconfig.types.json'), JSON.stringify(config, null, 2));
    const result = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.types.json')], dir);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it(`the README example runs and prints "${expected}"`, async (context) => {
    const dir = app(context);
    if (!existsSync(join(dir, files[0]?.replace(/\.ts$/, '.js') ?? ''))) throw new Error('not compiled');
    const env: Record<string, string> = { PORT: '0' };
    if (folder === 'transport-redis') {
      if (redis === undefined) context.skip('redis-server is not installed');
      env.REDIS_URL = redis?.url ?? '';
    }
    const out = await must(process.execPath, [files[0]?.replace(/\.ts$/, '.js') ?? ''], dir, { timeout: 60_000, env });
    expect(out).toContain(expected);
  });
});
