import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'sse',
    include: ['src/**/*.test.ts'],
  },
});
