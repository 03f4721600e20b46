// Shared by the release checks: running commands, packing workspace packages the way a release does
// (`pnpm pack` applies publishConfig and rewrites workspace ranges), and reading README examples.
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..', '..');

/** The published packages: workspace folder → package name. */
export const packages = {
  core: '@mcp-transports/core',
  'transport-stdio': '@mcp-transports/stdio',
  'transport-sse': '@mcp-transports/sse',
  'transport-websocket': '@mcp-transports/websocket',
  'transport-redis': '@mcp-transports/redis',
  conformance: '@mcp-transports/conformance',
} as const;
export type Folder = keyof typeof packages;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  file: string,
  args: string[],
  cwd: string,
  options: { timeout?: number; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd,
        timeout: options.timeout ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, npm_config_update_notifier: 'false', ...options.env },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export async function must(
  file: string,
  args: string[],
  cwd: string,
  options: { timeout?: number; env?: Record<string, string> } = {},
): Promise<string> {
  const result = await run(file, args, cwd, options);
  if (result.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} (in ${cwd}) exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

export const pnpm = (args: string[], cwd: string): Promise<string> => must('npx', ['-y', 'pnpm@10.34.8', ...args], cwd);

/** Whether npm failed because the registry cannot be reached (outside CI such a test is skipped). */
export function offlineReason(result: Run): string | undefined {
  if (process.env.CI !== undefined) return undefined;
  if (!/E(NOTFOUND|AI_AGAIN|CONNREFUSED|TIMEDOUT|NETUNREACH)/.test(result.stderr)) return undefined;
  return `npm registry unreachable (and CI is not set): ${result.stderr.split('\n')[0] ?? ''}`;
}

/** Newest modification time under `dir` (ms). */
async function newest(dir: string): Promise<number> {
  let latest = 0;
  for (const entry of await readdir(dir, { recursive: true }))
    latest = Math.max(latest, statSync(join(dir, entry)).mtimeMs);
  return latest;
}

/** Builds the packages whose dist is missing or older than their sources (`pnpm pack` does not build). */
export async function buildIfStale(folders: readonly Folder[]): Promise<void> {
  const filters: string[] = [];
  for (const folder of folders) {
    const dist = join(root, 'packages', folder, 'dist');
    const src = join(root, 'packages', folder, 'src');
    if (!existsSync(dist) || (await newest(dist)) < (await newest(src))) filters.push('--filter', packages[folder]);
  }
  if (filters.length > 0) await pnpm([...filters, 'build'], root);
}

/**
 * Packs `dir` (a package folder) with `pnpm pack` into `into` and returns the tarball's path. An
 * unreleased 0.0.0 is stamped with the first release's version: `changeset version` turns 0.0.0
 * into 0.1.0, which the `^0.1.0` peer ranges expect (npm refuses 0.0.0 against them, rightly).
 */
export async function pack(dir: string, into: string): Promise<string> {
  const out = await pnpm(['pack', '--pack-destination', into], dir);
  const tarball = out.trim().split('\n').at(-1) ?? '';
  const staging = join(into, `staging-${tarball.split('/').at(-1) ?? 'x'}`);
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

/** The package.json inside a tarball. */
export async function manifestOf(tarball: string): Promise<Record<string, unknown>> {
  const text = await must('tar', ['xzOf', tarball, 'package/package.json'], root);
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * The TypeScript examples of a README that are complete files: ```ts blocks whose first line is
 * `// <name>.ts …`. Returns file name → source.
 */
export function readmeFiles(readme: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const match of readme.matchAll(/```ts\n(\/\/ ([\w-]+\.ts)\b[\s\S]*?)```/g)) {
    const [, source, name] = match;
    if (source !== undefined && name !== undefined) files.set(name, source);
  }
  return files;
}
