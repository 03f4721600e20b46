import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthInfo } from '@mcp-transports/core';
import { isTransportError, TransportErrorCode } from '@mcp-transports/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { WebSocketListener } from './listener.js';
import type { WebSocketListenerOptions } from './listener.js';
import {
  closed,
  collect,
  ping,
  rawClient,
  startListener,
  upgradeRequest,
  watchClose,
} from './test-fixtures/helpers.js';
import type { TestListener } from './test-fixtures/helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: WebSocketListenerOptions = {}): Promise<TestListener> {
  const l = await startListener(options);
  cleanups.push(() => l.listener.close());
  return l;
}

async function client(
  url: string,
  protocols?: string | string[],
  headers?: Record<string, string>,
): Promise<WebSocket> {
  const ws = await rawClient(url, protocols, headers === undefined ? {} : { headers });
  cleanups.push(() => ws.terminate());
  return ws;
}

const alice: AuthInfo = { token: 'secret-token', clientId: 'alice', scopes: ['tools'] };
const authenticate: WebSocketListenerOptions['authenticate'] = ({ token }) =>
  token === alice.token ? alice : undefined;

describe('WebSocketListener: DNS-rebinding protection (on for loopback binds)', () => {
  it('[SH-2][SH-3] refuses a foreign Origin with 403 and a JSON-RPC error without id', async () => {
    const l = await setup();
    const res = await upgradeRequest(l.port, { origin: 'https://evil.example', 'sec-websocket-protocol': 'mcp' });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toBe('application/json');
    const body = JSON.parse(res.body) as { jsonrpc: string; id?: unknown; error: { code: number; message: string } };
    expect(body.jsonrpc).toBe('2.0');
    expect('id' in body).toBe(false);
    expect(body.error.message).toMatch(/Origin/);
    expect(l.errors.some((e) => isTransportError(e, TransportErrorCode.Refused))).toBe(true);
  });

  it('[SH-2] refuses a foreign Host header with 403', async () => {
    const l = await setup();
    const res = await upgradeRequest(l.port, { host: 'evil.example:80' });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/Host/);
  });

  it('[SH-2] accepts loopback Origins and clients without Origin', async () => {
    const l = await setup();
    const ws = await client(l.url, 'mcp', { origin: 'http://localhost:5173' });
    expect(ws.protocol).toBe('mcp');
    expect((await upgradeRequest(l.port, { host: `[::1]:${l.port}` })).status).toBe(101);
    expect((await upgradeRequest(l.port, {})).status).toBe(101);
  });

  it('checks allowedOrigins / allowedHosts when given', async () => {
    const l = await setup({ allowedOrigins: ['https://app.example'], allowedHosts: ['mcp.example', '127.0.0.1'] });
    expect((await upgradeRequest(l.port, { origin: 'https://app.example' })).status).toBe(101);
    expect((await upgradeRequest(l.port, { origin: 'http://localhost:3000' })).status).toBe(403);
    expect((await upgradeRequest(l.port, { host: 'mcp.example' })).status).toBe(101);
    expect((await upgradeRequest(l.port, { host: 'localhost' })).status).toBe(403);
  });

  it('can be turned off', async () => {
    const l = await setup({ dnsRebindingProtection: false });
    const res = await upgradeRequest(l.port, { origin: 'https://evil.example', host: 'evil.example' });
    expect(res.status).toBe(101);
  });
});

