import { defineConfig } from 'tsdown';

// A private app, not a published package: runnable files, with our workspace packages (whose
// exports point at TypeScript sources) bundled in and the SDK left as a dependency.
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
