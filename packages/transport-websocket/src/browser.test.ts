// The browser entry: the same client API on the global WebSocket, with no Node built-ins. Run here
// on Node with `ws`'s WHATWG-compatible WebSocket as the global, and bundled for the browser.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthInfo } from '@mcp-transports/core';
import { isTransportError, TransportErrorCode } from '@mcp-transports/core';
import { build } from 'tsdown';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWs } from 'ws';
import { WebSocketClientTransport } from './browser.js';
import { collect, ping, startListener, watchClose } from './test-fixtures/helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const saved = globalThis.WebSocket;
beforeAll(() => {
  globalThis.WebSocket = NodeWs as unknown as typeof globalThis.WebSocket;
});
afterAll(() => {
  globalThis.WebSocket = saved;
});

const alice: AuthInfo = { token: 'eyJhbGciOiJIUzI1NiJ9.e30.sig-_', clientId: 'alice', scopes: [] };

describe('browser WebSocketClientTransport', () => {
  it('round-trips with our listener and sends authToken as an mcp.auth.<token> subprotocol', async () => {
    const l = await startListener({ authenticate: ({ token }) => (token === alice.token ? alice : undefined) });
    cleanups.push(() => l.listener.close());
    const t = new WebSocketClientTransport(l.url, { authToken: alice.token });
    cleanups.push(() => t.close());
    const got = collect(t, 1);
    await t.start();
    expect(t.protocol).toBe('mcp');
    const server = await l.next();
    const serverGot = collect(server, 1);
    await server.start();
    await t.send(ping(0));
    const first = (await serverGot)[0];
    expect(first?.message).toEqual(ping(0));
    expect(first?.extra).toMatchObject({ authInfo: alice });
    await server.send({ jsonrpc: '2.0', id: 0, result: {} });
    expect((await got)[0]?.message).toEqual({ jsonrpc: '2.0', id: 0, result: {} });
    const watch = watchClose(t);
    const serverClosed = watchClose(server);
    await t.close();
    await serverClosed.closed;
    expect(watch.count()).toBe(1);
    expect(server.closeInfo?.code).toBe(1000);
  });

  it('rejects start() when the upgrade is refused (browsers hide the status) and fires onclose', async () => {
    const l = await startListener({ authenticate: () => undefined });
    cleanups.push(() => l.listener.close());
    const t = new WebSocketClientTransport(l.url, { authToken: 'nope' });
    const watch = watchClose(t);
    await expect(t.start()).rejects.toSatisfy((e) => isTransportError(e, TransportErrorCode.Connection));
    await watch.closed;
  });

  it('surfaces a server close code (1001 on shutdown)', async () => {
    const l = await startListener();
    const t = new WebSocketClientTransport(l.url);
    const errors: Error[] = [];
    t.onerror = (e) => errors.push(e);
    const watch = watchClose(t);
    await t.start();
    await l.listener.close();
    await watch.closed;
    expect(t.closeInfo).toMatchObject({ code: 1001, reason: 'server shutting down', local: false });
    expect(errors.some((e) => isTransportError(e, TransportErrorCode.Connection))).toBe(true);
  });

  it('refuses a token that cannot travel as a subprotocol', () => {
    expect(() => new WebSocketClientTransport('ws://127.0.0.1:1/mcp', { authToken: 'has space=' })).toThrow(TypeError);
  });
});

describe('browser entry bundle', () => {
  it('bundles for the browser with no Node built-ins and no ws', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'ws-browser-bundle-'));
    cleanups.push(() => rmSync(outDir, { recursive: true, force: true }));
    await build({
      config: false,
      entry: { browser: join(import.meta.dirname, 'browser.ts') },
      outDir,
      platform: 'browser',
      format: 'esm',
      dts: false,
      // Bundle everything, core included, so any Node import anywhere in the graph shows up.
      noExternal: () => true,
      logLevel: 'silent',
    });
    const files = readdirSync(outDir).filter((f) => f.endsWith('.js') || f.endsWith('.mjs'));
    expect(files.length).toBeGreaterThan(0);
    const code = files.map((f) => readFileSync(join(outDir, f), 'utf8')).join('\n');
    expect(code).not.toMatch(/from ["'](node:|ws["'])/);
    expect(code).not.toMatch(/\brequire\(/);
    expect(code).not.toMatch(/\bimport\(["']/);
    expect(code).not.toMatch(/\bBuffer\.|\bprocess\./);
    expect(code).toContain('globalThis.WebSocket');
  });
});
