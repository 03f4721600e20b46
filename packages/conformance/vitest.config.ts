import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'conformance',
    include: ['src/**/*.test.ts'],
    // Real child processes (the CLI, stdio servers) on a shared 2-core machine: room, never timing asserts.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
