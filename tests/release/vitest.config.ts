import { defineProject } from 'vitest/config';

// Slow by nature (pack, npm install from the registry, tsc): one pack step shared by the files of
// this project, and generous timeouts. Never timing assertions.
export default defineProject({
  test: { name: 'release', include: ['src/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 300_000 },
});
