/**
 * MCP 2026-07-28 (stateless) on our client transport: the official SDK v2 Client negotiating over
 * it against the official SDK v2 `createMcpHandler`, the fallbacks to 2025 and to HTTP+SSE, and the
 * wire details a scripted server can check.
 */
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeHeaderValue, encodeHeaderValue } from './_modern.js';
import { json, sse, startRawServer, type RawServer } from './_fixtures/raw-server.js';
import { startSdkPeer } from './_fixtures/sdk-server.js';
import { startSdkV2Handler } from './_fixtures/sdk-v2-handler.js';
import { StreamableHTTPClientTransport as BrowserTransport } from './browser.js';
import { FallbackClientTransport, StreamableHTTPClientTransport } from './index.js';

const MODERN = '2026-07-28';
const cleanup: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function v2Client(): ClientV2 {
  const client = new ClientV2({ name: 'v2', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  cleanup.push(() => client.close());
  return client;
}

function text(result: unknown): string | undefined {
  return (result as { content: { text?: string }[] }).content[0]?.text;
}

async function raw(handler: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
  const server = await startRawServer(handler);
  cleanup.push(() => server.close());
  return server;
}

function modernRequest(id: number, method: string, params: Record<string, unknown> = {}) {
  return {
    jsonrpc: '2.0' as const,
    id,
    method,
    params: {
      ...params,
      _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} },
    },
  };
}

describe('SDK v2 Client (versionNegotiation auto) over StreamableHTTPClientTransport, against SDK v2 createMcpHandler', () => {
  it('[M26-1][M26-12][M26-17][M26-20] negotiates 2026-07-28 with server/discover and sends the request metadata headers, no session', async () => {
    const peer = await startSdkV2Handler({ legacy: 'reject' });
    cleanup.push(() => peer.close());
    const transport = new StreamableHTTPClientTransport(peer.url);
    const client = v2Client();
    await client.connect(transport);
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect(transport.protocolVersion).toBe(MODERN);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'progress', 'wait']));
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'héllo 😀' } }))).toBe('héllo 😀');

    expect(peer.requests[0]?.['mcp-method']).toBe('server/discover');
    const call = peer.requests.find((h) => h['mcp-method'] === 'tools/call');
    expect(call?.['mcp-name']).toBe('echo');
    for (const headers of peer.requests) {
      expect(headers['mcp-protocol-version']).toBe(MODERN);
      expect(headers['mcp-method']).toBeDefined();
      expect(headers['mcp-session-id']).toBeUndefined();
    }
    // M26-12: POST only — no GET stream was opened, no DELETE sent.
    expect(new Set(peer.methods)).toEqual(new Set(['POST']));
    await client.close();
    expect(new Set(peer.methods)).toEqual(new Set(['POST']));
    expect(transport.sessionId).toBeUndefined();
  });

  it('[M26-21] carries the Mcp-Param-* headers the SDK derives from x-mcp-header, which the server validates', async () => {
    const peer = await startSdkV2Handler({ legacy: 'reject' });
    cleanup.push(() => peer.close());
    const client = v2Client();
    await client.connect(new StreamableHTTPClientTransport(peer.url));
    await client.listTools();
    const result = await client.callTool({ name: 'regional', arguments: { region: 'eu-west', text: 'hi' } });
    expect(text(result)).toBe('eu-west: hi');
    const call = peer.requests.find((h) => h['mcp-name'] === 'regional');
    expect(call?.['mcp-param-region']).toBe('eu-west');
  });

  it("[M26-17][M26-21] a real server's -32020 refusal (header disagrees with body) settles the request", async () => {
    const peer = await startSdkV2Handler({ legacy: 'reject' });
    cleanup.push(() => peer.close());
    const transport = new StreamableHTTPClientTransport(peer.url);
    cleanup.push(() => transport.close());
    const messages: unknown[] = [];
    transport.onmessage = (m) => messages.push(m);
    await transport.start();
    await transport.send(
      modernRequest(9, 'tools/call', { name: 'regional', arguments: { region: 'eu-west', text: 'x' } }),
      { headers: { 'Mcp-Param-Region': 'us-east' } },
    );
    expect(messages).toEqual([expect.objectContaining({ id: 9, error: expect.objectContaining({ code: -32020 }) })]);
  });

  it('[M26-12] the browser entry (fetch) speaks 2026-07-28 the same way', async () => {
    const peer = await startSdkV2Handler({ legacy: 'reject' });
    cleanup.push(() => peer.close());
    const client = v2Client();
    const transport = new BrowserTransport(peer.url);
    await client.connect(transport);
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'fetch' } }))).toBe('fetch');
    expect(peer.requests.every((h) => h['mcp-protocol-version'] === MODERN && h['mcp-session-id'] === undefined)).toBe(
      true,
    );
  });

  it('[M26-13] delivers progress notifications sent on the request stream before the result', async () => {
    const peer = await startSdkV2Handler({ legacy: 'reject' });
    cleanup.push(() => peer.close());
    const client = v2Client();
    await client.connect(new StreamableHTTPClientTransport(peer.url));
    const progress: number[] = [];
    const result = await client.callTool(
      { name: 'progress', arguments: { steps: 3 } },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(text(result)).toBe('done 3');
    expect(progress).toEqual([1, 2, 3]);
  });

  it('[M26-16] aborting a request closes its stream, which the server sees as cancellation', async () => {
    // Always SSE, so the response stream is open while the tool waits.
    const peer = await startSdkV2Handler({ legacy: 'reject', responseMode: 'sse' });
    cleanup.push(() => peer.close());
    const client = v2Client();
    await client.connect(new StreamableHTTPClientTransport(peer.url));
    const abort = new AbortController();
    const call = client.callTool({ name: 'wait', arguments: { tag: 'a' } }, { signal: abort.signal });
    const settled = call.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await vi.waitFor(() => expect(peer.started.has('a')).toBe(true));
    abort.abort(new Error('user gave up'));
    expect(await settled).toBeInstanceOf(Error);
    await vi.waitFor(() => expect(peer.cancelled.has('a')).toBe(true));
    // The connection is still usable for the next request.
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'after' } }))).toBe('after');
  });

  it('[M26-1] SDK v1 Client (2025, initialize) works against the same endpoint through the stateless fallback', async () => {
    const peer = await startSdkV2Handler();
    cleanup.push(() => peer.close());
    const client = new Client({ name: 'v1', version: '1.0.0' });
    cleanup.push(() => client.close());
    const transport = new StreamableHTTPClientTransport(peer.url);
    await client.connect(transport);
    expect(transport.protocolVersion).not.toBe(MODERN);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'v1' } }))).toBe('v1');
    expect(peer.requests.every((h) => h['mcp-method'] === undefined)).toBe(true);
  });
});

