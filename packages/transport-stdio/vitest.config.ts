import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'stdio',
    include: ['src/**/*.test.ts'],
    globalSetup: ['./src/fixtures/build.ts'],
    // Real child processes on a shared 2-core machine: generous, timing is never asserted.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
