import { defineConfig } from 'tsdown';

// Two entries: the Node one (server + client on `ws`) and the browser one (global WebSocket only).
// `node` platform so `node:` built-ins resolve quietly; the browser entry imports none (tested).
export default defineConfig({ entry: ['src/index.ts', 'src/browser.ts'], platform: 'node', fixedExtension: false });
