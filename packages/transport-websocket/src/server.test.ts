import type { IncomingHttpHeaders } from 'node:http';
import { isTransportError, TransportErrorCode } from '@mcp-transports/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { closed, collect, nextMessage, ping, rawClient, startListener, watchClose } from './test-fixtures/helpers.js';
import type { TestListener } from './test-fixtures/helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: Parameters<typeof startListener>[0] = {}): Promise<TestListener> {
  const l = await startListener(options);
  cleanups.push(() => l.listener.close());
  return l;
}

async function client(url: string, protocols?: string | string[]): Promise<WebSocket> {
  const ws = await rawClient(url, protocols);
  cleanups.push(() => ws.terminate());
  return ws;
}

describe('WebSocketServerTransport: framing', () => {
  it('selects the "mcp" subprotocol and delivers one message per text frame, in order [TC-3]', async () => {
    const l = await setup();
    const ws = await client(l.url, 'mcp');
    expect(ws.protocol).toBe('mcp');
    const t = await l.next();
    expect(t.protocol).toBe('mcp');
    const got = collect(t, 3);
    await t.start();
    ws.send(JSON.stringify(ping(0)));
    ws.send(JSON.stringify(ping('')));
    ws.send(JSON.stringify(ping(Number.MAX_SAFE_INTEGER)));
    const messages = await got;
    expect(messages.map((m) => (m.message as { id: unknown }).id)).toEqual([0, '', Number.MAX_SAFE_INTEGER]);
    const extra = messages[0]?.extra as { requestInfo: { headers: Record<string, string>; url: URL } };
    expect(extra.requestInfo.url.pathname).toBe('/mcp');
    expect(extra.requestInfo.headers['sec-websocket-protocol']).toBe('mcp');
    const reply = nextMessage(ws);
    await t.send({ jsonrpc: '2.0', id: 0, result: {} });
    expect(await reply).toEqual({ jsonrpc: '2.0', id: 0, result: {} });
  });

  it('gives each connection exactly its own upgrade headers in extra.requestInfo, also when they repeat', async () => {
    // Same-shaped upgrades share one header template; each connection still sees its own nonce.
    const seen: IncomingHttpHeaders[] = [];
    const l = await setup({
      authenticate: ({ request }) => {
        seen.push(request.headers);
        return { token: 't', clientId: 'c', scopes: [] };
      },
    });
    const headersOf = async (ws: WebSocket): Promise<Record<string, string>> => {
      const t = await l.next();
      const got = collect(t, 1);
      await t.start();
      ws.send(JSON.stringify(ping(1)));
      return ((await got)[0]?.extra as { requestInfo: { headers: Record<string, string> } }).requestInfo.headers;
    };
    const a = await headersOf(await client(l.url, 'mcp'));
    const b = await headersOf(await client(l.url, 'mcp'));
    const traced = await rawClient(l.url, 'mcp', { headers: { 'x-trace': 'abc' } });
    cleanups.push(() => traced.terminate());
    const c = await headersOf(traced);
    for (const [i, headers] of [a, b, c].entries()) {
      expect(headers).toEqual(seen[i]);
      expect(Object.keys(headers)).toEqual(Object.keys(seen[i] ?? {}));
    }
    expect(a['sec-websocket-key']).not.toBe(b['sec-websocket-key']);
    expect(c['x-trace']).toBe('abc');
  });

  it('accepts a client that offers no subprotocol (selects none)', async () => {
    const l = await setup();
    const ws = await client(l.url, []);
    expect(ws.protocol).toBe('');
    const t = await l.next();
    expect(t.protocol).toBe('');
    const got = collect(t, 1);
    await t.start();
    ws.send(JSON.stringify(ping(1)));
    expect((await got)[0]?.message).toEqual(ping(1));
  });

  it('refuses a client whose subprotocols do not include "mcp" with 400', async () => {
    const l = await setup();
    await expect(rawClient(l.url, ['graphql-ws'])).rejects.toThrow(/400/);
    expect(l.errors.some((e) => isTransportError(e, TransportErrorCode.Refused))).toBe(true);
  });

  it('closes with 1003 on a binary frame and reports it [TC-5]', async () => {
    const l = await setup();
    const ws = await client(l.url);
    const t = await l.next();
    const errors: Error[] = [];
    t.onerror = (e) => errors.push(e);
    const watch = watchClose(t);
    await t.start();
    const done = closed(ws);
    ws.send(Buffer.from(JSON.stringify(ping(1))), { binary: true });
    expect((await done).code).toBe(1003);
    await watch.closed;
    expect(errors.some((e) => isTransportError(e, TransportErrorCode.InvalidMessage))).toBe(true);
    expect(watch.count()).toBe(1);
  });

  it('closes with 1009 on a message over maxMessageBytes [TC-6]', async () => {
    const l = await setup({ maxMessageBytes: 1024 });
    const ws = await client(l.url);
    const t = await l.next();
    const errors: Error[] = [];
    t.onerror = (e) => errors.push(e);
    const watch = watchClose(t);
    await t.start();
    const done = closed(ws);
    ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'n', params: { pad: 'x'.repeat(2000) } }));
    expect((await done).code).toBe(1009);
    await watch.closed;
    expect(errors.some((e) => isTransportError(e, TransportErrorCode.MessageTooLarge))).toBe(true);
  });

  it('accepts a message exactly at maxMessageBytes [TC-6]', async () => {
    const l = await setup({ maxMessageBytes: 1024 });
    const ws = await client(l.url);
    const t = await l.next();
    const got = collect(t, 1);
    await t.start();
    const base = JSON.stringify({ jsonrpc: '2.0', method: 'n', params: { pad: '' } });
    ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'n', params: { pad: 'x'.repeat(1024 - base.length) } }));
    expect(JSON.stringify((await got)[0]?.message)).toHaveLength(1024);
  });

  it('answers malformed JSON with a -32700 error without id, reports it, and keeps the connection [TC-5]', async () => {
    const l = await setup();
    const ws = await client(l.url);
    const t = await l.next();
    const errors: Error[] = [];
    t.onerror = (e) => errors.push(e);
    const got = collect(t, 1);
    await t.start();
    const reply = nextMessage(ws);
    ws.send('{"jsonrpc":"2.0","id":1,"method":');
    const error = (await reply) as { id?: unknown; error: { code: number } };
    expect(error.error.code).toBe(-32700);
    expect('id' in error).toBe(false);
    expect(isTransportError(errors[0], TransportErrorCode.ParseError)).toBe(true);
    ws.send(JSON.stringify(ping(2)));
    expect((await got)[0]?.message).toEqual(ping(2));
  });

  it('answers an invalid message with -32600 carrying its id when readable [TC-5]', async () => {
    const l = await setup();
    const ws = await client(l.url);
    const t = await l.next();
    const errors: Error[] = [];
    t.onerror = (e) => errors.push(e);
    await t.start();
    const reply = nextMessage(ws);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'x', params: [1] }));
    const error = (await reply) as { id?: unknown; error: { code: number } };
    expect(error).toMatchObject({ id: 7, error: { code: -32600 } });
    expect(isTransportError(errors[0], TransportErrorCode.InvalidMessage)).toBe(true);
  });

  it('holds messages that arrive before start() and delivers them in order [TC-1]', async () => {
    const l = await setup();
    const ws = await client(l.url);
    const t = await l.next();
    for (let i = 0; i < 5; i++) ws.send(JSON.stringify(ping(i)));
    await new Promise((r) => setTimeout(r, 50));
    const got = collect(t, 5);
    await t.start();
    expect((await got).map((m) => (m.message as { id: number }).id)).toEqual([0, 1, 2, 3, 4]);
  });

  it('closes with 1008 when more than maxEarlyMessages arrive before start()', async () => {
    const l = await setup({ maxEarlyMessages: 3 });
    const ws = await client(l.url);
    const t = await l.next();
    const errors: Error[] = [];
    t.onerror = (e) => errors.push(e);
    const done = closed(ws);
    for (let i = 0; i < 4; i++) ws.send(JSON.stringify(ping(i)));
    expect((await done).code).toBe(1008);
    expect(errors.some((e) => isTransportError(e, TransportErrorCode.Backpressure))).toBe(true);
  });
});

