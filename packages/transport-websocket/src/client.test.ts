import { spawn } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AuthInfo } from '@mcp-transports/core';
import { isTransportError, TransportErrorCode } from '@mcp-transports/core';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { ServerOptions, WebSocket } from 'ws';
import { WebSocketClientTransport } from './client.js';
import type { NodeWebSocketClientOptions } from './client.js';
import { collect, ping, startListener, watchClose } from './test-fixtures/helpers.js';
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

function transport(url: string, options: NodeWebSocketClientOptions = {}): WebSocketClientTransport {
  const t = new WebSocketClientTransport(url, options);
  cleanups.push(() => t.close());
  return t;
}

/** A raw `ws` server that runs `onsocket` for each connection. */
async function rawServer(
  onsocket: (ws: WebSocket) => void,
  options: ServerOptions = {},
): Promise<{ url: string; wss: WebSocketServer }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  await new Promise<void>((r) => wss.once('listening', r));
  wss.on('connection', onsocket);
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  );
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/mcp`, wss };
}

function errorsOf(t: WebSocketClientTransport): Error[] {
  const errors: Error[] = [];
  t.onerror = (e) => errors.push(e);
  return errors;
}

describe('WebSocketClientTransport (Node)', () => {
  it('round-trips with our listener, offering "mcp" [TC-3]', async () => {
    const l = await setup();
    const t = transport(l.url);
    const got = collect(t, 2);
    await t.start();
    expect(t.protocol).toBe('mcp');
    const server = await l.next();
    const serverGot = collect(server, 2);
    await server.start();
    await t.send(ping(0));
    await t.send(ping(''));
    expect((await serverGot).map((m) => m.message)).toEqual([ping(0), ping('')]);
    await server.send({ jsonrpc: '2.0', id: 0, result: {} });
    await server.send({ jsonrpc: '2.0', id: '', result: { big: 2 ** 53 - 1 } });
    expect((await got).map((m) => m.message)).toEqual([
      { jsonrpc: '2.0', id: 0, result: {} },
      { jsonrpc: '2.0', id: '', result: { big: 2 ** 53 - 1 } },
    ]);
  });

  it('sends authToken as Authorization: Bearer, plus custom headers and extra protocols', async () => {
    const alice: AuthInfo = { token: 't0k', clientId: 'alice', scopes: [] };
    const l = await setup({ authenticate: ({ token }) => (token === 't0k' ? alice : undefined) });
    const t = transport(l.url, { authToken: 't0k', headers: { 'x-trace': 'abc' }, protocols: ['other'] });
    await t.start();
    const server = await l.next();
    const got = collect(server, 1);
    await server.start();
    await t.send(ping(1));
    const extra = (await got)[0]?.extra as { authInfo: AuthInfo; requestInfo: { headers: Record<string, string> } };
    expect(extra.authInfo).toEqual(alice);
    expect(extra.requestInfo.headers['x-trace']).toBe('abc');
    expect(extra.requestInfo.headers['sec-websocket-protocol']).toBe('mcp,other');
  });

  it('gives each connection its own request headers in extra (shared repeating values never mix connections)', async () => {
    const l = await setup({ authenticate: ({ token }) => ({ token: token ?? '', clientId: 'c', scopes: [] }) });
    const headersOf = async (token: string, trace: string): Promise<Record<string, string>> => {
      const t = transport(l.url, { authToken: token, headers: { 'x-trace': trace } });
      await t.start();
      const server = await l.next();
      const got = collect(server, 1);
      await server.start();
      await t.send(ping(1));
      return ((await got)[0]?.extra as { requestInfo: { headers: Record<string, string> } }).requestInfo.headers;
    };
    const a = await headersOf('tok-a', 'one');
    const b = await headersOf('tok-b', 'two');
    expect([a.authorization, a['x-trace'], b.authorization, b['x-trace']]).toEqual([
      'Bearer tok-a',
      'one',
      'Bearer tok-b',
      'two',
    ]);
    expect(a.host).toBe(b.host);
    expect(a['sec-websocket-key']).not.toBe(b['sec-websocket-key']);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  });

  it('rejects start() with ERR_REFUSED and the server message when the upgrade is refused (401)', async () => {
    const l = await setup({ authenticate: () => undefined });
    const t = transport(l.url, { authToken: 'wrong' });
    const watch = watchClose(t);
    const err = await t.start().catch((e: unknown) => e);
    expect(isTransportError(err, TransportErrorCode.Refused)).toBe(true);
    expect((err as Error).message).toMatch(/HTTP 401.*invalid token/);
    await watch.closed;
    expect(watch.count()).toBe(1);
  });

  it('rejects start() with ERR_CONNECTION when nothing listens', async () => {
    const { url, wss } = await rawServer(() => undefined);
    await new Promise((r) => wss.close(r));
    const t = transport(url);
    await expect(t.start()).rejects.toMatchObject({ code: TransportErrorCode.Connection });
  });

  it('[TC-1][TC-2][TC-4] start twice, send before start / after close, close idempotent with one onclose', async () => {
    const l = await setup();
    const t = transport(l.url);
    await expect(t.send(ping(1))).rejects.toMatchObject({ code: TransportErrorCode.NotStarted });
    const watch = watchClose(t);
    await t.start();
    await expect(t.start()).rejects.toMatchObject({ code: TransportErrorCode.AlreadyStarted });
    const server = await l.next();
    const serverClose = watchClose(server);
    await server.start();
    await Promise.all([t.close(), t.close()]);
    await expect(t.send(ping(1))).rejects.toMatchObject({ code: TransportErrorCode.Closed });
    await serverClose.closed;
    expect(server.closeInfo?.code).toBe(1000);
    expect(watch.count()).toBe(1);
    expect(t.closeInfo).toMatchObject({ code: 1000, local: true });
  });

  it('start() after close() rejects with ERR_CLOSED', async () => {
    const t = transport('ws://127.0.0.1:1/mcp');
    await t.close();
    await expect(t.start()).rejects.toMatchObject({ code: TransportErrorCode.Closed });
  });

  // Every close code the server can send, and what the client turns it into.
  const codes: [number, string | undefined][] = [
    [1000, undefined],
    [1001, TransportErrorCode.Connection],
    [1003, TransportErrorCode.InvalidMessage],
    [1008, TransportErrorCode.Refused],
    [1009, TransportErrorCode.MessageTooLarge],
    [1011, TransportErrorCode.Connection],
    [4000, TransportErrorCode.Connection],
  ];
  for (const [code, expected] of codes) {
    it(`surfaces a server close with ${code} in closeInfo and as ${expected ?? 'no error'}`, async () => {
      const { url } = await rawServer((ws) => {
        ws.on('message', () => ws.close(code, `reason ${code}`));
      });
      const t = transport(url);
      const errors = errorsOf(t);
      const watch = watchClose(t);
      await t.start();
      await t.send(ping(1));
      await watch.closed;
      expect(t.closeInfo).toEqual({ code, reason: `reason ${code}`, local: false });
      if (expected === undefined) expect(errors).toEqual([]);
      else {
        expect(errors.some((e) => isTransportError(e, expected as TransportErrorCode))).toBe(true);
        expect(errors.map((e) => e.message).join()).toContain(String(code));
      }
    });
  }

  it('surfaces a dropped connection (1006) as ERR_CONNECTION', async () => {
    const { url } = await rawServer((ws) => {
      ws.on('message', () => ws.terminate());
    });
    const t = transport(url);
    const errors = errorsOf(t);
    const watch = watchClose(t);
    await t.start();
    await t.send(ping(1));
    await watch.closed;
    expect(t.closeInfo?.code).toBe(1006);
    expect(errors.some((e) => isTransportError(e, TransportErrorCode.Connection))).toBe(true);
  });

  it('closes with 1003 on a binary frame from the server', async () => {
    let serverSaw: Promise<number> | undefined;
    const { url } = await rawServer((ws) => {
      serverSaw = new Promise((r) => ws.once('close', (c: number) => r(c)));
      ws.send(Buffer.from('{}'), { binary: true });
    });
    const t = transport(url);
    const errors = errorsOf(t);
    const watch = watchClose(t);
    await t.start();
    await watch.closed;
    expect(await serverSaw).toBe(1003);
    expect(errors.some((e) => isTransportError(e, TransportErrorCode.InvalidMessage))).toBe(true);
  });

  it('closes with 1009 on a message over maxMessageBytes from the server', async () => {
    let serverSaw: Promise<number> | undefined;
    const { url } = await rawServer((ws) => {
      serverSaw = new Promise((r) => ws.once('close', (c: number) => r(c)));
      ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'n', params: { pad: 'x'.repeat(4096) } }));
    });
    const t = transport(url, { maxMessageBytes: 1024 });
    const errors = errorsOf(t);
    const watch = watchClose(t);
    await t.start();
    await watch.closed;
    expect(await serverSaw).toBe(1009);
    expect(errors.some((e) => isTransportError(e, TransportErrorCode.MessageTooLarge))).toBe(true);
  });

  it('reports malformed JSON from the server and keeps the connection [TC-5]', async () => {
    const { url } = await rawServer((ws) => {
      ws.send('{nope');
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, result: {} }));
    });
    const t = transport(url);
    const errors = errorsOf(t);
    const got = collect(t, 1);
    await t.start();
    expect((await got)[0]?.message).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    expect(isTransportError(errors[0], TransportErrorCode.ParseError)).toBe(true);
  });

  it('[LC-26] drops a server that stops answering pings (heartbeat) and fires onclose', async () => {
    const { url } = await rawServer(() => undefined, { autoPong: false });
    const t = transport(url, { heartbeatMs: 30 });
    const watch = watchClose(t);
    errorsOf(t);
    await t.start();
    await watch.closed;
    expect(t.closeInfo?.code).toBe(1006);
  });

  it('[LC-26] one shared heartbeat pings every connection; each one that answers stays open', async () => {
    const pings: number[] = [];
    const { url } = await rawServer((ws) => {
      const i = pings.push(0) - 1;
      ws.on('ping', () => pings[i]!++);
    });
    const clients = Array.from({ length: 3 }, () => transport(url, { heartbeatMs: 20 }));
    await Promise.all(clients.map((c) => c.start()));
    await expect.poll(() => pings.length === 3 && pings.every((n) => n >= 3), { timeout: 5_000 }).toBe(true);
    for (const c of clients) expect(c.closeInfo).toBeUndefined();
  });

  it('rejects start() with a clear error when the server accepts TCP but never answers the upgrade (handshakeTimeoutMs)', async () => {
    const server = createNetServer((socket) => {
      socket.on('data', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      server.close();
      server.unref();
    });
    const { port } = server.address() as AddressInfo;
    const t = transport(`ws://127.0.0.1:${port}/mcp`, { handshakeTimeoutMs: 50 });
    const error = await t.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTransportError(error, TransportErrorCode.Connection)).toBe(true);
    expect((error as Error).message).toMatch(/opening handshake timed out after 50 ms/);
  });

  it('rejects send() with ERR_BACKPRESSURE once a server that stopped reading has maxBufferedBytes queued', async () => {
    const { url } = await rawServer((ws) => {
      ws.pause();
    });
    const t = transport(url, { maxBufferedBytes: 1024 * 1024, closeTimeoutMs: 100 });
    await t.start();
    const chunk = { jsonrpc: '2.0' as const, method: 'n', params: { pad: 'x'.repeat(256 * 1024) } };
    let error: unknown;
    let sent = 0;
    for (; sent < 400 && error === undefined; sent++) {
      t.send(chunk).catch((e: unknown) => (error ??= e));
      await new Promise((r) => setImmediate(r));
    }
    expect(isTransportError(error, TransportErrorCode.Backpressure)).toBe(true);
    expect(sent).toBeLessThan(400);
  });

  it('does not reconnect by default: a drop ends the transport', async () => {
    const l = await setup();
    const t = transport(l.url);
    errorsOf(t);
    const watch = watchClose(t);
    await t.start();
    (await l.next()).terminate();
    await watch.closed;
    expect(t.closeInfo?.code).toBe(1006);
  });

  it('reconnects with backoff when enabled, tells onreconnect, and sends on the new connection', async () => {
    const l = await setup();
    const t = transport(l.url, { reconnect: { initialDelayMs: 10, maxDelayMs: 50, maxAttempts: 5 } });
    const dropped = new Promise<Error>((r) => (t.onerror = r));
    const watch = watchClose(t);
    const reconnected = new Promise<number>((r) => (t.onreconnect = r));
    await t.start();
    const first = await l.next();
    first.terminate();
    expect(await dropped).toMatchObject({ code: TransportErrorCode.Connection });
    await expect(t.send(ping(1))).rejects.toMatchObject({ code: TransportErrorCode.Connection });
    expect(await reconnected).toBe(1);
    const second = await l.next();
    const got = collect(second, 1);
    await second.start();
    await t.send(ping(2));
    expect((await got)[0]?.message).toEqual(ping(2));
    expect(watch.count()).toBe(0);
  });

  it('gives up after maxAttempts, then onerror says so and onclose fires once', async () => {
    const l = await startListener();
    const t = transport(l.url, { reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 3 } });
    const errors = errorsOf(t);
    const watch = watchClose(t);
    let reconnects = 0;
    t.onreconnect = () => reconnects++;
    await t.start();
    await l.listener.close(); // 1001, and nobody listens any more
    await watch.closed;
    expect(reconnects).toBe(0);
    expect(watch.count()).toBe(1);
    expect(errors.at(-1)?.message).toMatch(/gave up reconnecting .* after 3 attempts/);
    expect(t.closeInfo?.code).toBe(1001);
  });

  it('close() during the wait between reconnect attempts ends the transport at once', async () => {
    const l = await startListener();
    const t = transport(l.url, { reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 3 } });
    errorsOf(t);
    const watch = watchClose(t);
    await t.start();
    await l.listener.close();
    await new Promise((r) => setTimeout(r, 20));
    await t.close();
    expect(watch.count()).toBe(1);
  });

  it('notices a killed server process and fires onclose', async () => {
    const fixture = join(import.meta.dirname, 'test-fixtures', 'server-process.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => child.kill('SIGKILL'));
    const line = await new Promise<string>((resolve) => {
      createInterface({ input: child.stdout }).once('line', resolve);
    });
    const t = transport(line.trim(), { heartbeatMs: 1000 });
    errorsOf(t);
    const watch = watchClose(t);
    await t.start();
    child.kill('SIGKILL');
    await watch.closed;
    expect(t.closeInfo?.code).toBe(1006);
  });
});
