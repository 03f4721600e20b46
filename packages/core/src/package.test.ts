// Core runs in browsers and edge runtimes: it must have no runtime dependency and import nothing
// from Node. ESLint and `types: []` enforce this while editing; this test guards the package itself.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const root = join(import.meta.dirname, '..');

test('core has no runtime dependencies', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  expect(pkg.dependencies ?? {}).toEqual({});
  expect(pkg.peerDependencies ?? {}).toEqual({});
});

test('core sources import nothing from Node and use no Node globals', () => {
  const sources = readdirSync(join(root, 'src')).filter((f) => f.endsWith('.ts') && !f.includes('.test'));
  expect(sources.length).toBeGreaterThan(5);
  for (const file of sources) {
    // Comments may name what is forbidden ("never calls `process.exit`"); check code only.
    const text = readFileSync(join(root, 'src', file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    expect(text, file).not.toMatch(/from ['"](node:|fs|path|os|crypto|stream|events|buffer)['"]/);
    expect(text, file).not.toMatch(/\b(Buffer|process)\.\w/);
  }
});
