import { defineProject } from 'vitest/config';

// A real browser, a real demo server and a Vite build: slow on a busy machine, never timed.
export default defineProject({
  test: { name: 'playground', include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 90_000 },
});