describe('FallbackClientTransport: 2026-07-28, then 2025, then HTTP+SSE', () => {
  it('[M26-10] stays on 2026-07-28 when server/discover succeeds', async () => {
    const peer = await startSdkV2Handler();
    cleanup.push(() => peer.close());
    const client = v2Client();
    const transport = new FallbackClientTransport(peer.url);
    await client.connect(transport);
    expect(transport.kind).toBe('streamable-http');
    expect(transport.protocolVersion).toBe(MODERN);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'm' } }))).toBe('m');
  });

  it('[M26-10] falls back to a 2025 session when an SDK v1 server refuses server/discover', async () => {
    const peer = await startSdkPeer();
    cleanup.push(() => peer.close());
    const client = v2Client();
    const transport = new FallbackClientTransport(peer.url);
    await client.connect(transport);
    expect(client.getNegotiatedProtocolVersion()).not.toBe(MODERN);
    expect(transport.kind).toBe('streamable-http');
    expect(transport.sessionId).toBeDefined();
    expect(text(await client.callTool({ name: 'echo', arguments: { text: '2025' } }))).toBe('2025');
  });

  it('[M26-10][M26-25] falls back to HTTP+SSE when neither 2026 nor 2025 Streamable HTTP is served', async () => {
    const peer = await startSdkPeer({ legacy: true });
    cleanup.push(() => peer.close());
    const client = v2Client();
    const transport = new FallbackClientTransport(peer.sseUrl);
    await client.connect(transport);
    expect(transport.kind).toBe('sse');
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'old' } }))).toBe('old');
  });

  it.each([
    [
      '400 with a JSON-RPC error and a null id',
      400,
      { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'x' } },
    ],
    ['404 with no body', 404, undefined],
    ['405 with a text body', 405, 'Method Not Allowed'],
    ['400 with -32601', 400, { jsonrpc: '2.0', id: null, error: { code: -32601, message: 'Method not found' } }],
  ])('[M26-10] the probe falls back on %s (not keyed to one code)', async (_name, status, body) => {
    const server = await raw((req, res) => {
      const method = (req.body as { method?: string } | undefined)?.method;
      if (method === 'server/discover') {
        if (body === undefined) res.writeHead(status).end();
        else if (typeof body === 'string') res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
        else json(res, status, body);
        return;
      }
      if (method === 'initialize') {
        const id = (req.body as { id: number }).id;
        json(
          res,
          200,
          {
            jsonrpc: '2.0',
            id,
            result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'raw', version: '1' } },
          },
          { 'mcp-session-id': 'S1' },
        );
        return;
      }
      res.writeHead(202).end();
    });
    const client = v2Client();
    const transport = new FallbackClientTransport(server.url);
    await client.connect(transport);
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-06-18');
    expect(transport.sessionId).toBe('S1');
  });
});