describe('WebSocketListener: authentication at the upgrade', () => {
  it('[SH-5] passes the Authorization bearer token to authenticate and delivers AuthInfo in extra', async () => {
    const l = await setup({ authenticate });
    const ws = await client(l.url, 'mcp', { authorization: 'Bearer secret-token' });
    const t = await l.next();
    const got = collect(t, 1);
    await t.start();
    ws.send(JSON.stringify(ping(1)));
    expect((await got)[0]?.extra).toMatchObject({ authInfo: alice });
  });

  it('takes the token from an mcp.auth.<token> subprotocol (browsers) and still selects "mcp"', async () => {
    const l = await setup({ authenticate });
    const ws = await client(l.url, ['mcp', 'mcp.auth.secret-token']);
    expect(ws.protocol).toBe('mcp');
    const t = await l.next();
    const got = collect(t, 1);
    await t.start();
    ws.send(JSON.stringify(ping(1)));
    expect((await got)[0]?.extra).toMatchObject({ authInfo: alice });
  });

  it('refuses a missing or wrong token with 401, WWW-Authenticate and a JSON-RPC error body', async () => {
    const l = await setup({ authenticate });
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nope' },
      { 'sec-websocket-protocol': 'mcp, mcp.auth.nope' },
    ];
    for (const headers of cases) {
      const res = await upgradeRequest(l.port, headers);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.parse(res.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    }
  });

  it('refuses with 403 when the hook throws an error with status 403', async () => {
    const l = await setup({
      authenticate: () => {
        throw Object.assign(new Error('insufficient scope'), { status: 403 });
      },
    });
    const res = await upgradeRequest(l.port, { authorization: 'Bearer x' });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/insufficient scope/);
  });

  it('awaits an async hook', async () => {
    const l = await setup({
      authenticate: async ({ token }) => {
        await new Promise((r) => setTimeout(r, 10));
        return token === 'a' ? alice : undefined;
      },
    });
    expect((await upgradeRequest(l.port, { authorization: 'Bearer a' })).status).toBe(101);
    expect((await upgradeRequest(l.port, { authorization: 'Bearer b' })).status).toBe(401);
  });
});

describe('WebSocketListener: standalone and attached', () => {
  it('answers plain HTTP on a standalone listener with 426 and unknown paths with 404', async () => {
    const l = await setup();
    const res = await fetch(l.url.replace('ws:', 'http:'));
    expect(res.status).toBe(426);
    expect((await upgradeRequest(l.port, {}, '/other')).status).toBe(404);
  });

  it('shares an http.Server path with a plain HTTP handler (Streamable HTTP on the same URL)', async () => {
    const server = createServer((req, res) => {
      // Stands in for the Streamable HTTP transport on the same endpoint.
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const listener = new WebSocketListener();
    listener.attach(server, { path: '/mcp' });
    cleanups.push(() => listener.close());
    const connections: unknown[] = [];
    listener.onconnection = (t) => connections.push(t);
    const { port } = server.address() as AddressInfo;
    const post = await fetch(`http://127.0.0.1:${port}/mcp`, { method: 'POST', body: '{}' });
    expect(await post.json()).toEqual({ method: 'POST' });
    const get = await fetch(`http://127.0.0.1:${port}/mcp`);
    expect(await get.json()).toEqual({ method: 'GET' });
    const ws = await client(`ws://127.0.0.1:${port}/mcp`);
    expect(ws.protocol).toBe('mcp');
    expect(connections).toHaveLength(1);
    // Closing the listener leaves the HTTP server running.
    await listener.close();
    expect((await fetch(`http://127.0.0.1:${port}/mcp`)).status).toBe(200);
  });

  it('leaves upgrades on other paths to other upgrade handlers', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const listener = new WebSocketListener();
    listener.attach(server, { path: '/mcp' });
    cleanups.push(() => listener.close());
    let other = 0;
    server.on('upgrade', (req, socket) => {
      if (req.url !== '/other') return;
      other++;
      socket.end('HTTP/1.1 418 Teapot\r\nContent-Length: 0\r\n\r\n');
    });
    const { port } = server.address() as AddressInfo;
    expect((await upgradeRequest(port, {}, '/other')).status).toBe(418);
    expect(other).toBe(1);
  });

  it('close() closes every connection with 1001, waits for each onclose, then stops accepting', async () => {
    const l = await startListener();
    const sockets = [await client(l.url), await client(l.url), await client(l.url)];
    const watches = [];
    for (let i = 0; i < sockets.length; i++) {
      const t = await l.next();
      await t.start();
      watches.push(watchClose(t));
    }
    const codes = sockets.map((s) => closed(s));
    await l.listener.close();
    expect(watches.map((w) => w.count())).toEqual([1, 1, 1]);
    expect((await Promise.all(codes)).map((c) => c.code)).toEqual([1001, 1001, 1001]);
    expect(l.listener.connections.size).toBe(0);
    await expect(rawClient(l.url)).rejects.toThrow();
    await l.listener.close();
  });

  it('reports an onconnection that throws and closes that connection with 1011', async () => {
    const l = await setup();
    l.listener.onconnection = () => {
      throw new Error('boom');
    };
    const ws = await client(l.url);
    expect((await closed(ws)).code).toBe(1011);
    expect(l.errors.some((e) => e.message === 'boom')).toBe(true);
  });
});
