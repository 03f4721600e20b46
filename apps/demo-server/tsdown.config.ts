import { defineConfig } from 'tsdown';

// A private app, not a published package: one runnable file, with our workspace packages (whose
// exports point at TypeScript sources) bundled in and the SDK and zod left as dependencies.
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  dts: false,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
  deps: { alwaysBundle: [/^@mcp-transports\//] },
});
