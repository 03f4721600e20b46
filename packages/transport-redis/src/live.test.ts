/**
 * Live delivery is pub/sub (an announcement per entry), the stream is the log. Pub/sub drops what
 * is published while a subscriber is away, so these tests take announcements away in every way
 * we know and check that the stream fills each hole: nothing lost, nothing twice, order kept.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionKeys } from './_keys.js';
import { openPair, Recorder, request, waitFor, type Pair } from './__test__/helpers.js';
import { hasRedis, TestRedisServer } from './__test__/redis-server.js';

const ids = (recorder: Recorder): unknown[] => recorder.messages.map((m) => (m as { id: unknown }).id);
const range = (n: number): number[] => [...Array(n).keys()];
/** Heartbeats far apart: what is recovered here is recovered by the catch-up, not by a beat. */
const SLOW_BEAT = { heartbeatMs: 60_000 };

describe.skipIf(!hasRedis)('live delivery over pub/sub, recovered from the stream', () => {
  let redis: TestRedisServer | undefined;
  let pair: Pair | undefined;
  const opened: Redis[] = [];
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
    for (const client of opened.splice(0)) client.disconnect();
    await redis?.stop();
    redis = undefined;
  });

  /**
   * Sends `n` messages each way, running `interrupt(i)` after the i-th pair, then checks that both
   * ends got every message once, in order, and that neither closed.
   */
  const burstBothWays = async (p: Pair, server: Recorder, n: number, interrupt: (i: number) => Promise<void>) => {
    const client = new Recorder(p.client);
    const sends: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      sends.push(p.client.send(request(i)));
      sends.push(p.server.send({ jsonrpc: '2.0', id: i, result: {} }));
      await interrupt(i);
    }
    await Promise.all(sends);
    await server.until(() => server.messages.length >= n, 20_000, 'server messages');
    await client.until(() => client.messages.length >= n, 20_000, 'client messages');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ids(server)).toEqual(range(n));
    expect(ids(client)).toEqual(range(n));
    expect(client.closed + server.closed).toBe(0);
  };

  /** A session on a fresh Redis with heartbeats far apart, the server's messages recorded, and `n` requests delivered. */
  const quietSession = async (n: number) => {
    redis = await TestRedisServer.start();
    const admin = new Redis(redis.url);
    opened.push(admin);
    let server: Recorder | undefined;
    pair = await openPair(redis.url, {
      client: SLOW_BEAT,
      listener: SLOW_BEAT,
      beforeStart: (t) => (server = new Recorder(t)),
    });
    const recorder = server!;
    for (let i = 1; i <= n; i++) await pair.client.send(request(i)); // s = i
    await recorder.until(() => recorder.messages.length === n);
    const keys = sessionKeys('mcp', pair.endpoint, 'anonymous', pair.client.sessionId!);
    return { admin, server: recorder, keys, client: pair.client };
  };

  it('[TC-3] announcements published while the subscriber is away come from the stream, once, in order', async () => {
    redis = await TestRedisServer.start();
    const admin = new Redis(redis.url);
    // The client's connections reconnect only after 400 ms: a window in which nobody hears the
    // server's announcements (checked with PUBSUB NUMSUB below), so this test cannot pass vacuously.
    const slow = new Redis(redis.url, { retryStrategy: () => 400 });
    opened.push(admin, slow);
    let server: Recorder | undefined;
    pair = await openPair(redis.url, {
      client: { redis: slow, ...SLOW_BEAT },
      listener: SLOW_BEAT,
      beforeStart: (t) => (server = new Recorder(t)),
    });
    const client = new Recorder(pair.client);
    const keys = sessionKeys('mcp', pair.endpoint, 'anonymous', pair.server.sessionId!);
    await pair.server.send({ jsonrpc: '2.0', id: -1, result: {} });
    await client.until(() => client.messages.length === 1);
    await admin.client('KILL', 'TYPE', 'pubsub');
    const [, listening] = (await admin.pubsub('NUMSUB', keys.s2cLive)) as [string, number];
    expect(listening).toBe(0);
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) sends.push(pair.server.send({ jsonrpc: '2.0', id: i, result: {} }));
    await Promise.all(sends);
    await client.until(() => client.messages.length >= 301, 10_000, 'messages published while away');
    // More after the resubscription: live again, and nothing from the catch-up comes twice.
    for (let i = 300; i < 400; i++) await pair.server.send({ jsonrpc: '2.0', id: i, result: {} });
    await client.until(() => client.messages.length >= 401, 10_000, 'messages after the resubscription');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ids(client)).toEqual([-1, ...range(400)]);
    expect(client.errors).toEqual([]);
    expect(client.closed + server!.closed).toBe(0);
  });

  it('[TC-3] subscribers cut again and again mid-burst (CLIENT KILL TYPE pubsub): every message once, in order', async () => {
    redis = await TestRedisServer.start();
    const admin = new Redis(redis.url);
    opened.push(admin);
    let server: Recorder | undefined;
    pair = await openPair(redis.url, { beforeStart: (t) => (server = new Recorder(t)) });
    await burstBothWays(pair, server!, 1000, async (i) => {
      if (i % 200 === 100) {
        // Both subscribers drop while announcements are in flight and held back by catch-ups.
        await admin.client('KILL', 'TYPE', 'pubsub');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
  });

  it('[TC-3] Redis restarted (with persistence) mid-burst: every message once, in order', async () => {
    redis = await TestRedisServer.start({ persistent: true });
    let server: Recorder | undefined;
    pair = await openPair(redis.url, {
      client: { heartbeatMs: 300 },
      listener: { heartbeatMs: 300 },
      beforeStart: (t) => (server = new Recorder(t)),
    });
    const restarting = redis;
    await burstBothWays(pair, server!, 300, async (i) => {
      if (i === 150) await restarting.restart();
    });
  });

  it('[TC-3] an entry written without an announcement is read from the stream as soon as the next one shows the hole', async () => {
    const { admin, server, keys } = await quietSession(1);
    // Entries written without an announcement (as an earlier version of this package writes)…
    await admin.xadd(keys.c2s, '*', 's', '2', 'm', JSON.stringify(request(2)));
    await admin.xadd(keys.c2s, '*', 's', '3', 'm', JSON.stringify(request(3)));
    // …then one announced as this version does: its `s` shows the hole.
    await admin.xadd(keys.c2s, '*', 's', '4', 'm', JSON.stringify(request(4)));
    await admin.publish(keys.c2sLive, `4 - ${JSON.stringify(request(4))}`);
    await server.until(() => server.messages.length === 4, 5000, 'the hole filled from the stream');
    expect(ids(server)).toEqual([1, 2, 3, 4]);
  });

  it('[TC-3] a hole whose entries land after the announcement that shows it is filled, not dropped (the reader reads again, waiting longer each time)', async () => {
    const { admin, server, keys } = await quietSession(1);
    // Past the reader's second read after subscribing (RESUBSCRIBE_SETTLE_MS), which would find them too.
    await new Promise((resolve) => setTimeout(resolve, 400));
    // s = 2 was announced while nobody listened; s = 3's announcement shows the hole. Their entries
    // come right behind (a writer logs what it announced within a few milliseconds).
    await admin.publish(keys.c2sLive, `3 - ${JSON.stringify(request(3))}`);
    // Later than the reader's first wait (10 ms): it must read again.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await admin.xadd(
      keys.c2s,
      '*',
      's',
      '2',
      'n',
      '2',
      'm',
      `${JSON.stringify(request(2))}\n${JSON.stringify(request(3))}`,
    );
    await server.until(() => server.messages.length === 3, 3000, 'the hole filled');
    expect(ids(server)).toEqual([1, 2, 3]);
    expect(server.errors).toEqual([]);
  });

  it('[TC-3] send() resolves once the message is announced; its entry follows in the stream', async () => {
    const { admin, server, keys, client } = await quietSession(1);
    for (let i = 2; i <= 4; i++) await client.send(request(i));
    await server.until(() => server.messages.length === 4);
    await waitFor(async () => {
      const entries = (await admin.xrange(keys.c2s, '-', '+')) as [string, string[]][];
      const seqs = entries.flatMap(([, fields]) => {
        const s = Number(fields[fields.indexOf('s') + 1]);
        const n = fields.includes('n') ? Number(fields[fields.indexOf('n') + 1]) : 1;
        return Array.from({ length: n }, (_, k) => s + k);
      });
      return [1, 2, 3, 4].every((s) => seqs.includes(s));
    }, 3000);
    expect(ids(server)).toEqual([1, 2, 3, 4]);
  });

  it('[TC-3] an entry that lands just after a resubscription read the stream is read a moment later, not a heartbeat later', async () => {
    const { admin, server, keys } = await quietSession(1);
    await admin.client('KILL', 'TYPE', 'pubsub');
    // Back: the server's reader has resubscribed and read the stream (nothing new there).
    await waitFor(async () => ((await admin.pubsub('NUMSUB', keys.c2sLive)) as [string, number])[1] === 1, 5000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    // As when a run was announced while the reader was away and its XADD came right behind:
    // the entry lands after that read, and no later announcement shows the hole.
    await admin.xadd(keys.c2s, '*', 's', '2', 'm', JSON.stringify(request(2)));
    await server.until(() => server.messages.length === 2, 3000, 'the entry read by the second pass');
    expect(ids(server)).toEqual([1, 2]);
    expect(server.errors).toEqual([]);
  });

  it('[TC-3] an announcement heard twice, or the part of a run already delivered, is dropped', async () => {
    const { admin, server, keys, client } = await quietSession(2);
    // What ioredis' resend of an unanswered PUBLISH looks like: the same announcement again.
    await admin.publish(keys.c2sLive, `2 - ${JSON.stringify(request(2))}`);
    await admin.publish(keys.c2sLive, `1 - ${JSON.stringify(request(1))}`);
    await client.send(request(3));
    await server.until(() => server.messages.length >= 3);
    // A run announced in one message (s = 2, 3, 4) of which only s = 4 is new.
    await admin.xadd(keys.c2s, '*', 's', '4', 'm', JSON.stringify(request(4)));
    await admin.publish(keys.c2sLive, `2 - ${[2, 3, 4].map((i) => JSON.stringify(request(i))).join('\n')}`);
    await server.until(() => server.messages.length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ids(server)).toEqual([1, 2, 3, 4]);
  });

  it('a resumed client does not get again what the old transport delivered', async () => {
    redis = await TestRedisServer.start();
    pair = await openPair(redis.url, { client: SLOW_BEAT, listener: SLOW_BEAT });
    const first = new Recorder(pair.client);
    for (let i = 1; i <= 20; i++) await pair.server.send({ jsonrpc: '2.0', id: i, result: {} });
    await first.until(() => first.messages.length === 20);
    const { sessionId, lastEventId } = pair.client;
    const { RedisClientTransport } = await import('./client.js');
    const resumed = new RedisClientTransport({
      redis: redis.url,
      endpoint: pair.endpoint,
      resume: { sessionId: sessionId!, lastEventId: lastEventId! },
    });
    const second = new Recorder(resumed);
    await resumed.start();
    await pair.server.send({ jsonrpc: '2.0', id: 21, result: {} });
    await second.until(() => second.messages.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ids(second)).toEqual([21]);
    await waitFor(() => first.messages.length === 21, 5000, 'the old transport hears it too');
    await resumed.close();
  });
});
