import { describe, expect, test } from 'vitest';
import { decodeBatch, decodeMessage, encodeMessage, validateMessage } from './codec.js';
import { TransportError } from './errors.js';
import { INVALID_REQUEST, PARSE_ERROR } from './jsonrpc.js';

function expectInvalid(input: string, fragment: string, code: number = INVALID_REQUEST) {
  const result = decodeMessage(input);
  expect(result.ok).toBe(false);
  expect(result.error).toBeInstanceOf(TransportError);
  expect(result.error?.jsonRpcCode).toBe(code);
  expect(result.error?.message).toContain(fragment);
  return result.error!;
}

describe('decodeMessage: valid messages (JR-2..JR-13)', () => {
  test.each([
    ['request', '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'],
    ['request with params', '{"jsonrpc":"2.0","id":"a","method":"x","params":{"k":[1,2]}}'],
    ['notification', '{"jsonrpc":"2.0","method":"notifications/initialized"}'],
    ['result response', '{"jsonrpc":"2.0","id":7,"result":{}}'],
    ['error response', '{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"nope","data":{"x":1}}}'],
    ['error response without id (JR-9)', '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"}}'],
  ])('%s', (_name, input) => {
    const result = decodeMessage(input);
    expect(result.ok).toBe(true);
    expect(result.message).toEqual(JSON.parse(input));
  });

  test('ids 0, "" and large integers are real ids (JR-4)', () => {
    for (const id of [0, '', 9007199254740991, -1, 'x'.repeat(1000)]) {
      const result = decodeMessage(JSON.stringify({ jsonrpc: '2.0', id, method: 'm' }));
      expect(result.ok).toBe(true);
      expect(result.message).toHaveProperty('id', id);
    }
  });

  test('UTF-8 bytes decode like the string', () => {
    const text = '{"jsonrpc":"2.0","method":"n","params":{"s":"héllo 🎉 \u2028"}}';
    const result = decodeMessage(new TextEncoder().encode(text));
    expect(result.message).toEqual(JSON.parse(text));
  });

  test('leniency: an error response with "id": null (SDK HTTP bodies) is delivered without id', () => {
    const result = decodeMessage('{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Bad Request"}}');
    expect(result.ok).toBe(true);
    expect(result.message).toEqual({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request' } });
  });

  test('unknown top-level members are kept', () => {
    expect(decodeMessage('{"jsonrpc":"2.0","method":"n","ext":1}').message).toHaveProperty('ext', 1);
  });
});

describe('decodeMessage: what is wrong, and which code applies', () => {
  test('malformed JSON → -32700 ERR_PARSE', () => {
    const error = expectInvalid('{"jsonrpc":"2.0",', 'malformed JSON', PARSE_ERROR);
    expect(error.code).toBe('ERR_PARSE');
  });

  test('invalid UTF-8 bytes → -32700 (JR-1)', () => {
    const result = decodeMessage(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expect(result.error?.code).toBe('ERR_PARSE');
    expect(result.error?.message).toContain('UTF-8');
  });

  test.each([
    ['not an object', '42', 'must be a JSON object'],
    ['null', 'null', 'must be a JSON object'],
    ['wrong version', '{"jsonrpc":"1.0","id":1,"method":"m"}', '"jsonrpc" must be "2.0"'],
    ['missing version', '{"id":1,"method":"m"}', '"jsonrpc" must be "2.0"'],
    ['method not a string', '{"jsonrpc":"2.0","id":1,"method":5}', '"method" must be a string'],
    ['id null in request (JR-5)', '{"jsonrpc":"2.0","id":null,"method":"m"}', '"id" must be a string or an integer'],
    ['fractional id', '{"jsonrpc":"2.0","id":1.5,"method":"m"}', '"id" must be a string or an integer'],
    ['object id', '{"jsonrpc":"2.0","id":{},"method":"m"}', '"id" must be a string or an integer'],
    ['positional params', '{"jsonrpc":"2.0","id":1,"method":"m","params":[1]}', '"params" must be an object'],
    ['result and error (JR-8)', '{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":""}}', 'both'],
    ['result without id', '{"jsonrpc":"2.0","result":{}}', 'needs a string or integer "id"'],
    ['non-object result', '{"jsonrpc":"2.0","id":1,"result":3}', '"result" must be an object'],
    [
      'fractional error code (JR-11)',
      '{"jsonrpc":"2.0","id":1,"error":{"code":1.5,"message":"m"}}',
      'must be an integer',
    ],
    ['error without message', '{"jsonrpc":"2.0","id":1,"error":{"code":1}}', '"error.message" must be a string'],
    ['nothing to do', '{"jsonrpc":"2.0","id":1}', 'not a request, notification or response'],
  ])('%s → -32600 ERR_INVALID_MESSAGE', (_name, input, fragment) => {
    expect(expectInvalid(input, fragment).code).toBe('ERR_INVALID_MESSAGE');
  });

  test('the id of an invalid request is kept when readable, so the error response can carry it', () => {
    expect(expectInvalid('{"jsonrpc":"2.0","id":0,"method":"m","params":3}', 'params').requestId).toBe(0);
    expect(expectInvalid('{"jsonrpc":"2.0","id":"","method":"m","params":3}', 'params').requestId).toBe('');
  });
});

describe('batches (JR-14)', () => {
  const batch = '[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","method":"b"}]';

  test('refused by default, with the reason', () => {
    expect(decodeMessage(batch).error?.message).toContain('batches are not supported since MCP 2025-06-18');
    expect(decodeBatch(batch).error?.message).toContain('batches are not supported');
  });

  test('accepted by decodeBatch when opted in', () => {
    const result = decodeBatch(batch, { allowBatch: true });
    expect(result.ok && result.batch).toBe(true);
    expect(result.messages).toHaveLength(2);
    expect(decodeBatch('{"jsonrpc":"2.0","method":"b"}').messages).toHaveLength(1);
  });

  test('an empty or bad batch says which item is wrong', () => {
    expect(decodeBatch('[]', { allowBatch: true }).error?.message).toContain('must not be empty');
    expect(
      decodeBatch('[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","id":2,"method":4}]', { allowBatch: true }).error
        ?.message,
    ).toContain('batch item 1');
  });
});

describe('prototype pollution', () => {
  test('__proto__ and constructor keys stay plain data and never reach Object.prototype', () => {
    const input =
      '{"jsonrpc":"2.0","id":1,"method":"m","__proto__":{"polluted":1},"params":{"__proto__":{"polluted":2},"constructor":{"prototype":{"polluted":3}}}}';
    const result = decodeMessage(input);
    expect(result.ok).toBe(true);
    const message = result.message as unknown as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.getPrototypeOf(message)).toBe(Object.prototype);
    expect(Object.hasOwn(message, '__proto__')).toBe(true);
    const copy = { ...(message.params as object) };
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });
});

describe('encodeMessage', () => {
  test('round-trips, and never emits a raw line break', () => {
    const message = { jsonrpc: '2.0' as const, id: 0, method: 'm', params: { s: 'a\nb\r\nc\u2028d' } };
    const text = encodeMessage(message);
    expect(text).not.toMatch(/[\n\r]/);
    expect(decodeMessage(text).message).toEqual(message);
  });

  test('a value JSON cannot carry gets a typed error', () => {
    const bad = { jsonrpc: '2.0' as const, id: 1, method: 'm', params: { n: 1n } };
    expect(() => encodeMessage(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_MESSAGE' }) as Error);
  });
});

test('validateMessage checks an already-parsed value', () => {
  expect(validateMessage({ jsonrpc: '2.0', method: 'x' }).ok).toBe(true);
  expect(validateMessage([]).error?.message).toContain('must be a JSON object, got an array');
});
