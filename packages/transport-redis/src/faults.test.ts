import { isTransportError, TransportErrorCode } from '@mcp-transports/core';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { openPair, Recorder, request, scanKeys, waitFor, type Pair } from './__test__/helpers.js';
import { hasRedis, TestRedisServer } from './__test__/redis-server.js';

const FAST = { heartbeatMs: 100 };

describe.skipIf(!hasRedis)('faults', () => {
  let redis: TestRedisServer | undefined;
  let pair: Pair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
    await redis?.stop();
    redis = undefined;
  });

  it('[TC-3] connections cut mid-stream (CLIENT KILL): every message arrives once, in order', async () => {
    redis = await TestRedisServer.start();
    const admin = new Redis(redis.url);
    let server: Recorder | undefined;
    // Default heartbeats: with 100 ms beats, a worker's beat queued behind thousands of writes
    // and a reconnect can look like a dead worker (the tests of dead workers use fast beats).
    pair = await openPair(redis.url, { beforeStart: (t) => (server = new Recorder(t)) });
    const client = new Recorder(pair.client);
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 2000; i++) {
      sends.push(pair.client.send(request(i)));
      sends.push(pair.server.send({ jsonrpc: '2.0', id: i, result: {} }));
      if (i % 500 === 250) {
        // Every connection but ours: both blocking readers and both command connections, mid-pipeline.
        await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      }
    }
    await Promise.all(sends);
    await server!.until(() => server!.messages.length >= 2000, 20_000, 'server messages');
    await client.until(() => client.messages.length >= 2000, 20_000, 'client messages');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server!.messages.map((m) => (m as { id: number }).id)).toEqual([...Array(2000).keys()]);
    expect(client.messages.map((m) => (m as { id: number }).id)).toEqual([...Array(2000).keys()]);
    expect(client.closed + server!.closed).toBe(0);
    admin.disconnect();
  });

  it('Redis restarted with persistence: the session goes on and nothing is lost', async () => {
    redis = await TestRedisServer.start({ persistent: true });
    let server: Recorder | undefined;
    const options = { heartbeatMs: 300 };
    pair = await openPair(redis.url, {
      client: options,
      listener: options,
      beforeStart: (t) => (server = new Recorder(t)),
    });
    const client = new Recorder(pair.client);
    await pair.client.send(request(1));
    await server!.until(() => server!.messages.length === 1);
    await redis.restart();
    // Sent while Redis was down or reconnecting: queued by ioredis, written once it is back.
    await Promise.all([pair.client.send(request(2)), pair.server.send({ jsonrpc: '2.0', id: 1, result: {} })]);
    await server!.until(() => server!.messages.length === 2, 10_000, 'message after restart');
    await client.until(() => client.messages.length === 1, 10_000, 'reply after restart');
    expect(server!.messages).toEqual([request(1), request(2)]);
    expect(client.closed + server!.closed).toBe(0);
  });

  it('Redis restarted without persistence: both ends close with ERR_CONNECTION, no hang', async () => {
    redis = await TestRedisServer.start();
    let server: Recorder | undefined;
    pair = await openPair(redis.url, { client: FAST, listener: FAST, beforeStart: (t) => (server = new Recorder(t)) });
    const client = new Recorder(pair.client);
    await pair.client.send(request(1));
    await server!.until(() => server!.messages.length === 1);
    await redis.restart();
    await client.until(() => client.closed === 1, 10_000, 'client onclose');
    await server!.until(() => server!.closed === 1, 10_000, 'server onclose');
    expect(isTransportError(pair.client.closeReason, TransportErrorCode.Connection)).toBe(true);
    expect(pair.client.closeReason?.message).toMatch(/state is gone|stopped/);
    expect(client.errors.some((e) => isTransportError(e, TransportErrorCode.Connection))).toBe(true);
    // The listener rejoins (its consumer group was lost too) and serves new sessions.
    const admin = new Redis(redis.url);
    const { RedisClientTransport } = await import('./client.js');
    const again = new RedisClientTransport({ redis: redis.url, endpoint: pair.endpoint, ...FAST });
    await again.start();
    await again.close();
    // The worker deletes the session's keys once it reads the client's goodbye.
    const endpoint = pair.endpoint;
    await waitFor(async () => (await scanKeys(admin, `mcp:${endpoint}:*`)).length === 0, 5000, 'no keys');
    admin.disconnect();
  });

  it('a client that loses Redis for longer than reconnectWindowMs closes with ERR_CONNECTION', async () => {
    redis = await TestRedisServer.start();
    pair = await openPair(redis.url, {
      client: { heartbeatMs: 50, reconnectWindowMs: 300 },
      listener: { heartbeatMs: 50, reconnectWindowMs: 300 },
    });
    const client = new Recorder(pair.client);
    await redis.kill();
    await client.until(() => client.closed === 1, 10_000, 'client onclose');
    expect(pair.client.closeReason?.message).toMatch(/reconnectWindowMs/);
  });

  it('a client resumes its session from another transport instance and loses nothing', async () => {
    redis = await TestRedisServer.start();
    let server: Recorder | undefined;
    pair = await openPair(redis.url, { beforeStart: (t) => (server = new Recorder(t)) });
    const first = new Recorder(pair.client);
    await pair.server.send({ jsonrpc: '2.0', id: 1, result: {} });
    await first.until(() => first.messages.length === 1);
    const sessionId = pair.client.sessionId!;
    const lastEventId = pair.client.lastEventId!;
    // The client "crashes": drop its connections without telling anyone.
    (pair.client as unknown as { onclose: undefined }).onclose = undefined;
    const { RedisClientTransport } = await import('./client.js');
    const admin = new Redis(redis.url);
    await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await pair.server.send({ jsonrpc: '2.0', id: 2, result: {} });
    await pair.server.send({ jsonrpc: '2.0', id: 3, result: {} });
    const resumed = new RedisClientTransport({
      redis: redis.url,
      endpoint: pair.endpoint,
      resume: { sessionId, lastEventId },
    });
    const second = new Recorder(resumed);
    await resumed.start();
    await second.until(() => second.messages.length === 2);
    expect(second.messages.map((m) => (m as { id: number }).id)).toEqual([2, 3]);
    await resumed.send(request(4));
    await server!.until(() => server!.messages.some((m) => (m as { id: number }).id === 4));
    await resumed.close();
    admin.disconnect();
  });
});
