/**
 * The 2026-07-28 era on our listener: one endpoint for every era, the per-request transport, the
 * validation ladder, cancellation by stream close, and subscriptions/listen.
 */
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as StreamableV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMcpHttpServer, type McpHttpServer } from './index.js';
import { createApp, MODERN, modernHeaders, modernRequest, post } from './_fixtures/modern.js';

const running: McpHttpServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function start(options: Parameters<typeof createMcpHttpServer>[0] extends infer O ? Partial<O> : never = {}) {
  const server = await createMcpHttpServer({ onconnection: (t) => void createApp(t), ...options });
  running.push(server);
  return server;
}

function text(result: unknown): string {
  return ((result as { content: { text: string }[] }).content[0] as { text: string }).text;
}

describe('one endpoint, every era', () => {
  it('[M26-12] [M26-17] [M26-20] [SH-1] SDK v2 client pinned to 2026-07-28 and SDK v1 client (2025) on one endpoint, one app', async () => {
    const ours = await start();
    const modern = new ClientV2({ name: 'v2', version: '2.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
    await modern.connect(new StreamableV2(ours.url));
    const old = new ClientV1({ name: 'v1', version: '1.0.0' });
    await old.connect(new StreamableV1(ours.url));
    expect(modern.getNegotiatedProtocolVersion()).toBe(MODERN);

    expect((await modern.listTools()).tools.map((t) => t.name)).toContain('echo');
    expect((await old.listTools()).tools.map((t) => t.name)).toContain('echo');
    const [a, b] = await Promise.all([
      modern.callTool({ name: 'echo', arguments: { text: 'modern 🎉' } }),
      old.callTool({ name: 'echo', arguments: { text: 'old 🎉' } }),
    ]);
    expect(text(a)).toBe('modern 🎉');
    expect(text(b)).toBe('old 🎉');
    // The 2025 client holds a session; the 2026 client holds none.
    expect(ours.listener.sessionCount).toBe(1);
    expect(old.transport?.sessionId).toBeDefined();
    await modern.close();
    await old.close();
  });

  it('[M26-2] the per-request mode keeps no state: many 2026 requests leave zero sessions and zero exchanges', async () => {
    const ours = await start();
    const client = new ClientV2({ name: 'v2', version: '2.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
    await client.connect(new StreamableV2(ours.url));
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => client.callTool({ name: 'echo', arguments: { text: `n${i}` } })),
    );
    expect(results.map(text)).toEqual(Array.from({ length: 40 }, (_, i) => `n${i}`));
    expect(ours.listener.sessionCount).toBe(0);
    expect(ours.listener.exchangeCount).toBe(0);
    await client.close();
  });

  it('[M26-2] two listener instances answer alternating requests of one client (any node can answer)', async () => {
    const nodes = [await start(), await start()];
    let turn = 0;
    // A load balancer in front of both nodes: each request goes to the next node.
    const balanced: typeof fetch = (input, init) => {
      const node = nodes[turn++ % 2] as McpHttpServer;
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      url.port = node.url.port;
      return fetch(url, init);
    };
    const client = new ClientV2({ name: 'v2', version: '2.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
    await client.connect(new StreamableV2(nodes[0]?.url as URL, { fetch: balanced }));
    for (let i = 0; i < 6; i++) {
      expect(text(await client.callTool({ name: 'echo', arguments: { text: `r${i}` } }))).toBe(`r${i}`);
    }
    expect(turn).toBeGreaterThanOrEqual(7);
    expect(nodes.map((n) => n.listener.sessionCount)).toEqual([0, 0]);
    await client.close();
  });

  it('[M26-13] [M26-14] a related notification before the result turns the answer into an SSE stream', async () => {
    const ours = await start();
    const res = await post(ours.url, modernRequest('tools/call', { name: 'progress', arguments: {} }), {
      ...modernHeaders('tools/call', 'progress'),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    expect(res.headers.get('mcp-session-id')).toBeNull();
    const body = await res.text();
    expect(body).toContain('notifications/message');
    expect(body).toContain('"resultType":"complete"');
  });

  it('[M26-1] a plain answer is one JSON body with the 2026 result shape', async () => {
    const ours = await start();
    const res = await post(ours.url, modernRequest('tools/call', { name: 'echo', arguments: { text: 'x' } }), {
      ...modernHeaders('tools/call', 'echo'),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { id: number; result: { resultType: string } };
    expect(body.id).toBe(1);
    expect(body.result.resultType).toBe('complete');
  });
});
