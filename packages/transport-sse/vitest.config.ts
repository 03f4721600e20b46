import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'sse',
    include: ['src/**/*.test.ts'],
    // Real servers and the real SDK on a shared machine: room for slow runs; timing is never asserted.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
