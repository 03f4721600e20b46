// Every entry point meant for browsers, as published (each package's built dist, the files its
// publishConfig exports name), bundled by esbuild for the browser platform. esbuild refuses any
// Node built-in there (`node:*` or bare `http`, `buffer`, …), so a clean build is the proof; the
// metafile also shows that no Node-only dependency (ws, undici, ioredis, cross-spawn) slipped in.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildFailure, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, root } from './_pack.js';

/** Package export → its published file. */
function published(folder: string, entry: string): string {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')) as {
    publishConfig: { exports: Record<string, string> };
  };
  const file = manifest.publishConfig.exports[entry];
  if (file === undefined) throw new Error(`${folder} publishes no ${entry}`);
  return join(root, 'packages', folder, file);
}

const browserEntries = [
  { name: '@mcp-transports/core', file: published('core', '.') },
  { name: '@mcp-transports/sse/browser', file: published('transport-sse', './browser') },
  { name: '@mcp-transports/websocket/browser', file: published('transport-websocket', './browser') },
];
const nodeOnly = ['ws', 'undici', 'ioredis', 'cross-spawn'];

async function bundleForBrowser(file: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}

beforeAll(async () => {
  await buildIfStale(['core', 'transport-sse', 'transport-websocket']);
});

describe('browser bundles (esbuild, platform browser)', () => {
  it.each(browserEntries)('$name bundles with no Node built-in and no Node-only dependency', async ({ file }) => {
    const metafile = await bundleForBrowser(file);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs.filter((input) => nodeOnly.some((dep) => input.includes(`/node_modules/${dep}/`)))).toEqual([]);
    expect(inputs.filter((input) => input.startsWith('node:') || input.includes('(disabled)'))).toEqual([]);
  });

  it('the check bites: the Node client entry fails to bundle, naming the built-in', async () => {
    const failure = await bundleForBrowser(published('transport-sse', './client')).then(
      () => undefined,
      (error: unknown) => error as BuildFailure,
    );
    expect(failure?.errors.map((e) => e.text).join('\n')).toMatch(/Could not resolve "node:[a-z_]+"/);
  });
});
