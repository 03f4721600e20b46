import { defineConfig } from 'tsdown';

// `node`, not the root's `neutral`: this package imports node:crypto and node:os.
export default defineConfig({ entry: 'src/index.ts', platform: 'node', fixedExtension: false });
