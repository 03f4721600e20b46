import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { TransportError } from './errors.js';
import type { JSONRPCMessage } from './jsonrpc.js';
import { encodeLine, LineDecoder } from './line-decoder.js';

const utf8 = new TextEncoder();

function collect(maxMessageBytes?: number) {
  const messages: JSONRPCMessage[] = [];
  const errors: TransportError[] = [];
  const decoder = new LineDecoder({
    onmessage: (m) => messages.push(m),
    onerror: (e) => errors.push(e),
    ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }),
  });
  return { decoder, messages, errors };
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(last, p));
    last = p;
  }
  chunks.push(bytes.subarray(last));
  return chunks;
}

const request = (id: number | string, params?: Record<string, unknown>): JSONRPCMessage =>
  params === undefined ? { jsonrpc: '2.0', id, method: 'm' } : { jsonrpc: '2.0', id, method: 'm', params };

describe('LineDecoder', () => {
  test('decodes messages split at every possible byte, including inside multi-byte characters', () => {
    const messages = [request(0, { s: 'é🎉中\u2028' }), request('', { s: 'a\nb' }), request(2 ** 53 - 1)];
    const bytes = utf8.encode(messages.map(encodeLine).join(''));
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { decoder, messages: out, errors } = collect();
      decoder.push(bytes.subarray(0, cut));
      decoder.push(bytes.subarray(cut));
      decoder.end();
      expect(errors).toEqual([]);
      expect(out).toEqual(messages);
    }
  });

  test('accepts \\r\\n, blank lines, and a final line without newline at end of stream', () => {
    const { decoder, messages, errors } = collect();
    decoder.push('\n\r\n  \n{"jsonrpc":"2.0","method":"a"}\r\n\n{"jsonrpc":"2.0","method":"b"}');
    expect(messages).toHaveLength(1);
    decoder.end();
    expect(messages.map((m) => (m as { method: string }).method)).toEqual(['a', 'b']);
    expect(errors).toEqual([]);
  });

  test('a non-JSON line is reported and the stream goes on', () => {
    const { decoder, messages, errors } = collect();
    decoder.push(utf8.encode('hello, I am a stray console.log\n{"jsonrpc":"2.0","method":"a"}\n{"jsonrpc":"2.0"}\n'));
    expect(messages).toEqual([{ jsonrpc: '2.0', method: 'a' }]);
    expect(errors.map((e) => e.code)).toEqual(['ERR_PARSE', 'ERR_INVALID_MESSAGE']);
  });

  test('an over-limit line gets a typed error, is discarded without buffering, and later lines arrive', () => {
    const { decoder, messages, errors } = collect(100);
    const big = encodeLine(request(1, { s: 'x'.repeat(500) }));
    const bytes = utf8.encode(big + encodeLine(request(2)));
    // Fed in small chunks: the error comes as soon as the limit is passed, not at the newline.
    let reportedAt = -1;
    for (let i = 0; i < bytes.length; i += 16) {
      decoder.push(bytes.subarray(i, i + 16));
      if (errors.length === 1 && reportedAt === -1) reportedAt = i;
      expect(decoder.pendingBytes).toBeLessThanOrEqual(100);
    }
    expect(reportedAt).toBeLessThan(big.length - 16);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('ERR_MESSAGE_TOO_LARGE');
    expect(errors[0]!.message).toContain('maxMessageBytes (100 bytes');
    expect(messages).toEqual([request(2)]);
  });

  test('the limit counts UTF-8 bytes, not characters', () => {
    const message = request(1, { s: '🎉'.repeat(20) }); // 80 bytes of emoji, 40 UTF-16 units
    const size = utf8.encode(JSON.stringify(message)).length;
    const atLimit = collect(size);
    atLimit.decoder.push(encodeLine(message));
    expect(atLimit.messages).toHaveLength(1);
    const over = collect(size - 1);
    over.decoder.push(utf8.encode(encodeLine(message)));
    expect(over.errors.map((e) => e.code)).toEqual(['ERR_MESSAGE_TOO_LARGE']);
  });

  test('an over-limit final line without newline is reported at end()', () => {
    const { decoder, messages, errors } = collect(10);
    decoder.push('{"jsonrpc":');
    decoder.end();
    expect(messages).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESSAGE_TOO_LARGE']);
  });

  test('encodeLine frames with exactly one raw newline, at the end (ST-4)', () => {
    const line = encodeLine(request(1, { s: 'a\nb\rc\u2028\u2029' }));
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(line).not.toContain('\r');
  });

  test('cost is linear: a 10 MB line in 64 KiB chunks is never re-copied', () => {
    // Regression: the SDK's ReadBuffer concatenates its whole buffer on every chunk (quadratic).
    // We assert the mechanism, not timing: pending data is held as pieces, one per chunk.
    const payload = 'x'.repeat(10 * 1024 * 1024);
    const bytes = utf8.encode(encodeLine(request(1, { s: payload })));
    const { decoder, messages } = collect(64 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 65536) decoder.push(bytes.subarray(i, i + 65536));
    expect(messages).toHaveLength(1);
    expect((messages[0] as unknown as { params: { s: string } }).params.s.length).toBe(payload.length);
  });

  test('a line sent a few bytes per chunk, mixed with big chunks, decodes whole (small pieces are staged)', () => {
    const payload = `${'é🎉中ab'.repeat(5000)}${'x'.repeat(70_000)}`;
    const bytes = utf8.encode(encodeLine(request(7, { s: payload })) + encodeLine(request(8)));
    const { decoder, messages, errors } = collect();
    // 1-3 byte chunks, then a 40 KB chunk, then small again: every path of the staging.
    let i = 0;
    let n = 0;
    while (i < bytes.length) {
      const size = n++ % 50 === 49 ? 40_000 : (n % 3) + 1;
      decoder.push(bytes.subarray(i, i + size));
      i += size;
    }
    expect(errors).toEqual([]);
    expect(messages).toEqual([request(7, { s: payload }), request(8)]);
  });

  test('a byte order mark opening the stream is skipped, even split across chunks; one later is not', () => {
    const bytes = utf8.encode(`\uFEFF${encodeLine(request(1))}\uFEFF${encodeLine(request(2))}`);
    for (let cut = 0; cut <= 4; cut++) {
      const { decoder, messages, errors } = collect();
      decoder.push(bytes.subarray(0, cut));
      decoder.push(bytes.subarray(cut));
      decoder.end();
      expect(messages).toEqual([request(1)]);
      expect(errors.map((e) => e.code)).toEqual(['ERR_PARSE']);
    }
  });

  test('one line fed partly as text and partly as bytes decodes whole, a split character included', () => {
    const { decoder, messages, errors } = collect();
    const tail = utf8.encode('é"}}\n');
    decoder.push('{"jsonrpc":"2.0","id":1,"method":"m",');
    decoder.push(utf8.encode('"params":{"s":"'));
    decoder.push(tail.subarray(0, 1));
    decoder.push(tail.subarray(1));
    decoder.push('{"jsonrpc":"2.0","id":2,"method":"m"}\n');
    expect(errors).toEqual([]);
    expect(messages).toEqual([request(1, { s: 'é' }), request(2)]);
  });
});

