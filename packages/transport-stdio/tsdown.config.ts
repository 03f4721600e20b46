import { defineConfig } from 'tsdown';

// Node-only package: resolve `node:` built-ins as such (the shared config targets the neutral platform).
export default defineConfig({ entry: 'src/index.ts', platform: 'node' });
