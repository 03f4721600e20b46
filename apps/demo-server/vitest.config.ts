import { defineProject } from 'vitest/config';

// Real child processes (started from source with tsx) need more than vitest's 5 s on a busy machine.
export default defineProject({
  test: { name: 'demo-server', include: ['src/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 },
});
