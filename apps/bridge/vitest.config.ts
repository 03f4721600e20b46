import { defineProject } from 'vitest/config';

// Real child processes (the bridge from source with tsx, server-everything behind it) need time on a busy machine.
export default defineProject({
  test: { name: 'bridge', include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 30_000 },
});
