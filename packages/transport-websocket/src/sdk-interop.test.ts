// The official SDK on both ends: its v1 WebSocketClientTransport against our listener, and its
// Client / McpServer (v1 and v2) over our client and server transports. No adapters.
import type { AuthInfo } from '@mcp-transports/core';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport as SdkWebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as NodeWs } from 'ws';
import { z } from 'zod';
import { WebSocketClientTransport } from './client.js';
import { WebSocketListener } from './listener.js';
import type { WebSocketListenerOptions } from './listener.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const alice: AuthInfo = { token: 'tok', clientId: 'alice', scopes: ['tools'] };

/** A listener that serves a fresh SDK McpServer per connection, with a `whoami` and an `add` tool. */
async function serve(version: 1 | 2, options: WebSocketListenerOptions = {}): Promise<string> {
  const listener = new WebSocketListener(options);
  cleanups.push(() => listener.close());
  listener.onconnection = (transport) => {
    if (version === 1) {
      const server = new McpServerV1({ name: 'ws-test', version: '1.0.0' });
      server.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({
        content: [{ type: 'text', text: String(a + b) }],
      }));
      // Progress sent back to back with the result (no await): usually one socket read for the client.
      server.registerTool('burst', { inputSchema: { steps: z.number() } }, ({ steps }, extra) => {
        const token = extra._meta?.progressToken;
        for (let i = 1; token !== undefined && i <= steps; i++) {
          void extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: i },
          });
        }
        return { content: [{ type: 'text', text: 'done' }] };
      });
      server.registerTool('whoami', {}, (extra) => ({
        content: [
          {
            type: 'text',
            text: `${extra.authInfo?.clientId ?? 'anonymous'} ${extra.requestInfo?.url?.pathname ?? ''}`,
          },
        ],
      }));
      void server.connect(transport);
    } else {
      const server = new McpServerV2({ name: 'ws-test', version: '2.0.0' });
      server.registerTool('add', { inputSchema: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => ({
        content: [{ type: 'text', text: String(a + b) }],
      }));
      server.registerTool('whoami', {}, (ctx: { http?: { authInfo?: AuthInfo } }) => ({
        content: [{ type: 'text', text: ctx.http?.authInfo?.clientId ?? 'anonymous' }],
      }));
      void server.connect(transport);
    }
  };
  return (await listener.listen()).url;
}

function text(result: unknown): string {
  return ((result as { content: { text: string }[] }).content[0] as { text: string }).text;
}

describe('SDK v1 WebSocketClientTransport → our listener', () => {
  for (const version of [1, 2] as const) {
    it(`calls a tool on SDK v${version} McpServer (subprotocol "mcp", text frames)`, async () => {
      // The SDK's client uses the global WebSocket (Node >= 22 has one); on Node 20 we lend it ws's.
      const saved = globalThis.WebSocket;
      globalThis.WebSocket = NodeWs as unknown as typeof globalThis.WebSocket;
      cleanups.push(() => (globalThis.WebSocket = saved));
      const url = await serve(version);
      const client = new ClientV1({ name: 'sdk-ws-client', version: '1.0.0' });
      await client.connect(new SdkWebSocketClientTransport(new URL(url)));
      cleanups.push(() => client.close());
      expect(text(await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } }))).toBe('42');
    });
  }
});

describe('SDK Client over our WebSocketClientTransport → our listener + SDK McpServer', () => {
  it('[TC-3] every progress notification reaches the v1 Client, also those read together with the result', async () => {
    const url = await serve(1);
    const client = new ClientV1({ name: 'c', version: '1.0.0' });
    await client.connect(new WebSocketClientTransport(url));
    cleanups.push(() => client.close());
    for (let call = 0; call < 10; call++) {
      const progress: number[] = [];
      await client.callTool({ name: 'burst', arguments: { steps: 5 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      expect(progress).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('v1 Client ↔ v1 McpServer, with AuthInfo and requestInfo in the tool handler', async () => {
    const url = await serve(1, { authenticate: ({ token }) => (token === 'tok' ? alice : undefined) });
    const client = new ClientV1({ name: 'c', version: '1.0.0' });
    await client.connect(new WebSocketClientTransport(url, { authToken: 'tok' }));
    cleanups.push(() => client.close());
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('alice /mcp');
    expect(text(await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }))).toBe('3');
  });

  it('v2 Client ↔ v2 McpServer, with AuthInfo in ctx.http', async () => {
    const url = await serve(2, { authenticate: ({ token }) => (token === 'tok' ? alice : undefined) });
    const client = new ClientV2({ name: 'c', version: '2.0.0' });
    await client.connect(new WebSocketClientTransport(url, { authToken: 'tok' }));
    cleanups.push(() => client.close());
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('alice');
    expect(text(await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } }))).toBe('42');
  });

  it('v2 Client ↔ v1 McpServer and v1 Client ↔ v2 McpServer', async () => {
    const url1 = await serve(1);
    const url2 = await serve(2);
    const a = new ClientV2({ name: 'c', version: '2.0.0' });
    await a.connect(new WebSocketClientTransport(url1));
    cleanups.push(() => a.close());
    const b = new ClientV1({ name: 'c', version: '1.0.0' });
    await b.connect(new WebSocketClientTransport(url2));
    cleanups.push(() => b.close());
    expect(text(await a.callTool({ name: 'add', arguments: { a: 1, b: 1 } }))).toBe('2');
    expect(text(await b.callTool({ name: 'add', arguments: { a: 2, b: 2 } }))).toBe('4');
  });

  it('many concurrent requests on one connection come back matched', async () => {
    const url = await serve(1);
    const client = new ClientV1({ name: 'c', version: '1.0.0' });
    await client.connect(new WebSocketClientTransport(url));
    cleanups.push(() => client.close());
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => client.callTool({ name: 'add', arguments: { a: i, b: 1 } })),
    );
    expect(results.map(text)).toEqual(Array.from({ length: 200 }, (_, i) => String(i + 1)));
  });
});
