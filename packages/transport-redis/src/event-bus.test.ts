import { isTransportError, TransportErrorCode, type ServerEvent } from '@mcp-transports/core';
import { Client } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createMcpHandler, McpServer, type McpHttpHandler } from '@modelcontextprotocol/server';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './__test__/helpers.js';
import { freePort, hasRedis, TestRedisServer } from './__test__/redis-server.js';
import { RedisServerEventBus } from './event-bus.js';

let counter = 0;
const busName = () => `bus${process.pid}-${++counter}`;

describe.skipIf(!hasRedis)('RedisServerEventBus', () => {
  let redis: TestRedisServer;
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    redis = await TestRedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  function bus(name: string, onerror?: (error: Error) => void, url = redis.url): RedisServerEventBus {
    const created = new RedisServerEventBus({ redis: url, name, onerror });
    cleanup.push(() => created.close());
    return created;
  }

  it('an event published on one bus reaches the listeners of another; the publisher hears it once, locally', async () => {
    const name = busName();
    const [a, b] = [bus(name), bus(name)];
    await Promise.all([a.ready, b.ready]);
    const onA: ServerEvent[] = [];
    const onB: ServerEvent[] = [];
    a.subscribe((e) => onA.push(e));
    b.subscribe((e) => onB.push(e));
    a.publish({ kind: 'resource_updated', uri: 'file:///x', params: { title: 't' } });
    a.publish({ kind: 'tools_list_changed' });
    // Delivered synchronously in the publishing process.
    expect(onA).toEqual([
      { kind: 'resource_updated', uri: 'file:///x', params: { title: 't' } },
      { kind: 'tools_list_changed' },
    ]);
    await waitFor(() => onB.length === 2, 10_000, 'the remote events');
    expect(onB).toEqual(onA);
    // Our own event coming back from Redis is dropped: wait for a later remote one, then compare.
    b.publish({ kind: 'prompts_list_changed' });
    await waitFor(() => onA.length === 3, 10_000, 'the event from b');
    expect(onA.map((e) => e.kind)).toEqual(['resource_updated', 'tools_list_changed', 'prompts_list_changed']);
  });

  it('never echoes an event back into the listener that publishes it, locally or through Redis', async () => {
    const name = busName();
    const [a, b] = [bus(name), bus(name)];
    await Promise.all([a.ready, b.ready]);
    const publisher: ServerEvent[] = [];
    const sibling: ServerEvent[] = [];
    const remote: ServerEvent[] = [];
    a.subscribe((e) => {
      publisher.push(e);
      if (e.kind === 'tools_list_changed') a.publish({ kind: 'resources_list_changed' });
    });
    a.subscribe((e) => sibling.push(e));
    b.subscribe((e) => remote.push(e));
    b.publish({ kind: 'tools_list_changed' });
    await waitFor(() => remote.length === 2 && sibling.length === 2, 10_000, 'both events');
    expect(publisher.map((e) => e.kind)).toEqual(['tools_list_changed']);
    // A nested publish is delivered during the outer delivery (as core's MemoryServerEventBus does).
    expect(sibling.map((e) => e.kind).sort()).toEqual(['resources_list_changed', 'tools_list_changed']);
    expect(remote.map((e) => e.kind)).toEqual(['tools_list_changed', 'resources_list_changed']);
  });

  it('unsubscribe is idempotent; a throwing listener is reported and does not stop the others', async () => {
    const errors: Error[] = [];
    const a = bus(busName(), (e) => errors.push(e));
    await a.ready;
    const heard: ServerEvent[] = [];
    const off = a.subscribe(() => {
      throw new Error('boom');
    });
    a.subscribe((e) => heard.push(e));
    a.publish({ kind: 'tools_list_changed' });
    expect(heard).toHaveLength(1);
    expect(errors.map((e) => e.message)).toEqual(['boom']);
    off();
    off();
    expect(a.listenerCount).toBe(1);
  });

  it('a message on the channel that is not an event is reported (ERR_PARSE, ERR_INVALID_MESSAGE) and skipped', async () => {
    const errors: Error[] = [];
    const a = bus(busName(), (e) => errors.push(e));
    await a.ready;
    const heard: ServerEvent[] = [];
    a.subscribe((e) => heard.push(e));
    const raw = new Redis(redis.url);
    cleanup.push(() => {
      raw.disconnect();
      return Promise.resolve();
    });
    await raw.publish(a.channel, 'not json');
    await raw.publish(a.channel, JSON.stringify({ o: 'x', e: { kind: 'resource_updated' } }));
    await raw.publish(a.channel, JSON.stringify({ o: 'x', e: { kind: 'nope' } }));
    await raw.publish(a.channel, JSON.stringify({ o: 'x', e: { kind: 'tools_list_changed' } }));
    await waitFor(() => heard.length === 1, 10_000, 'the valid event');
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual([
      TransportErrorCode.ParseError,
      TransportErrorCode.InvalidMessage,
      TransportErrorCode.InvalidMessage,
    ]);
  });

  it('Redis unreachable: ready rejects with ERR_CONNECTION', async () => {
    const port = await freePort();
    const a = new RedisServerEventBus({ redis: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 });
    cleanup.push(() => a.close());
    const error = await a.ready.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTransportError(error, TransportErrorCode.Connection)).toBe(true);
    expect((error as Error).message).toMatch(/cannot reach Redis/);
  });

  it('Redis restarted: both buses reconnect and resubscribe, events flow again (at most once meanwhile)', async () => {
    const own = await TestRedisServer.start();
    cleanup.push(() => own.stop());
    const name = busName();
    const [a, b] = [bus(name, undefined, own.url), bus(name, undefined, own.url)];
    await Promise.all([a.ready, b.ready]);
    const heard: ServerEvent[] = [];
    b.subscribe((e) => heard.push(e));
    a.publish({ kind: 'tools_list_changed' });
    await waitFor(() => heard.length === 1, 10_000, 'the first event');
    await own.restart();
    // Events published before b has resubscribed are lost (pub/sub): probe until one arrives.
    let probes = 0;
    await waitFor(
      () => {
        if (heard.some((e) => e.kind === 'resource_updated')) return true;
        a.publish({ kind: 'resource_updated', uri: `probe:${++probes}` });
        return false;
      },
      20_000,
      'delivery after the restart',
    );
    const before = heard.length;
    for (let i = 0; i < 20; i++) a.publish({ kind: 'prompts_list_changed' });
    await waitFor(() => heard.length === before + 20, 10_000, 'every event after resubscription');
  });

  describe('with the official SDK v2 createMcpHandler', () => {
    function handler(name: string): [McpHttpHandler, RedisServerEventBus] {
      const shared = bus(name);
      const created = createMcpHandler(
        () => {
          const server = new McpServer(
            { name: 'bus-test', version: '1.0.0' },
            { capabilities: { tools: { listChanged: true } } },
          );
          return server;
        },
        { bus: shared },
      );
      cleanup.push(() => created.close());
      return [created, shared];
    }

    it('a listen stream served by one handler hears notify.toolsChanged() on another handler', async () => {
      const name = busName();
      const [served, servedBus] = handler(name);
      const [other, otherBus] = handler(name);
      await Promise.all([servedBus.ready, otherBus.ready]);
      const client = new Client(
        { name: 'c', version: '1.0.0' },
        { versionNegotiation: { mode: { pin: '2026-07-28' } } },
      );
      const heard: string[] = [];
      client.setNotificationHandler('notifications/tools/list_changed', (n) => {
        heard.push(n.method);
      });
      await client.connect(
        new StreamableHTTPClientTransport(new URL('http://127.0.0.1/mcp'), {
          fetch: (url, init) => served.fetch(new Request(url, init)),
        }),
      );
      cleanup.push(() => client.close());
      const subscription = await client.listen({ toolsListChanged: true });
      other.notify.toolsChanged();
      await waitFor(() => heard.length === 1, 10_000, 'the notification from the other handler');
      await subscription.close();
      expect(heard).toEqual(['notifications/tools/list_changed']);
    });
  });
});
