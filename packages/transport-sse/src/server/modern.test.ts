/**
 * The 2026-07-28 era on our listener: one endpoint for every era, the per-request transport, the
 * validation ladder, cancellation by stream close, and subscriptions/listen.
 */
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as StreamableV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { serve } from '@hono/node-server';
import { MemoryServerEventBus } from '@mcp-transports/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMcpHttpServer, PerRequestServerTransport, StreamableHTTPListener, type McpHttpServer } from './index.js';
import {
  createApp,
  MODERN,
  modernHeaders,
  modernRequest,
  post,
  sseMessages,
  type AppProbe,
} from './_fixtures/modern.js';
import { connectServer, createV2Server } from './_fixtures/servers.js';

const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';

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

  it('[M26-10] SDK v2 auto negotiation: 2026 with a 2026-capable app, falls back to 2025 with an SDK v1 app', async () => {
    const modernApp = await start();
    const auto = new ClientV2({ name: 'v2', version: '2.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await auto.connect(new StreamableV2(modernApp.url));
    expect(auto.getNegotiatedProtocolVersion()).toBe(MODERN);
    await auto.close();

    const v1App = await start({ onconnection: (t) => connectServer('v1', t) });
    const fallback = new ClientV2({ name: 'v2', version: '2.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await fallback.connect(new StreamableV2(v1App.url));
    expect(fallback.getNegotiatedProtocolVersion()).not.toBe(MODERN);
    expect(text(await fallback.callTool({ name: 'echo', arguments: { text: 'old app' } }))).toBe('old app');
    expect(v1App.listener.sessionCount).toBe(1);
    await fallback.close();
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

function pinned(): ClientV2 {
  return new ClientV2({ name: 'v2', version: '2.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
}

/** Waits for a condition without a fixed sleep. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('cancellation by closing the response stream (M26-16)', () => {
  it('[M26-16] a raw client that closes the stream aborts the handler, and the exchange ends', async () => {
    const probe: AppProbe = { aborted: [] };
    const started = new Promise<void>((resolve) => (probe.onWaitStarted = resolve));
    const ours = await start({ onconnection: (t) => void createApp(t, probe) });
    const abort = new AbortController();
    const pending = post(
      ours.url,
      modernRequest('tools/call', { name: 'wait', arguments: { tag: 'raw' } }),
      modernHeaders('tools/call', 'wait'),
      abort.signal,
    ).catch((error: unknown) => error);
    await started;
    expect(ours.listener.exchangeCount).toBe(1);
    abort.abort();
    await pending;
    await until(() => probe.aborted.includes('raw'), 'the handler to see the abort');
    await until(() => ours.listener.exchangeCount === 0, 'the exchange to end');
  });

  it('[M26-16] SDK v2 client: aborting callTool cancels the running tool on our server', async () => {
    const probe: AppProbe = { aborted: [] };
    const started = new Promise<void>((resolve) => (probe.onWaitStarted = resolve));
    const ours = await start({ onconnection: (t) => void createApp(t, probe) });
    const client = pinned();
    await client.connect(new StreamableV2(ours.url));
    const abort = new AbortController();
    const call = client.callTool({ name: 'wait', arguments: { tag: 'sdk' } }, { signal: abort.signal });
    await started;
    abort.abort();
    await expect(call).rejects.toThrow();
    await until(() => probe.aborted.includes('sdk'), 'the handler to see the abort');
    await until(() => ours.listener.exchangeCount === 0, 'the exchange to end');
    await client.close();
  });

  it('[M26-16] the transport tells the application: signal aborts and onclose fires, nothing more is written', async () => {
    let transport: PerRequestServerTransport | undefined;
    const seen: string[] = [];
    const ours = await start({
      onconnection: (t) => {
        if (t instanceof PerRequestServerTransport) transport = t;
        t.onmessage = (message) => seen.push('method' in message ? message.method : 'response');
        t.onclose = () => seen.push('closed');
        void t.start();
      },
    });
    const abort = new AbortController();
    const pending = post(
      ours.url,
      modernRequest('tools/call', { name: 'never', arguments: {} }),
      modernHeaders('tools/call', 'never'),
      abort.signal,
    ).catch((error: unknown) => error);
    await until(() => seen.includes('tools/call'), 'the request to arrive');
    abort.abort();
    await pending;
    await until(() => seen.includes('closed'), 'onclose');
    expect(seen).toEqual(['tools/call', 'notifications/cancelled', 'closed']);
    expect(transport?.signal.aborted).toBe(true);
    await expect(transport?.send({ jsonrpc: '2.0', id: 1, result: {} })).rejects.toThrow(/ended|closed/);
  });
});

describe('subscriptions/listen', () => {
  it('[M26-13] [M26-14] SDK v2 client listen(): ack, filtered events from the bus, local close tears down', async () => {
    const bus = new MemoryServerEventBus();
    const ours = await start({ bus });
    const client = pinned();
    await client.connect(new StreamableV2(ours.url));
    const got: string[] = [];
    client.setNotificationHandler('notifications/tools/list_changed', () => void got.push('tools'));
    client.setNotificationHandler('notifications/prompts/list_changed', () => void got.push('prompts'));
    client.setNotificationHandler('notifications/resources/updated', (n) => void got.push(`updated ${n.params.uri}`));
    const sub = await client.listen({ toolsListChanged: true, resourceSubscriptions: ['file:///a'] });
    expect(sub.honoredFilter).toEqual({ toolsListChanged: true, resourceSubscriptions: ['file:///a'] });
    expect(ours.listener.subscriptionCount).toBe(1);
    expect(ours.listener.bus).toBe(bus);
    bus.publish({ kind: 'prompts_list_changed' });
    bus.publish({ kind: 'resource_updated', uri: 'file:///b' });
    bus.publish({ kind: 'tools_list_changed' });
    bus.publish({ kind: 'resource_updated', uri: 'file:///a' });
    await until(() => got.length >= 2, 'two events');
    expect(got).toEqual(['tools', 'updated file:///a']);
    await sub.close();
    expect(await sub.closed).toBe('local');
    await until(() => ours.listener.subscriptionCount === 0, 'the stream to be torn down');
    expect(bus.listenerCount).toBe(0);
    await client.close();
  });

  it('[M26-13] closing the listener ends every listen stream gracefully (the empty listen result)', async () => {
    const ours = await start();
    const client = pinned();
    await client.connect(new StreamableV2(ours.url));
    const sub = await client.listen({ toolsListChanged: true });
    await ours.listener.close();
    expect(await sub.closed).toBe('graceful');
    await client.close();
  });

  it('[M26-6] every listen notification carries the subscription id; an empty filter ends at once', async () => {
    const bus = new MemoryServerEventBus();
    const ours = await start({ bus });
    const abort = new AbortController();
    const res = await post(
      ours.url,
      modernRequest('subscriptions/listen', { notifications: { resourcesListChanged: true } }, 'L1'),
      modernHeaders('subscriptions/listen'),
      abort.signal,
    );
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const read = async (events: number) => {
      while (sseMessages(text).length < events) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value, { stream: true });
      }
    };
    await read(1);
    bus.publish({ kind: 'resources_list_changed', params: { _meta: { note: 'kept' } } });
    await read(2);
    const [ack, change] = sseMessages(text) as { method: string; params: { _meta: Record<string, unknown> } }[];
    expect(ack?.method).toBe('notifications/subscriptions/acknowledged');
    expect(ack?.params._meta[SUBSCRIPTION_ID]).toBe('L1');
    expect(change?.method).toBe('notifications/resources/list_changed');
    expect(change?.params._meta).toEqual({ note: 'kept', [SUBSCRIPTION_ID]: 'L1' });
    abort.abort();
    await until(() => bus.listenerCount === 0, 'the bus listener to go');

    const empty = await post(
      ours.url,
      modernRequest('subscriptions/listen', { notifications: {} }, 'L2'),
      modernHeaders('subscriptions/listen'),
    );
    const messages = sseMessages(await empty.text());
    expect(messages.map((m) => m.method ?? 'result')).toEqual(['notifications/subscriptions/acknowledged', 'result']);
    expect(messages[1]).toMatchObject({
      id: 'L2',
      result: { resultType: 'complete', _meta: { [SUBSCRIPTION_ID]: 'L2' } },
    });
  });

  it('a listen without params.notifications is refused with -32602; over maxSubscriptions with -32603', async () => {
    const ours = await start({ maxSubscriptions: 1 });
    const bad = await post(
      ours.url,
      modernRequest('subscriptions/listen', {}, 5),
      modernHeaders('subscriptions/listen'),
    );
    expect(await bad.json()).toMatchObject({ id: 5, error: { code: -32602 } });
    const abort = new AbortController();
    const first = await post(
      ours.url,
      modernRequest('subscriptions/listen', { notifications: { toolsListChanged: true } }, 6),
      modernHeaders('subscriptions/listen'),
      abort.signal,
    );
    expect(first.status).toBe(200);
    await until(() => ours.listener.subscriptionCount === 1, 'the first stream');
    const second = await post(
      ours.url,
      modernRequest('subscriptions/listen', { notifications: { toolsListChanged: true } }, 7),
      modernHeaders('subscriptions/listen'),
    );
    expect(await second.json()).toMatchObject({ id: 7, error: { code: -32603 } });
    abort.abort();
    await until(() => ours.listener.subscriptionCount === 0, 'the stream to close');
  });
});

describe('options and refusals', () => {
  it('[M26-23] modernOnly: SDK v1 clients are refused with -32022, GET answers 405, the legacy /sse path is gone', async () => {
    const ours = await start({ modernOnly: true });
    const old = new ClientV1({ name: 'v1', version: '1.0.0' });
    await expect(old.connect(new StreamableV1(ours.url))).rejects.toThrow(/2026-07-28/);
    const get = await fetch(ours.url, { headers: { accept: 'text/event-stream' } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(ours.sseUrl).toBeUndefined();
    const client = pinned();
    await client.connect(new StreamableV2(ours.url));
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'ok' } }))).toBe('ok');
    await client.close();
  });

  it('[M26-13] enableJsonResponse: one JSON body even when the tool sends a notification first', async () => {
    const ours = await start({ enableJsonResponse: true });
    const res = await post(
      ours.url,
      modernRequest('tools/call', { name: 'progress', arguments: {} }),
      modernHeaders('tools/call', 'progress'),
    );
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({ id: 1, result: { resultType: 'complete' } });
  });

  it('[M26-18] an SDK v2 server the application did not bind to 2026 answers -32022 with HTTP 400', async () => {
    const ours = await start({ onconnection: (t) => void createV2Server().connect(t) });
    const res = await post(ours.url, modernRequest('tools/list'), modernHeaders('tools/list'));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ id: 1, error: { code: -32022 } });
  });

  it('[M26-4] a modern notification POST is accepted with 202 and handed to the application', async () => {
    const seen: string[] = [];
    const ours = await start({
      onconnection: (t) => {
        t.onmessage = (m) => seen.push('method' in m ? m.method : '?');
        void t.start();
      },
    });
    const body = JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 9, _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN } },
    });
    const res = await post(ours.url, body, modernHeaders('notifications/cancelled'));
    expect(res.status).toBe(202);
    await until(() => seen.length === 1 && ours.listener.exchangeCount === 0, 'delivery');
    expect(seen).toEqual(['notifications/cancelled']);
  });

  it('[M26-12] the fetch entry (handleFetch) serves 2026 clients too', async () => {
    const listener = new StreamableHTTPListener();
    listener.onconnection = (t) => void createApp(t);
    const http = serve({ fetch: (request) => listener.handleFetch(request), port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => http.once('listening', resolve));
    try {
      const { port } = http.address() as { port: number };
      const client = pinned();
      await client.connect(new StreamableV2(new URL(`http://127.0.0.1:${port}/mcp`)));
      expect(text(await client.callTool({ name: 'echo', arguments: { text: 'fetch' } }))).toBe('fetch');
      await client.close();
      expect(listener.sessionCount).toBe(0);
    } finally {
      await listener.close();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('[M26-21] [M26-20] Mcp-Param-* matching the x-mcp-header arguments (plain, base64, numeric) passes the ladder', async () => {
    const ours = await start({
      toolInputSchema: (name) =>
        name === 'deploy'
          ? {
              type: 'object',
              properties: {
                region: { type: 'string', 'x-mcp-header': 'Region' },
                replicas: { type: 'integer', 'x-mcp-header': 'Replicas' },
              },
            }
          : undefined,
    });
    const call = (headers: Record<string, string>, args: Record<string, unknown>) =>
      post(ours.url, modernRequest('tools/call', { name: 'deploy', arguments: args }), {
        ...modernHeaders('tools/call', 'deploy'),
        ...headers,
      });
    // Past the ladder, the app answers in-band (it has no such tool): 200.
    const plain = await call(
      { 'mcp-param-region': 'eu-west', 'mcp-param-replicas': '3.0' },
      { region: 'eu-west', replicas: 3 },
    );
    expect(plain.status).toBe(200);
    const wrapped = await call(
      { 'mcp-param-region': `=?base64?${Buffer.from('zürich ✓').toString('base64')}?=`, 'mcp-param-replicas': '3' },
      { region: 'zürich ✓', replicas: 3 },
    );
    expect(wrapped.status).toBe(200);
    const absent = await call({}, { region: null });
    expect(absent.status).toBe(200);
    const wrong = await call(
      { 'mcp-param-region': 'eu-west', 'mcp-param-replicas': '4' },
      { region: 'eu-west', replicas: 3 },
    );
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: { code: -32020, data: { mismatch: { header: '4' } } } });
  });

  it('[M26-17] [M26-18] the ladder order follows the SDK v2: header/body mismatch before an unsupported version', async () => {
    const ours = await start();
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: {
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2099-01-01',
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    });
    const mismatch = await post(ours.url, body, modernHeaders('tools/list'));
    expect(await mismatch.json()).toMatchObject({ id: 1, error: { code: -32020 } });
    const unsupported = await post(ours.url, body, {
      ...modernHeaders('tools/list'),
      'mcp-protocol-version': '2099-01-01',
    });
    expect(unsupported.status).toBe(400);
    expect(await unsupported.json()).toMatchObject({
      error: { code: -32022, data: { supported: [MODERN], requested: '2099-01-01' } },
    });
  });

  it.each([
    [
      'initialize with a 2026 MCP-Protocol-Version',
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {} } },
      400,
      -32020,
    ],
    [
      'a protocol version claim that is not a string',
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: { _meta: { 'io.modelcontextprotocol/protocolVersion': 7 } },
      },
      400,
      -32602,
    ],
    ['a request with the 2026 header and no _meta', { jsonrpc: '2.0', id: 1, method: 'tools/list' }, 400, -32602],
    [
      'a batch holding a 2026 request',
      [
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/list',
          params: { _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN } },
        },
      ],
      400,
      -32600,
    ],
    ['a JSON-RPC response with the 2026 header', { jsonrpc: '2.0', id: 1, result: {} }, 400, -32600],
  ])('[M26-1] [M26-12] [M26-17] refuses %s', async (_name, payload, status, code) => {
    const ours = await start();
    const res = await post(ours.url, JSON.stringify(payload), modernHeaders('tools/list'));
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(/^\[mcp-transports\/sse\] .*\(M26-\d+(, M26-\d+)*\)$/);
  });

  it('[M26-16] closing an SSE answer mid-stream cancels too, and closing the listener answers in-flight requests', async () => {
    const seen: string[] = [];
    let transports = 0;
    const ours = await start({
      onconnection: (t) => {
        const n = ++transports;
        t.onmessage = (message) => {
          seen.push(`${n} ${'method' in message ? message.method : 'response'}`);
          if ('id' in message && 'method' in message) {
            void t.send(
              { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } },
              { relatedRequestId: message.id },
            );
          }
        };
        t.onclose = () => seen.push(`${n} closed`);
        void t.start();
      },
    });
    const abort = new AbortController();
    const streaming = await post(
      ours.url,
      modernRequest('tools/call', { name: 'x', arguments: {} }),
      modernHeaders('tools/call', 'x'),
      abort.signal,
    );
    expect(streaming.headers.get('content-type')).toBe('text/event-stream');
    const reader = (streaming.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('notifications/progress');
    abort.abort();
    await until(() => seen.includes('1 closed'), 'the first exchange to close');
    expect(seen).toEqual(['1 tools/call', '1 notifications/cancelled', '1 closed']);

    const pending = post(ours.url, modernRequest('tools/list', {}, 2), modernHeaders('tools/list'));
    await until(() => seen.includes('2 tools/list'), 'the second request');
    await ours.listener.close();
    const text = await (await pending).text();
    expect(text).toContain('-32603');
    expect(text).toContain('closed the exchange without answering');
  });
});