describe('LineDecoder properties (fast-check)', () => {
  const id = fc.oneof(fc.integer(), fc.string(), fc.constant(0), fc.constant(''), fc.constant(Number.MAX_SAFE_INTEGER));
  const text = fc.string({ unit: 'binary' });
  const params = fc.dictionary(fc.string(), fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)), {
    maxKeys: 4,
  });
  const message: fc.Arbitrary<JSONRPCMessage> = fc.oneof(
    fc.record({ jsonrpc: fc.constant('2.0' as const), id, method: text, params }),
    fc.record({ jsonrpc: fc.constant('2.0' as const), method: text, params }),
    fc.record({ jsonrpc: fc.constant('2.0' as const), id, result: params }),
    fc.record({
      jsonrpc: fc.constant('2.0' as const),
      id,
      error: fc.record({ code: fc.integer(), message: text }),
    }),
  );

  test('any sequence of valid messages, encoded and split anywhere, decodes to the same sequence', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (messages, cuts) => {
        // JSON cannot carry -0 or lone surrogates faithfully; compare what JSON says.
        const expected = messages.map((m) => JSON.parse(JSON.stringify(m)) as unknown);
        const bytes = utf8.encode(messages.map(encodeLine).join(''));
        const { decoder, messages: out, errors } = collect();
        for (const chunk of split(bytes, cuts)) decoder.push(chunk);
        decoder.end();
        expect(errors).toEqual([]);
        expect(out).toEqual(expected.map((m) => JSON.parse(new TextDecoder().decode(utf8.encode(JSON.stringify(m))))));
      }),
      { numRuns: 300 },
    );
  });

  test('arbitrary bytes never throw and never hang; memory stays within the limit', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), (chunks) => {
        const { decoder } = collect(64);
        for (const chunk of chunks) {
          decoder.push(chunk);
          expect(decoder.pendingBytes).toBeLessThanOrEqual(64);
        }
        decoder.end();
      }),
      { numRuns: 500 },
    );
  });
});
