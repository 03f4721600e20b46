import { defineConfig } from 'tsdown';

// Several entries (the runner, the vitest adapter); Node platform because the suite spawns
// processes and watches process events. `.js` like every other package of the repo.
export default defineConfig({
  entry: { index: 'src/index.ts', vitest: 'src/vitest.ts', node: 'src/node.ts', cli: 'src/cli.ts' },
  platform: 'node',
  fixedExtension: false,
});
