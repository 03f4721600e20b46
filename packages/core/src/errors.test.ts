import { expect, test } from 'vitest';
import { isTransportError, toError, TransportError } from './errors.js';

test('TransportError carries a stable code users can branch on', () => {
  const error = new TransportError('ERR_CLOSED', '[mcp-transports/core] closed', { cause: new Error('eof') });
  expect(error).toBeInstanceOf(Error);
  expect(error.name).toBe('TransportError');
  expect(isTransportError(error)).toBe(true);
  expect(isTransportError(error, 'ERR_CLOSED')).toBe(true);
  expect(isTransportError(error, 'ERR_TIMEOUT')).toBe(false);
  expect(isTransportError(new Error('x'))).toBe(false);
  expect((error.cause as Error).message).toBe('eof');
});

test('toError turns any thrown value into an Error', () => {
  const e = new Error('x');
  expect(toError(e)).toBe(e);
  expect(toError('boom').message).toBe('boom');
  expect(toError({ a: 1 }).message).toBe('{"a":1}');
  expect(toError(1n).message).toBe('1');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(toError(cyclic).message).toBe('[object Object]');
});
