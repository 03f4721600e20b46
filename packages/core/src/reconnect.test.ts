import { expect, test } from 'vitest';
import { DEFAULT_RECONNECT, reconnectDelay, resolveReconnect } from './reconnect.js';

test('defaults, overrides, and false turns reconnection off', () => {
  expect(resolveReconnect(undefined)).toEqual(DEFAULT_RECONNECT);
  expect(resolveReconnect({ maxAttempts: 3 })).toEqual({ ...DEFAULT_RECONNECT, maxAttempts: 3 });
  expect(resolveReconnect(false).maxAttempts).toBe(0);
});

test('full jitter: the delay is within [0, min(max, initial * 2^attempt)]', () => {
  const options = resolveReconnect({ initialDelayMs: 100, maxDelayMs: 1000 });
  expect(reconnectDelay(0, options, undefined, () => 0.999)).toBe(99);
  expect(reconnectDelay(3, options, undefined, () => 0.5)).toBe(400);
  expect(reconnectDelay(10, options, undefined, () => 0.999)).toBe(999);
  expect(reconnectDelay(1000, options, undefined, () => 0)).toBe(0);
  for (let attempt = 0; attempt < 50; attempt++) {
    const delay = reconnectDelay(attempt, options);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(1000);
  }
});

test('SH-17: a server retry hint is respected', () => {
  expect(reconnectDelay(5, resolveReconnect({}), 3000, () => 0)).toBe(3000);
});
