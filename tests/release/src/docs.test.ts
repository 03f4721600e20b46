// The documents a newcomer follows: every relative link in them points at a file or folder that
// exists, and the root README leads to the guide, the migration page and the contributing guide.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './_pack.js';

const documents = [
  'README.md',
  'CONTRIBUTING.md',
  join('docs', 'migration.md'),
  join('.changeset', 'README.md'),
  ...readdirSync(join(root, 'packages')).map((folder) => join('packages', folder, 'README.md')),
].filter((file) => existsSync(join(root, file)));

/** Relative link targets of a markdown file, outside code blocks, without #anchors. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.split('#')[0] ?? '');
}

describe('documentation links', () => {
  it.each(documents)('%s: every relative link resolves', (file) => {
    const links = relativeLinks(readFileSync(join(root, file), 'utf8'));
    const broken = links.filter((target) => !existsSync(join(root, dirname(file), target)));
    expect(broken).toEqual([]);
  });

  it('the root README leads to "Which transport?", the migration page, CONTRIBUTING and the API reference', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('## Which transport?');
    expect(relativeLinks(readme)).toEqual(expect.arrayContaining(['docs/migration.md', 'CONTRIBUTING.md']));
    expect(readme).toContain('pnpm docs:api');
  });
});