describe('StreamableHTTPClientTransport in 2026-07-28 (scripted server)', () => {
  it('[M26-15] a stream that breaks before its response fails that request with a clear error', async () => {
    const server = await raw((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } }, 'e1'));
      setImmediate(() => res.destroy());
    });
    const transport = new StreamableHTTPClientTransport(server.url);
    cleanup.push(() => transport.close());
    const messages: unknown[] = [];
    const errors: Error[] = [];
    transport.onmessage = (m) => messages.push(m);
    transport.onerror = (e) => errors.push(e);
    await transport.start();
    await transport.send(modernRequest(7, 'tools/list'));
    await vi.waitFor(() => expect(messages).toHaveLength(2));
    expect(messages[1]).toMatchObject({ id: 7, error: { code: -32603 } });
    expect((messages[1] as { error: { message: string } }).error.message).toMatch(/cannot be resumed/);
    expect(errors[0]?.message).toMatch(/re-issue/);
    // No GET with Last-Event-ID was attempted.
    expect(server.log.map((r) => r.method)).toEqual(['POST']);
  });

  it('[M26-14] ignores keep-alive comment lines on a 2026-07-28 stream', async () => {
    const server = await raw((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-accel-buffering': 'no' });
      res.write(': keep-alive\n\n');
      res.end(sse({ jsonrpc: '2.0', id: (req.body as { id: number }).id, result: { tools: [] } }));
    });
    const transport = new StreamableHTTPClientTransport(server.url);
    cleanup.push(() => transport.close());
    const messages: unknown[] = [];
    const errors: Error[] = [];
    transport.onmessage = (m) => messages.push(m);
    transport.onerror = (e) => errors.push(e);
    await transport.start();
    await transport.send(modernRequest(4, 'tools/list'));
    await vi.waitFor(() => expect(messages).toEqual([{ jsonrpc: '2.0', id: 4, result: { tools: [] } }]));
    expect(errors).toEqual([]);
  });

  it('[M26-17][M26-18] a 400 refusal reaches the caller as the JSON-RPC error, with the request id', async () => {
    const server = await raw((_req, res) => {
      json(res, 400, {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32022, message: 'Unsupported protocol version', data: { supported: [MODERN] } },
      });
    });
    const transport = new StreamableHTTPClientTransport(server.url);
    cleanup.push(() => transport.close());
    const messages: unknown[] = [];
    transport.onmessage = (m) => messages.push(m);
    await transport.start();
    await transport.send(modernRequest(3, 'tools/list'));
    expect(messages).toEqual([
      {
        jsonrpc: '2.0',
        id: 3,
        error: { code: -32022, message: 'Unsupported protocol version', data: { supported: [MODERN] } },
      },
    ]);
  });

  it('[M26-20][M26-21][M26-22] Mcp-Name uses the base64 sentinel for unsafe values; callers cannot override derived headers', async () => {
    const server = await raw((req, res) => {
      json(res, 200, { jsonrpc: '2.0', id: (req.body as { id: number }).id, result: {} });
    });
    const transport = new StreamableHTTPClientTransport(server.url, { sessionId: 'stale' });
    cleanup.push(() => transport.close());
    transport.onmessage = () => undefined;
    await transport.start();
    await transport.send(modernRequest(1, 'resources/read', { uri: 'file:///tmp/ünïcode.txt' }), {
      headers: { 'Mcp-Param-Region': 'eu', 'MCP-METHOD': 'forged', 'Mcp-Session-Id': 'forged' },
    });
    const headers = server.log[0]?.headers ?? {};
    expect(headers['mcp-method']).toBe('resources/read');
    expect(headers['mcp-name']).toBe(encodeHeaderValue('file:///tmp/ünïcode.txt'));
    expect(headers['mcp-name']).toMatch(/^=\?base64\?.+\?=$/);
    expect(decodeHeaderValue(String(headers['mcp-name']))).toBe('file:///tmp/ünïcode.txt');
    expect(headers['mcp-param-region']).toBe('eu');
    expect(headers['mcp-protocol-version']).toBe(MODERN);
    expect(headers['mcp-session-id']).toBeUndefined();
  });

  it('[M26-20] encodes edge whitespace and control characters, passes plain ASCII through', () => {
    expect(encodeHeaderValue('get_weather')).toBe('get_weather');
    expect(encodeHeaderValue(' padded')).toBe(`=?base64?${btoa(' padded')}?=`);
    expect(encodeHeaderValue('a\nb')).toBe(`=?base64?${btoa('a\nb')}?=`);
    expect(decodeHeaderValue('=?base64?not base64!?=')).toBeUndefined();
  });

  it('[M26-12] refuses to send a JSON-RPC response on a 2026-07-28 connection', async () => {
    const server = await raw((_req, res) => {
      res.writeHead(202).end();
    });
    const transport = new StreamableHTTPClientTransport(server.url, { protocolVersion: MODERN });
    cleanup.push(() => transport.close());
    await transport.start();
    await expect(transport.send({ jsonrpc: '2.0', id: 1, result: {} })).rejects.toMatchObject({
      code: 'ERR_INVALID_MESSAGE',
      message: expect.stringMatching(/must not send JSON-RPC responses/) as unknown,
    });
    expect(server.log).toEqual([]);
  });

  it('[M26-15] resumption is refused in 2026-07-28 with a clear error', async () => {
    const transport = new StreamableHTTPClientTransport('http://127.0.0.1:9/mcp', { protocolVersion: MODERN });
    cleanup.push(() => transport.close());
    await transport.start();
    await expect(transport.resumeStream('e1')).rejects.toThrow(/no stream resumption/);
    await expect(transport.send(modernRequest(1, 'tools/list'), { resumptionToken: 'e1' })).rejects.toThrow(
      /re-issue the request with a new id/,
    );
  });
});
