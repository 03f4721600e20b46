import { defineConfig } from 'tsdown';

// Named entries (one per subpath export), otherwise the root settings: ESM only, declarations,
// publint + arethetypeswrong as errors.
export default defineConfig({
  entry: { server: 'src/server/index.ts', client: 'src/client/index.ts', browser: 'src/client/browser.ts' },
  format: 'esm',
  platform: 'neutral',
  target: 'node20.19',
  dts: true,
  sourcemap: true,
  clean: true,
  // The server entry uses node:http (createMcpHttpServer); Node built-ins are never bundled.
  deps: { neverBundle: [/^node:/] },
  publint: { level: 'error' },
  attw: { profile: 'esm-only', level: 'error' },
});
