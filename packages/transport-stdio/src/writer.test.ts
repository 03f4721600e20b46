import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { BatchingWriter } from './_writer.js';

/** A stream that records each write() and answers true until `full` is set. */
class Recorder extends EventEmitter {
  writes: string[] = [];
  full = false;
  write(chunk: string, callback: (error?: Error | null) => void): boolean {
    this.writes.push(chunk);
    queueMicrotask(() => {
      callback();
    });
    return !this.full;
  }
}

describe('BatchingWriter', () => {
  test('the first send of a tick is written at once; the rest of the tick goes out as one write', async () => {
    const stream = new Recorder();
    const writer = new BatchingWriter(stream as unknown as Writable);
    const first = writer.write('a\n');
    expect(stream.writes).toEqual(['a\n']); // before any microtask: a lone request waits for nothing
    const rest = [writer.write('b\n'), writer.write('c\n'), writer.write('d\n')];
    expect(stream.writes).toEqual(['a\n']);
    await Promise.all([first, ...rest]);
    expect(stream.writes).toEqual(['a\n', 'b\nc\nd\n']);
    // A later tick starts over: written at once again.
    void writer.write('e\n');
    expect(stream.writes).toHaveLength(3);
  });

  test('when the first write fills the buffer, the rest of the tick waits for one drain', async () => {
    const stream = new Recorder();
    stream.full = true;
    const writer = new BatchingWriter(stream as unknown as Writable);
    void writer.write('a\n');
    const later = writer.write('b\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.writes).toEqual(['a\n']);
    expect(stream.listenerCount('drain')).toBe(1);
    stream.full = false;
    stream.emit('drain');
    await later;
    expect(stream.writes).toEqual(['a\n', 'b\n']);
  });
});
