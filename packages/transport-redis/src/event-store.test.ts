import { isTransportError, TransportErrorCode, type JSONRPCMessage } from '@mcp-transports/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisEventStore } from './event-store.js';
import { hasRedis, TestRedisServer } from './__test__/redis-server.js';

const note = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { n } });

async function replay(store: RedisEventStore, after: string) {
  const got: [string, JSONRPCMessage][] = [];
  const streamId = await store.replayEventsAfter(after, {
    send: async (id, message) => {
      got.push([id, message]);
    },
  });
  return { streamId, got };
}

describe.skipIf(!hasRedis)('RedisEventStore', () => {
  let redis: TestRedisServer;
  let nodeA: Redis;
  let nodeB: Redis;
  let prefix = 0;
  const stores = () => {
    const p = `es${++prefix}`;
    return [
      new RedisEventStore({ redis: nodeA, prefix: p }),
      new RedisEventStore({ redis: nodeB, prefix: p }),
    ] as const;
  };

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    // Two connections: two HTTP nodes sharing one Redis.
    nodeA = new Redis(redis.url);
    nodeB = new Redis(redis.url);
  });
  afterAll(async () => {
    nodeA.disconnect();
    nodeB.disconnect();
    await redis.stop();
  });

  it('[SH-34] [SH-36] [SH-37] events stored on one node replay on another, after the given id, from that stream only', async () => {
    const [a, b] = stores();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await a.storeEvent('stream-1', note(i)));
      await a.storeEvent('stream-2', note(100 + i));
    }
    expect(new Set(ids).size).toBe(5);
    const { streamId, got } = await replay(b, ids[1]!);
    expect(streamId).toBe('stream-1');
    expect(got.map(([, m]) => m)).toEqual([note(2), note(3), note(4)]);
    expect(got.map(([id]) => id)).toEqual(ids.slice(2));
    expect(await b.getStreamIdForEventId(ids[0]!)).toBe('stream-1');
  });

  it('[SH-30] replays the standalone GET stream and any stream id, including ones with dots and colons', async () => {
    const [a, b] = stores();
    for (const streamId of ['_GET_stream', 'a.b:c{d}/é', '']) {
      const first = await a.storeEvent(streamId, note(1));
      await a.storeEvent(streamId, note(2));
      expect(first).toMatch(/^[\x21-\x7e]+$/);
      const { streamId: got, got: events } = await replay(b, first);
      expect(got).toBe(streamId);
      expect(events.map(([, m]) => m)).toEqual([note(2)]);
    }
  });

  it('replays nothing after the newest event, and events stored during a replay are not replayed', async () => {
    const [a, b] = stores();
    const last = await a.storeEvent('s', note(1));
    expect((await replay(b, last)).got).toEqual([]);
    const first = await a.storeEvent('s', note(2));
    await a.storeEvent('s', note(3));
    const got: JSONRPCMessage[] = [];
    await b.replayEventsAfter(first, {
      send: async (_id, message) => {
        got.push(message);
        await a.storeEvent('s', note(99));
      },
    });
    expect(got).toEqual([note(3)]);
  });

  it('an unknown, evicted or malformed event id rejects with ERR_UNKNOWN_EVENT', async () => {
    const p = `es${++prefix}`;
    const small = new RedisEventStore({ redis: nodeA, prefix: p, maxEventsPerStream: 1 });
    const first = await small.storeEvent('s', note(0));
    // MAXLEN ~ trims whole macro nodes: write enough to evict the first for sure.
    for (let i = 1; i < 500; i++) await small.storeEvent('s', note(i));
    for (const id of [first, 'nonsense', '1-1.nostream', '']) {
      const error = await small.replayEventsAfter(id, { send: async () => {} }).catch((e: unknown) => e);
      expect(isTransportError(error, TransportErrorCode.UnknownEvent), id).toBe(true);
      expect(await small.getStreamIdForEventId(id)).toBeUndefined();
    }
    expect(await nodeA.xlen(small.keyOf('s'))).toBeLessThan(500);
  });

  it('every stream key carries a TTL, and clearStream deletes it', async () => {
    const p = `es${++prefix}`;
    const store = new RedisEventStore({ redis: nodeA, prefix: p, ttlMs: 60_000 });
    await store.storeEvent('s', note(1));
    const ttl = await nodeA.pttl(store.keyOf('s'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await store.clearStream('s');
    expect(await nodeA.exists(store.keyOf('s'))).toBe(0);
  });

  it('a malformed stored entry is reported and skipped during replay', async () => {
    const p = `es${++prefix}`;
    const errors: Error[] = [];
    const store = new RedisEventStore({ redis: nodeA, prefix: p, onerror: (e) => errors.push(e) });
    const first = await store.storeEvent('s', note(1));
    await nodeB.xadd(store.keyOf('s'), '*', 'm', '{broken');
    await nodeB.xadd(store.keyOf('s'), '*', 'x', 'y');
    await store.storeEvent('s', note(2));
    const { got } = await replay(store, first);
    expect(got.map(([, m]) => m)).toEqual([note(2)]);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual([
      TransportErrorCode.ParseError,
      TransportErrorCode.InvalidMessage,
    ]);
  });
});
