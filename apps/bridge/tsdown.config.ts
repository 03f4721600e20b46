import { defineConfig } from 'tsdown';

// A private app, not a published package: one runnable file, with our workspace packages (whose
// exports point at TypeScript sources) bundled in. The bridge takes only argument parsers from the
// demo apps; their modules have no side effects, so saying so keeps the SDK and zod out of the bundle.
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
  treeshake: { moduleSideEffects: (id: string) => !/[\\/]apps[\\/]demo-(client|server)[\\/]/.test(id) },
});
