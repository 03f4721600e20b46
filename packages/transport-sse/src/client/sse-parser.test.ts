import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './_sse-parser.js';

function parse(chunks: (string | Uint8Array)[], maxEventBytes = 1024 * 1024) {
  const events: SseEvent[] = [];
  const retries: number[] = [];
  const oversize: number[] = [];
  const parser = new SseParser({
    maxEventBytes,
    onEvent: (event) => events.push(event),
    onRetry: (ms) => retries.push(ms),
    onOversize: (bytes) => oversize.push(bytes),
  });
  const encoder = new TextEncoder();
  for (const chunk of chunks) parser.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
  parser.end();
  return { events, retries, oversize, lastEventId: parser.lastEventId };
}

describe('SseParser', () => {
  it('parses LF, CRLF and CR line ends alike', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const { events } = parse([`data: a${eol}${eol}event: x${eol}data: b${eol}${eol}`]);
      expect(events).toEqual([
        { event: 'message', data: 'a', id: '' },
        { event: 'x', data: 'b', id: '' },
      ]);
    }
  });

  it('joins multi-line data with LF and strips one leading space only', () => {
    const { events } = parse(['data:  two spaces\ndata:none\ndata\n\n']);
    expect(events).toEqual([{ event: 'message', data: ' two spaces\nnone\n', id: '' }]);
  });

  it('ignores comments and unknown fields; discards an unterminated event at the end', () => {
    const { events } = parse([': keep-alive\nfoo: bar\ndata: x\n\n: another\ndata: lost']);
    expect(events).toEqual([{ event: 'message', data: 'x', id: '' }]);
  });

  it('tracks id (ignoring ids with NUL) and dispatches a priming event with empty data (SH-14)', () => {
    const { events, lastEventId } = parse(['id: 1\ndata:\n\nid: bad\0id\ndata: x\n\nid: 7\n\n']);
    expect(events).toEqual([
      { event: 'message', data: '', id: '1' },
      { event: 'message', data: 'x', id: '1' },
    ]);
    expect(lastEventId).toBe('7');
  });

  it('[SH-16] reports retry only when it is all digits', () => {
    expect(parse(['retry: 1500\nretry: 1.5\nretry: x\n\n']).retries).toEqual([1500]);
  });

  it('strips a leading BOM and decodes UTF-8 split inside a character', () => {
    const bytes = new TextEncoder().encode('\uFEFFdata: é😀\n\n');
    const chunks = Array.from(bytes, (b) => new Uint8Array([b]));
    expect(parse(chunks).events).toEqual([{ event: 'message', data: 'é😀', id: '' }]);
  });

  it('gives the same events however the stream is cut (CR/LF split across chunks included)', () => {
    const stream = 'id: a\r\ndata: {"x":1}\r\n\r\n: c\rdata: é\rdata: 2\r\revent: e\ndata: 3\n\n';
    const expected = parse([stream]).events;
    expect(expected).toHaveLength(3);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: string[] = [];
        let previous = 0;
        for (const point of points) {
          chunks.push(stream.slice(previous, point));
          previous = point;
        }
        chunks.push(stream.slice(previous));
        expect(parse(chunks).events).toEqual(expected);
      }),
    );
  });

  it('[TC-6] drops an oversized event, reports it once, and delivers the next one', () => {
    const big = 'x'.repeat(100);
    const viaData = parse([`data: ${big}\ndata: ${big}\n\ndata: ok\n\n`], 150);
    expect(viaData.events).toEqual([{ event: 'message', data: 'ok', id: '' }]);
    expect(viaData.oversize).toHaveLength(1);
    // One long line arriving in small chunks is cut off before it is buffered whole.
    const chunks = ['data: ', ...Array.from({ length: 50 }, () => big), '\n\ndata: next\n\n'];
    const viaLine = parse(chunks, 150);
    expect(viaLine.events).toEqual([{ event: 'message', data: 'next', id: '' }]);
    expect(viaLine.oversize).toHaveLength(1);
  });

  it('counts bytes, not characters, against the limit', () => {
    const { events, oversize } = parse(['data: ' + 'é'.repeat(60) + '\n\n'], 100);
    expect(events).toEqual([]);
    expect(oversize).toHaveLength(1);
  });

  it('handles a 1 MiB event in 1 KiB chunks', () => {
    const data = 'y'.repeat(1024 * 1024);
    const text = `data: ${data}\n\n`;
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += 1024) chunks.push(text.slice(i, i + 1024));
    const { events } = parse(chunks, 2 * 1024 * 1024);
    expect(events).toHaveLength(1);
    expect(events[0]?.data.length).toBe(data.length);
  });
});
