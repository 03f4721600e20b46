import { describe, expect, test } from 'vitest';
import { MemoryEventStore } from './event-store.js';
import type { JSONRPCMessage } from './jsonrpc.js';

const msg = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'n', params: { n } });

async function replay(store: MemoryEventStore, after: string) {
  const sent: [string, JSONRPCMessage][] = [];
  const streamId = await store.replayEventsAfter(after, {
    send: async (id, message) => {
      sent.push([id, message]);
    },
  });
  return {
    streamId,
    ns: sent.map(([, m]) => (m as unknown as { params: { n: number } }).params.n),
    ids: sent.map(([id]) => id),
  };
}

describe('MemoryEventStore', () => {
  test('replays only the events of the same stream after the given id (SH-36, SH-37)', async () => {
    const store = new MemoryEventStore();
    const ids: string[] = [];
    for (let n = 0; n < 6; n++) ids.push(await store.storeEvent(n % 2 === 0 ? 'a' : 'b', msg(n)));
    expect(await replay(store, ids[0]!)).toMatchObject({ streamId: 'a', ns: [2, 4] });
    expect(await replay(store, ids[1]!)).toMatchObject({ streamId: 'b', ns: [3, 5] });
    expect(await replay(store, ids[5]!)).toMatchObject({ streamId: 'b', ns: [] });
  });

  test('event ids are unique across streams and replay hands them out again (SH-33)', async () => {
    const store = new MemoryEventStore();
    const first = await store.storeEvent('a', msg(1));
    const second = await store.storeEvent('b', msg(2));
    const third = await store.storeEvent('a', msg(3));
    expect(new Set([first, second, third]).size).toBe(3);
    expect((await replay(store, first)).ids).toEqual([third]);
  });

  test('the standalone GET stream and stream ids with separators replay correctly', async () => {
    // Regression: the SDK's example store derives the stream from the event id by splitting on
    // "_", so the standalone stream "_GET_stream" replayed nothing (SDK issue #943).
    const store = new MemoryEventStore();
    const get1 = await store.storeEvent('_GET_stream', msg(1));
    await store.storeEvent('post_1.2', msg(2));
    await store.storeEvent('_GET_stream', msg(3));
    await store.storeEvent('post_1.2', msg(4));
    expect(await store.getStreamIdForEventId(get1)).toBe('_GET_stream');
    expect(await replay(store, get1)).toMatchObject({ streamId: '_GET_stream', ns: [3] });
  });

  test('bounded by count: the oldest events are evicted, and replay from an evicted id says so', async () => {
    const store = new MemoryEventStore({ maxEvents: 3 });
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push(await store.storeEvent('a', msg(n)));
    expect(store.size).toBe(3);
    await expect(replay(store, ids[0]!)).rejects.toMatchObject({ code: 'ERR_UNKNOWN_EVENT' });
    expect(await replay(store, ids[2]!)).toMatchObject({ ns: [3, 4] });
    expect(await store.getStreamIdForEventId(ids[0]!)).toBeUndefined();
  });

  test('bounded by bytes', async () => {
    const store = new MemoryEventStore({ maxBytes: 1000 });
    for (let n = 0; n < 100; n++) await store.storeEvent(`s${n % 3}`, msg(n));
    expect(store.bytes).toBeLessThanOrEqual(1000);
    expect(store.size).toBeGreaterThan(0);
  });

  test('an unknown id rejects with ERR_UNKNOWN_EVENT', async () => {
    await expect(replay(new MemoryEventStore(), 'nope')).rejects.toMatchObject({ code: 'ERR_UNKNOWN_EVENT' });
  });

  test('clearStream forgets one stream only', async () => {
    const store = new MemoryEventStore();
    const a = await store.storeEvent('a', msg(1));
    const b = await store.storeEvent('b', msg(2));
    await store.storeEvent('b', msg(3));
    store.clearStream('a');
    await expect(replay(store, a)).rejects.toMatchObject({ code: 'ERR_UNKNOWN_EVENT' });
    expect(await replay(store, b)).toMatchObject({ ns: [3] });
  });
});
