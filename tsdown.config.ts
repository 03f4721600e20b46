import { defineConfig } from 'tsdown';

// One build configuration for every published package (workspace mode): ESM only, declarations,
// and publint + arethetypeswrong as errors, so an unpublishable package fails the build.
export default defineConfig({
  workspace: { include: ['packages/*'] },
  format: 'esm',
  platform: 'neutral',
  target: 'node20.19',
  dts: true,
  sourcemap: true,
  clean: true,
  exports: { devExports: true },
  publint: { level: 'error' },
  attw: { profile: 'esm-only', level: 'error' },
});
