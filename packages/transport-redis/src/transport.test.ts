import { isTransportError, TransportErrorCode, type Transport } from '@mcp-transports/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectKey, sessionKeys } from './_keys.js';
import { RedisClientTransport } from './client.js';
import { RedisServerListener } from './listener.js';
import { endpointName, openPair, Recorder, request, scanKeys, waitFor } from './__test__/helpers.js';
import { freePort, hasRedis, TestRedisServer } from './__test__/redis-server.js';

describe.skipIf(!hasRedis)('RedisClientTransport ↔ RedisServerListener', () => {
  let redis: TestRedisServer;
  let admin: Redis;

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });

  it('[TC-3] delivers 500 messages each way in order, exactly once', async () => {
    let server: Recorder | undefined;
    const pair = await openPair(redis.url, { beforeStart: (t) => (server = new Recorder(t)) });
    const client = new Recorder(pair.client);
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 500; i++) {
      sends.push(pair.client.send(request(i)));
      sends.push(pair.server.send({ jsonrpc: '2.0', id: i, result: { i } }));
    }
    await Promise.all(sends);
    await server!.until(() => server!.messages.length === 500);
    await client.until(() => client.messages.length === 500);
    expect(server!.messages.map((m) => (m as { id: number }).id)).toEqual([...Array(500).keys()]);
    expect(client.messages.map((m) => (m as { id: number }).id)).toEqual([...Array(500).keys()]);
    expect([...server!.errors, ...client.errors]).toEqual([]);
    await pair.close();
  });

  it('[TC-3] keeps ids 0, "" and large integers, and Unicode', async () => {
    let server: Recorder | undefined;
    const pair = await openPair(redis.url, { beforeStart: (t) => (server = new Recorder(t)) });
    const messages = [
      request(0),
      request(''),
      request(Number.MAX_SAFE_INTEGER),
      request(1, 'echo', { text: 'é😀\n\u2028 日本' }),
    ];
    for (const m of messages) await pair.client.send(m);
    await server!.until(() => server!.messages.length === messages.length);
    expect(server!.messages).toEqual(messages);
    await pair.close();
  });

  it('[SEC-3] [SEC-4] session ids are 128-bit random and keys are namespaced by user and session', async () => {
    const pair = await openPair(redis.url, { client: { user: 'alice:{x}' } });
    // Not before the first message: the SDK's Client would take the session for a reconnection.
    expect(pair.client.sessionId).toBeUndefined();
    await pair.client.send(request(1));
    const id = pair.client.sessionId!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(pair.server.sessionId).toBe(id);
    const keys = await scanKeys(admin, `mcp:${pair.endpoint}:*`);
    expect(keys.length).toBeGreaterThan(0);
    // The user is escaped, so it cannot forge a separator or a cluster hash tag.
    for (const key of keys) expect(key.startsWith(`mcp:${pair.endpoint}:alice%3A%7Bx%7D:{${id}}:`)).toBe(true);
    await pair.close();
  });

  it('[TC-4] client close() ends the server side and leaves no session key behind', async () => {
    let server: Recorder | undefined;
    const pair = await openPair(redis.url, { beforeStart: (t) => (server = new Recorder(t)) });
    const client = new Recorder(pair.client);
    await pair.client.send(request(1));
    await pair.server.send({ jsonrpc: '2.0', id: 1, result: {} });
    await pair.client.close();
    await pair.client.close();
    await server!.until(() => server!.closed === 1, 10_000, 'server onclose');
    expect(client.closed).toBe(1);
    await waitFor(async () => (await scanKeys(admin, `mcp:${pair.endpoint}:*`)).length === 0, 5000, 'no keys');
    await pair.listener.close();
    // Only the endpoint's (empty) connect queue remains: it is shared by every worker.
    expect(await scanKeys(admin, `mcp:*${pair.endpoint}*`)).toEqual([connectKey('mcp', pair.endpoint)]);
    expect(await admin.xlen(connectKey('mcp', pair.endpoint))).toBe(0);
    expect(server!.closed).toBe(1);
  });

  it('[TC-4] both ends closing at the same moment leave no session key behind', async () => {
    // Each side, closing, sees the other still there unless the check is atomic with its own exit;
    // run it many times so the interleaving where both look at once comes up.
    for (let i = 0; i < 20; i++) {
      const pair = await openPair(redis.url);
      await Promise.all([pair.client.close(), pair.server.close()]);
      const left = await scanKeys(admin, `mcp:${pair.endpoint}:*`);
      expect(left).toEqual([]);
      await pair.listener.close();
    }
  });

  it('[TC-4] server close() reaches the client as onclose, without an error', async () => {
    const pair = await openPair(redis.url);
    const client = new Recorder(pair.client);
    await pair.server.close();
    await client.until(() => client.closed === 1, 10_000, 'client onclose');
    expect(client.errors).toEqual([]);
    expect(pair.client.closeReason).toBeUndefined();
    await expect(pair.client.send(request(1))).rejects.toMatchObject({ code: TransportErrorCode.Closed });
    await pair.listener.close();
  });

  it('[TC-1] [TC-2] start twice, send before start and after close reject with typed errors', async () => {
    const endpoint = endpointName();
    const client = new RedisClientTransport({ redis: redis.url, endpoint });
    await expect(client.send(request(1))).rejects.toMatchObject({ code: TransportErrorCode.NotStarted });
    const listener = new RedisServerListener({ redis: redis.url, endpoint });
    listener.onconnection = (t) => void t.start();
    await listener.listen();
    await client.start();
    await expect(client.start()).rejects.toMatchObject({ code: TransportErrorCode.AlreadyStarted });
    await client.close();
    await expect(client.send(request(1))).rejects.toMatchObject({ code: TransportErrorCode.Closed });
    await listener.close();
  });

  it('[TC-6] an oversized send rejects with ERR_MESSAGE_TOO_LARGE and later messages still arrive', async () => {
    let server: Recorder | undefined;
    const pair = await openPair(redis.url, {
      client: { maxMessageBytes: 1000 },
      beforeStart: (t) => (server = new Recorder(t)),
    });
    const big = request(1, 'echo', { text: 'é'.repeat(600) });
    await expect(pair.client.send(big)).rejects.toMatchObject({ code: TransportErrorCode.MessageTooLarge });
    await pair.client.send(request(2));
    await server!.until(() => server!.messages.length === 1);
    expect(server!.messages).toEqual([request(2)]);
    await pair.close();
  });

  it('[TC-6] an incoming entry over 16 MiB is reported and skipped; later messages still arrive', async () => {
    let server: Recorder | undefined;
    const pair = await openPair(redis.url, { beforeStart: (t) => (server = new Recorder(t)) });
    await pair.client.send(request(1));
    const keys = sessionKeys('mcp', pair.endpoint, 'anonymous', pair.client.sessionId!);
    // A foreign writer bypasses the client's own size check.
    const huge = JSON.stringify(request(2, 'echo', { text: 'x'.repeat(16 * 1024 * 1024) }));
    await admin.xadd(keys.c2s, '*', 's', '1000', 'm', huge);
    await admin.xadd(keys.c2s, '*', 's', '1001', 'm', JSON.stringify(request(3)));
    await server!.until(() => server!.messages.length === 2 && server!.errors.length === 1);
    expect(server!.messages).toEqual([request(1), request(3)]);
    expect(isTransportError(server!.errors[0], TransportErrorCode.MessageTooLarge)).toBe(true);
    await pair.close();
  });

  it('[TC-5] malformed entries are reported to onerror and the session goes on', async () => {
    let server: Recorder | undefined;
    const pair = await openPair(redis.url, { beforeStart: (t) => (server = new Recorder(t)) });
    const keys = sessionKeys('mcp', pair.endpoint, 'anonymous', pair.server.sessionId!);
    await admin.xadd(keys.c2s, '*', 'garbage', '1');
    await admin.xadd(keys.c2s, '*', 's', '100', 'm', '{not json');
    await admin.xadd(keys.c2s, '*', 's', '101', 'm', '{"jsonrpc":"1.0","id":1,"method":"x"}');
    await admin.xadd(keys.c2s, '*', 's', '102', 'other', 'field');
    await admin.xadd(keys.c2s, '*', 's', '103', 'm', JSON.stringify(request(7)));
    await server!.until(() => server!.messages.length === 1 && server!.errors.length === 4);
    expect(server!.messages).toEqual([request(7)]);
    expect(server!.errors.map((e) => (e as { code?: string }).code)).toEqual([
      TransportErrorCode.InvalidMessage,
      TransportErrorCode.ParseError,
      TransportErrorCode.InvalidMessage,
      TransportErrorCode.InvalidMessage,
    ]);
    expect(server!.closed).toBe(0);
    await pair.close();
  });

  it('[TC-3] [TC-5] a run entry (n messages in one entry) is delivered message by message; a bad count is reported', async () => {
    let server: Recorder | undefined;
    const pair = await openPair(redis.url, { beforeStart: (t) => (server = new Recorder(t)) });
    const keys = sessionKeys('mcp', pair.endpoint, 'anonymous', pair.server.sessionId!);
    const run = (...ids: number[]): string => ids.map((id) => JSON.stringify(request(id))).join('\n');
    await admin.xadd(keys.c2s, '*', 's', '100', 'n', '3', 'm', run(1, 2, 3));
    // The count does not match the messages: reported, skipped as a whole.
    await admin.xadd(keys.c2s, '*', 's', '103', 'n', '3', 'm', run(4, 5));
    await admin.xadd(keys.c2s, '*', 's', '106', 'n', 'two', 'm', run(6, 7));
    // Overlaps what was delivered (a resent write): only the new part is delivered.
    await admin.xadd(keys.c2s, '*', 's', '101', 'n', '7', 'm', run(0, 0, 0, 0, 0, 8, 9));
    await server!.until(() => server!.messages.length === 5 && server!.errors.length === 2);
    expect(server!.messages).toEqual([request(1), request(2), request(3), request(8), request(9)]);
    expect(server!.errors.map((e) => (e as { code?: string }).code)).toEqual([
      TransportErrorCode.InvalidMessage,
      TransportErrorCode.InvalidMessage,
    ]);
    expect(server!.closed).toBe(0);
    await pair.close();
  });

  it('[TC-3] an entry written twice (a resent XADD) is delivered once', async () => {
    let server: Recorder | undefined;
    const pair = await openPair(redis.url, { beforeStart: (t) => (server = new Recorder(t)) });
    await pair.client.send(request(1));
    const keys = sessionKeys('mcp', pair.endpoint, 'anonymous', pair.client.sessionId!);
    const [[, fields]] = (await admin.xrange(keys.c2s, '-', '+')) as [string, string[]][] as [[string, string[]]];
    await admin.xadd(keys.c2s, '*', ...fields);
    await pair.client.send(request(2));
    await server!.until(() => server!.messages.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server!.messages).toEqual([request(1), request(2)]);
    await pair.close();
  });

  it('accepts an ioredis client the user already has, and leaves it open', async () => {
    const mine = new Redis(redis.url);
    const workers = new Redis(redis.url);
    let server: Recorder | undefined;
    const pair = await openPair(redis.url, {
      client: { redis: mine },
      listener: { redis: workers },
      beforeStart: (t) => (server = new Recorder(t)),
    });
    await pair.client.send(request(1));
    await server!.until(() => server!.messages.length === 1);
    await pair.close();
    expect(mine.status).toBe('ready');
    expect(await mine.ping()).toBe('PONG');
    expect(await workers.ping()).toBe('PONG');
    mine.disconnect();
    workers.disconnect();
  });

  it('[SEC-1] authenticate: delivers authInfo with each message, and a refusal rejects start() with ERR_REFUSED', async () => {
    let server: Recorder | undefined;
    let extra: unknown;
    const authenticate = ({ user, token }: { user: string; token: string | undefined }) => {
      if (token !== `token-of-${user}`) throw new Error('bad token');
      return { token, clientId: user, scopes: ['mcp'] };
    };
    const pair = await openPair(redis.url, {
      client: { user: 'bob', token: 'token-of-bob' },
      listener: { authenticate },
      beforeStart: (t) => {
        server = new Recorder(t);
        const original = t.onmessage!;
        t.onmessage = (m, e) => {
          extra = e;
          original(m, e);
        };
      },
    });
    await pair.client.send(request(1));
    await server!.until(() => server!.messages.length === 1);
    expect(extra).toEqual({ authInfo: { token: 'token-of-bob', clientId: 'bob', scopes: ['mcp'] } });
    const intruder = new RedisClientTransport({
      redis: redis.url,
      endpoint: pair.endpoint,
      user: 'bob',
      token: 'guess',
    });
    const error = await intruder.start().catch((e: unknown) => e);
    expect(isTransportError(error, TransportErrorCode.Refused)).toBe(true);
    expect((error as Error).message).toContain('bad token');
    await pair.close();
    // The refused session left nothing behind.
    let left: string[] = [];
    await waitFor(
      async () => (left = await scanKeys(admin, `mcp:${pair.endpoint}:*`)).length === 0,
      5000,
      'no keys',
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; left: ${left.join(', ')}`);
    });
  });

  it('start() rejects with ERR_TIMEOUT naming the endpoint when no worker listens', async () => {
    const endpoint = endpointName();
    const client = new RedisClientTransport({ redis: redis.url, endpoint, connectTimeoutMs: 300 });
    const error = await client.start().catch((e: unknown) => e);
    expect(isTransportError(error, TransportErrorCode.Timeout)).toBe(true);
    expect((error as Error).message).toContain(endpoint);
  });

  it('start() rejects with ERR_CONNECTION when Redis is unreachable', async () => {
    const port = await freePort();
    const client = new RedisClientTransport({
      redis: `redis://127.0.0.1:${port}`,
      endpoint: endpointName(),
      connectTimeoutMs: 300,
    });
    const error = await client.start().catch((e: unknown) => e);
    expect(isTransportError(error, TransportErrorCode.Connection)).toBe(true);
    expect((error as Error).message).toMatch(/cannot reach Redis.*ECONNREFUSED/);
    const listener = new RedisServerListener({
      redis: `redis://127.0.0.1:${port}`,
      endpoint: 'x',
      connectTimeoutMs: 300,
    });
    await expect(listener.listen()).rejects.toMatchObject({ code: TransportErrorCode.Connection });
  });

  it('idle sessions are closed by the worker and every key is gone', async () => {
    let server: Recorder | undefined;
    const options = { heartbeatMs: 50, idleTimeoutMs: 300 };
    const pair = await openPair(redis.url, {
      client: options,
      listener: options,
      beforeStart: (t) => (server = new Recorder(t)),
    });
    const client = new Recorder(pair.client);
    await pair.client.send(request(1));
    await client.until(() => client.closed === 1, 5000, 'idle close');
    expect(server!.closed).toBe(1);
    expect((pair.server as unknown as { closeReason: { code: string } }).closeReason.code).toBe(
      TransportErrorCode.Timeout,
    );
    await waitFor(async () => (await scanKeys(admin, `mcp:${pair.endpoint}:*`)).length === 0, 5000, 'no keys');
    await pair.listener.close();
  });

  it('every session key carries a TTL, so a session whose both ends vanish leaves nothing', async () => {
    const pair = await openPair(redis.url, { client: { heartbeatMs: 50 }, listener: { heartbeatMs: 50 } });
    await pair.client.send(request(1));
    await pair.server.send({ jsonrpc: '2.0', id: 1, result: {} });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const keys = await scanKeys(admin, `mcp:${pair.endpoint}:*`);
    expect(keys.length).toBe(5);
    for (const key of keys) {
      const ttl = await admin.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(30 * 60_000);
    }
    await pair.close();
  });

  it('listener.close() closes its sessions; each client sees onclose', async () => {
    const endpoint = endpointName();
    const listener = new RedisServerListener({ redis: redis.url, endpoint });
    const servers: Transport[] = [];
    listener.onconnection = (t) => {
      servers.push(t);
      void t.start();
    };
    await listener.listen();
    const clients = await Promise.all(
      [1, 2, 3].map(async () => {
        const c = new RedisClientTransport({ redis: redis.url, endpoint });
        const r = new Recorder(c);
        await c.start();
        return r;
      }),
    );
    await waitFor(() => servers.length === 3);
    expect(listener.size).toBe(3);
    await listener.close();
    for (const c of clients) await c.until(() => c.closed === 1);
    expect(listener.size).toBe(0);
  });
});
