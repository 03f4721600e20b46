import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'websocket',
    include: ['src/**/*.test.ts'],
  },
});
