import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'redis',
    include: ['src/**/*.test.ts'],
    // Real redis-server and worker processes: room for a slow machine; timing is never asserted.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