describe('WebSocketServerTransport: lifecycle', () => {
  it('[TC-1] rejects a second start()', async () => {
    const l = await setup();
    await client(l.url);
    const t = await l.next();
    await t.start();
    await expect(t.start()).rejects.toMatchObject({ code: TransportErrorCode.AlreadyStarted });
  });

  it('names each connection with its own UUID sessionId, stable across reads and settable', async () => {
    const l = await setup();
    await client(l.url);
    await client(l.url);
    const [a, b] = [await l.next(), await l.next()];
    expect(a.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.sessionId).toBe(a.sessionId);
    expect(b.sessionId).not.toBe(a.sessionId);
    b.sessionId = 'mine';
    expect(b.sessionId).toBe('mine');
  });

  it('[TC-2] rejects send() before start() and after close()', async () => {
    const l = await setup();
    await client(l.url);
    const t = await l.next();
    await expect(t.send(ping(1))).rejects.toMatchObject({ code: TransportErrorCode.NotStarted });
    await t.start();
    await t.close();
    await expect(t.send(ping(1))).rejects.toMatchObject({ code: TransportErrorCode.Closed });
  });

  it('[TC-4] close() is idempotent, sends 1000 and fires onclose once', async () => {
    const l = await setup();
    const ws = await client(l.url);
    const t = await l.next();
    const watch = watchClose(t);
    await t.start();
    const done = closed(ws);
    await Promise.all([t.close(), t.close()]);
    await t.close();
    expect((await done).code).toBe(1000);
    expect(watch.count()).toBe(1);
    expect(t.closeInfo).toMatchObject({ code: 1000, local: true });
  });

  it('[TC-4] fires onclose once when the peer closes or drops', async () => {
    const l = await setup();
    const a = await client(l.url);
    const ta = await l.next();
    const b = await client(l.url);
    const tb = await l.next();
    const wa = watchClose(ta);
    const wb = watchClose(tb);
    const errors: Error[] = [];
    tb.onerror = (e) => errors.push(e);
    await ta.start();
    await tb.start();
    a.close(1000);
    b.terminate();
    await wa.closed;
    await wb.closed;
    expect(ta.closeInfo).toMatchObject({ code: 1000, local: false });
    expect(tb.closeInfo).toMatchObject({ code: 1006, local: false });
    expect(errors.some((e) => isTransportError(e, TransportErrorCode.Connection))).toBe(true);
    await ta.close();
    expect(wa.count()).toBe(1);
    expect(wb.count()).toBe(1);
  });

  it('[LC-26] pings every heartbeatMs and drops a peer that misses a pong', async () => {
    const l = await setup({ heartbeatMs: 40 });
    const ws = await rawClient(l.url, 'mcp', { autoPong: false });
    cleanups.push(() => ws.terminate());
    const t = await l.next();
    const watch = watchClose(t);
    await t.start();
    let pings = 0;
    ws.on('ping', () => pings++);
    await watch.closed;
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(t.closeInfo?.code).toBe(1006);
  });

  it('keeps a peer that answers pings', async () => {
    const l = await setup({ heartbeatMs: 20 });
    const ws = await client(l.url);
    const t = await l.next();
    const watch = watchClose(t);
    await t.start();
    let pings = 0;
    ws.on('ping', () => pings++);
    await new Promise((r) => setTimeout(r, 200));
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(watch.count()).toBe(0);
  });

  it('[TC-6] rejects send() with ERR_BACKPRESSURE once a peer that stopped reading has maxBufferedBytes queued', async () => {
    const l = await setup({ maxBufferedBytes: 1024 * 1024 });
    const ws = await client(l.url);
    const t = await l.next();
    await t.start();
    ws.pause(); // The peer stops reading; the kernel buffers fill, then ours.
    const chunk = { jsonrpc: '2.0' as const, method: 'n', params: { pad: 'x'.repeat(256 * 1024) } };
    const sends: Promise<void>[] = [];
    let error: unknown;
    for (let i = 0; i < 400 && error === undefined; i++) {
      const p = t.send(chunk);
      sends.push(p);
      p.catch((e: unknown) => (error ??= e));
      await new Promise((r) => setImmediate(r));
    }
    expect(isTransportError(error, TransportErrorCode.Backpressure)).toBe(true);
    // Bounded: a few MB of kernel buffers plus our high-water mark, not 100 MB.
    expect(sends.length).toBeLessThan(400);
    ws.resume();
  });

  it('rejects send() of a message over maxMessageBytes without closing', async () => {
    const l = await setup({ maxMessageBytes: 100 });
    await client(l.url);
    const t = await l.next();
    await t.start();
    await expect(t.send({ jsonrpc: '2.0', method: 'n', params: { pad: 'é'.repeat(60) } })).rejects.toMatchObject({
      code: TransportErrorCode.MessageTooLarge,
    });
    await t.send(ping(1));
  });
});
