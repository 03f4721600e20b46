import { defineConfig, type UserConfig } from 'tsdown';

/**
 * The build of a private app (not a published package): one runnable `dist/cli.js` from
 * `src/cli.ts`, with our workspace packages (whose exports point at TypeScript sources) bundled in
 * and the app's other dependencies (the SDK, zod) left as dependencies. `extra` adds to it.
 */
export function appConfig(extra: UserConfig = {}): UserConfig {
  return defineConfig({
    entry: { cli: 'src/cli.ts' },
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    dts: false,
    sourcemap: true,
    clean: true,
    fixedExtension: false,
    deps: { alwaysBundle: [/^@mcp-transports\//] },
    ...extra,
  });
}
