import { existsSync } from 'node:fs';
import { defineConfig } from 'tsdown';

// Named entries (one per subpath export), otherwise the root settings: ESM only, declarations,
// publint + arethetypeswrong as errors. Only entries whose source exists are built, so the server
// and client halves can land independently.
const candidates = {
  server: 'src/server/index.ts',
  client: 'src/client/index.ts',
  browser: 'src/client/browser.ts',
};
const entry = Object.fromEntries(Object.entries(candidates).filter(([, file]) => existsSync(file)));

export default defineConfig({
  entry,
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
