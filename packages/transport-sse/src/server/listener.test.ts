/**
 * Behaviour of the listener over real sockets: resumability, keep-alive, reaping, security,
 * authentication, bad input, legacy HTTP+SSE errors, stateless modes and shutdown.
 */
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMcpHttpServer, StreamableHTTPListener, type McpHttpServer, type McpHttpServerOptions } from './index.js';
import { INIT, open, post, SseReader } from './_fixtures/http.js';
import { manualServer, type ManualSession } from './_fixtures/manual.js';

let running: McpHttpServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(options: Partial<McpHttpServerOptions> = {}): Promise<{ url: URL; sessions: ManualSession[] }> {
  const manual = manualServer();
  running = await createMcpHttpServer({ onconnection: manual.onconnection, ...options });
  return { url: running.url, sessions: manual.sessions };
}

async function errorOf(response: Response): Promise<{ status: number; code: number; message: string }> {
  const body = (await response.json()) as { jsonrpc: string; id?: unknown; error: { code: number; message: string } };
  expect(body.jsonrpc).toBe('2.0');
  expect('id' in body).toBe(false);
  return { status: response.status, code: body.error.code, message: body.error.message };
}

/** Resumes a stream; until the server has noticed the aborted one it answers 409, so ask again. */
async function resume(url: URL, init: RequestInit): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, init);
    if (response.status !== 409 || attempt === 100) return response;
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A request without the headers fetch adds on its own (Accept: *\/*). */
function raw(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const STREAM = (id: number | string, count: number, delayMs = 0) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'test/stream', params: { count, delayMs } });

describe('Streamable HTTP basics', () => {
  it('[SH-12] [SH-21] a POST stream carries related notifications, then the response, then ends; X-Accel-Buffering: no', async () => {
    const { url } = await start();
    const headers = await open(url);
    const response = await post(url, STREAM(5, 3), headers);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('mcp-session-id')).toBe(headers['mcp-session-id']);
    const events = await new SseReader(response).rest();
    expect(events.map((e) => JSON.parse(e.data))).toEqual([
      { jsonrpc: '2.0', method: 'test/step', params: { i: 1 } },
      { jsonrpc: '2.0', method: 'test/step', params: { i: 2 } },
      { jsonrpc: '2.0', method: 'test/step', params: { i: 3 } },
      { jsonrpc: '2.0', id: 5, result: { done: true } },
    ]);
  });

  it('[JR-7] ids 0, "" and large integers come back unchanged (stateless shared mode rewrites them inside)', async () => {
    const { url } = await start({ sessionIdGenerator: undefined });
    for (const id of [0, '', 9007199254740991, 'x'.repeat(200)]) {
      const response = await post(url, JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }), {
        'mcp-protocol-version': '2025-11-25',
      });
      const [event] = await new SseReader(response).rest();
      expect(JSON.parse(event!.data)).toEqual({ jsonrpc: '2.0', id, result: {} });
    }
  });

  it('[JR-6] stateless shared mode keeps two clients using the same request id apart', async () => {
    const { url } = await start({ sessionIdGenerator: undefined, enableJsonResponse: true });
    const h = { 'mcp-protocol-version': '2025-11-25' };
    const [a, b] = await Promise.all([post(url, STREAM(1, 0, 30), h), post(url, STREAM(1, 0, 0), h)]);
    expect(await a.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { done: true } });
    expect(await b.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { done: true } });
  });

  it('[LC-21] [LC-24] stateless shared mode routes a cancellation to the request it names, and drops an ambiguous one', async () => {
    const { url, sessions } = await start({ sessionIdGenerator: undefined });
    const h = { 'mcp-protocol-version': '2025-11-25' };
    const controller = new AbortController();
    const hang = (id: number) => {
      const response = post(url, `{"jsonrpc":"2.0","id":${id},"method":"test/hang"}`, h, controller.signal);
      response.catch(() => undefined); // aborted at the end
      return response;
    };
    const cancel = (requestId: number) =>
      post(url, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId } }), h);
    const received = () => sessions[0]?.received.map(({ message }) => message) ?? [];
    const insideIdOf = (wireCount: number) =>
      received().filter((m) => 'method' in m && m.method === 'test/hang' && 'id' in m)[wireCount - 1];
    void hang(7);
    await vi.waitFor(() => expect(insideIdOf(1)).toBeDefined());
    const errors: Error[] = [];
    sessions[0]!.transport.onerror = (error) => errors.push(error);
    expect((await cancel(7)).status).toBe(202);
    const inside = insideIdOf(1) as { id: number };
    await vi.waitFor(() =>
      expect(received()).toContainEqual({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: inside.id },
      }),
    );
    // Two clients both have id 8 open: the cancellation cannot say whose, so it is not delivered.
    void hang(8);
    void hang(8);
    await vi.waitFor(() => expect(insideIdOf(3)).toBeDefined());
    expect((await cancel(8)).status).toBe(202);
    await vi.waitFor(() => expect(errors.map((e) => e.message).join()).toContain('2 open requests'));
    // A cancellation for an id no one has open (it raced its response) is dropped quietly.
    expect((await cancel(99)).status).toBe(202);
    const cancels = received().filter((m) => 'method' in m && m.method === 'notifications/cancelled');
    expect(cancels).toHaveLength(1);
    expect(errors).toHaveLength(1);
    controller.abort();
  });

  it('[JR-6] a request id still open in the session gets 400', async () => {
    const { url, sessions } = await start();
    const headers = await open(url);
    const controller = new AbortController();
    // Not awaited: a stream's headers go out with its first event, and this one never has any.
    const hanging = post(url, '{"jsonrpc":"2.0","id":9,"method":"test/hang"}', headers, controller.signal);
    hanging.catch(() => undefined); // aborted below
    // Wait until the server holds request 9 open (never a fixed sleep: a busy machine is slower).
    await vi.waitFor(() => {
      expect(sessions[0]?.received.some(({ message }) => 'id' in message && message.id === 9)).toBe(true);
    });
    const again = await post(url, '{"jsonrpc":"2.0","id":9,"method":"ping"}', headers);
    expect(await errorOf(again)).toMatchObject({ status: 400, code: -32600 });
    controller.abort();
    await hanging.catch(() => undefined);
  });

  it('[JR-14] a batch is served for 2025-03-26 and refused with 400 for 2025-06-18', async () => {
    const { url } = await start({ enableJsonResponse: true });
    const old = await open(url, '2025-03-26');
    const batch = '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]';
    const ok = await post(url, batch, old);
    expect(await ok.json()).toEqual([
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: 2, result: {} },
    ]);
    const modern = await open(url, '2025-06-18');
    expect(await errorOf(await post(url, batch, modern))).toMatchObject({ status: 400, code: -32600 });
  });

  it('[SH-51] without MCP-Protocol-Version the negotiated version applies', async () => {
    const { url } = await start();
    const headers = await open(url, '2025-06-18');
    const { 'mcp-protocol-version': _v, ...withoutVersion } = headers;
    const response = await post(url, '{"jsonrpc":"2.0","id":2,"method":"ping"}', withoutVersion);
    expect(response.status).toBe(200);
    await response.text();
  });

  it('[SH-25] [SH-28] [SH-32] server messages without a related request go on the GET stream only', async () => {
    const { url, sessions } = await start();
    const headers = await open(url);
    const get = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' } });
    expect(get.status).toBe(200);
    const reader = new SseReader(get);
    await sessions[0]!.transport.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    const event = await reader.next();
    expect(JSON.parse(event!.data)).toEqual({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    await reader.cancel();
  });

  it('[SH-29] a response cannot be sent on the GET stream', async () => {
    const { url, sessions } = await start();
    await open(url);
    await expect(sessions[0]!.transport.send({ jsonrpc: '2.0', id: 'nope', result: {} })).rejects.toThrow(/SH-29/);
  });

  it('[TC-2] send() after close() rejects; [TC-1] start() twice rejects', async () => {
    const { url, sessions } = await start();
    await open(url);
    const t = sessions[0]!.transport;
    await expect(t.start()).rejects.toMatchObject({ code: 'ERR_ALREADY_STARTED' });
    await t.close();
    await t.close();
    expect(sessions[0]!.closes).toBe(1);
    await expect(t.send({ jsonrpc: '2.0', method: 'x' })).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  it('[SH-22] a client that disconnects mid-stream does not cancel the request; the send is refused without resumability', async () => {
    const { url, sessions } = await start();
    const headers = await open(url);
    const controller = new AbortController();
    const response = await post(url, STREAM(3, 5, 40), headers, controller.signal);
    const reader = new SseReader(response);
    await reader.next();
    controller.abort();
    // The handler still ran to the end: its response was attempted (and refused: nobody listens).
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(sessions[0]!.closes).toBe(0);
  });
});

describe('resumability', () => {
  it('[SH-14] [SH-16] a 2025-11-25 POST stream starts with a priming event carrying an id and retry', async () => {
    const { url } = await start({ resumability: true, retryMs: 1234 });
    const headers = await open(url);
    const reader = new SseReader(await post(url, STREAM(2, 1), headers));
    const priming = await reader.next();
    expect(priming).toMatchObject({ data: '', retry: 1234 });
    expect(priming!.id).toMatch(/\S/);
    const rest = await reader.rest();
    expect(rest.every((e) => e.id !== undefined)).toBe(true);
    expect(new Set([priming!.id, ...rest.map((e) => e.id)]).size).toBe(rest.length + 1);
  });

  it('[SH-35] [SH-36] [SH-38] after a drop, GET with Last-Event-ID replays the rest of the POST stream exactly once', async () => {
    const { url } = await start({ resumability: true });
    const headers = await open(url);
    const controller = new AbortController();
    const reader = new SseReader(await post(url, STREAM(7, 4, 60), headers, controller.signal));
    await reader.next(); // priming
    const first = await reader.next();
    expect(JSON.parse(first!.data)).toMatchObject({ params: { i: 1 } });
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const resumed = await resume(url, {
      headers: { ...headers, accept: 'text/event-stream', 'last-event-id': first!.id! },
    });
    expect(resumed.status).toBe(200);
    const events = (await new SseReader(resumed).rest()).filter((e) => e.data !== '');
    expect(events.map((e) => JSON.parse(e.data))).toEqual([
      { jsonrpc: '2.0', method: 'test/step', params: { i: 2 } },
      { jsonrpc: '2.0', method: 'test/step', params: { i: 3 } },
      { jsonrpc: '2.0', method: 'test/step', params: { i: 4 } },
      { jsonrpc: '2.0', id: 7, result: { done: true } },
    ]);
  });

  it('[SH-37] a Last-Event-ID of another session is refused with 400 and nothing is replayed', async () => {
    const { url } = await start({ resumability: true });
    const a = await open(url);
    const b = await open(url);
    const reader = new SseReader(await post(url, STREAM(1, 1), a));
    const priming = await reader.next();
    await reader.rest();
    const response = await fetch(url, {
      headers: { ...b, accept: 'text/event-stream', 'last-event-id': priming!.id! },
    });
    expect(await errorOf(response)).toMatchObject({ status: 400 });
  });

  it('[SH-15] [SH-16] closeSSEStream ends the connection with retry; the client polls back for the rest', async () => {
    const manual = manualServer();
    running = await createMcpHttpServer({
      resumability: true,
      retryMs: 10,
      onconnection: (transport) => {
        manual.onconnection(transport);
        const inner = transport.onmessage!;
        transport.onmessage = (message, extra) => {
          if ('method' in message && message.method === 'test/poll' && 'id' in message) {
            extra?.closeSSEStream?.();
            setTimeout(() => void transport.send({ jsonrpc: '2.0', id: message.id, result: { late: true } }), 50);
            return;
          }
          inner(message, extra);
        };
      },
    });
    const headers = await open(running.url);
    const reader = new SseReader(await post(running.url, '{"jsonrpc":"2.0","id":3,"method":"test/poll"}', headers));
    const events = await reader.rest();
    const priming = events[0]!;
    expect(events.at(-1)!.retry).toBe(10);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const resumed = await resume(running.url, {
      headers: { ...headers, accept: 'text/event-stream', 'last-event-id': priming.id! },
    });
    const replayed = (await new SseReader(resumed).rest()).filter((e) => e.data !== '');
    expect(replayed.map((e) => JSON.parse(e.data))).toEqual([{ jsonrpc: '2.0', id: 3, result: { late: true } }]);
  });

  it('[SH-36] the GET stream is resumable too', async () => {
    const { url, sessions } = await start({ resumability: true });
    const headers = await open(url);
    const controller = new AbortController();
    const get = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, signal: controller.signal });
    const reader = new SseReader(get);
    await sessions[0]!.transport.send({ jsonrpc: '2.0', method: 'n/1' });
    const one = await reader.next();
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sessions[0]!.transport.send({ jsonrpc: '2.0', method: 'n/2' });
    const resumed = await resume(url, {
      headers: { ...headers, accept: 'text/event-stream', 'last-event-id': one!.id! },
    });
    const r2 = new SseReader(resumed);
    expect(JSON.parse((await r2.next())!.data)).toEqual({ jsonrpc: '2.0', method: 'n/2' });
    await r2.cancel();
  });
});

describe('keep-alive and reaping', () => {
  it('[SH-30] SSE streams get a keep-alive comment every heartbeatMs', async () => {
    const { url } = await start({ heartbeatMs: 30 });
    const headers = await open(url);
    const reader = new SseReader(await fetch(url, { headers: { ...headers, accept: 'text/event-stream' } }));
    const event = await reader.next();
    expect(event!.comments).toContain('keepalive');
    await reader.cancel();
  });

  it('[SH-45] an idle session is reaped after idleTimeoutMs: onclose fires once, then 404', async () => {
    const { url, sessions } = await start({ idleTimeoutMs: 100 });
    const headers = await open(url);
    await vi.waitFor(() => {
      expect(sessions[0]!.closes).toBe(1);
    });
    expect(running!.listener.sessionCount).toBe(0);
    expect(await errorOf(await post(url, '{"jsonrpc":"2.0","id":1,"method":"ping"}', headers))).toMatchObject({
      status: 404,
      code: -32001,
    });
  });

  it('a session holding an open GET stream is not reaped', async () => {
    const { url, sessions } = await start({ idleTimeoutMs: 100 });
    const headers = await open(url);
    const reader = new SseReader(await fetch(url, { headers: { ...headers, accept: 'text/event-stream' } }));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(sessions[0]!.closes).toBe(0);
    await reader.cancel();
  });

  it('[TC-4] listener.close() closes every session once (onclose each) and answers 503 afterwards', async () => {
    const { url, sessions } = await start();
    await open(url);
    await open(url);
    await running!.listener.close();
    expect(sessions.map((s) => s.closes)).toEqual([1, 1]);
    expect(await errorOf(await post(url, INIT()))).toMatchObject({ status: 503 });
  });
});

describe('bad input', () => {
  it('[TC-6] a body over the default 16 MiB (by Content-Length) gets 413 before it is read', async () => {
    const { url } = await start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: {
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
          'content-length': 16 * 1024 * 1024 + 1,
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"jsonrpc":"2.0"');
    });
    expect(status).toBe(413);
  });

  it('[TC-6] a client that writes its whole oversized body still reads the 413, and the connection goes on', async () => {
    // Closing a socket with unread data resets it, and the client would lose the 413 (lingering close).
    const { url } = await start({ maxMessageBytes: 1000 });
    const socket = connect(Number(url.port), '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
    const head = (length: number) =>
      `POST ${url.pathname} HTTP/1.1\r\nHost: 127.0.0.1:${url.port}\r\nContent-Type: application/json\r\n` +
      `Accept: application/json, text/event-stream\r\nContent-Length: ${length}\r\n\r\n`;
    const size = 4 * 1024 * 1024;
    socket.write(head(size));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    for (let sent = 0; sent < size; sent += chunk.length) {
      if (!socket.write(chunk)) await once(socket, 'drain');
    }
    await vi.waitFor(() => {
      expect(received).toMatch(/^HTTP\/1\.1 413 [^]*"code":-32600/);
    });
    // The same connection serves the next request.
    received = '';
    const init = INIT();
    socket.write(head(Buffer.byteLength(init)) + init);
    await vi.waitFor(() => {
      expect(received).toMatch(/^HTTP\/1\.1 200 /);
    });
    socket.destroy();
  });

  it('[TC-6] a chunked body over maxMessageBytes gets 413 with a JSON-RPC error; the next request works', async () => {
    const { url } = await start({ maxMessageBytes: 1000 });
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(2000) } });
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const response = await fetch(url, {
      method: 'POST',
      headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(await errorOf(response)).toMatchObject({ status: 413 });
    expect((await post(url, INIT())).status).toBe(200);
  });

  it('[JR-1] invalid UTF-8 gets 400 with -32700', async () => {
    const { url } = await start();
    const bytes = new Uint8Array([...new TextEncoder().encode('{"jsonrpc":"2.0","method":"x'), 0xff, 0x22, 0x7d]);
    expect(await errorOf(await post(url, bytes))).toMatchObject({ status: 400, code: -32700 });
  });

  it('[JR-5] [JR-4] a request id of null or a float gets 400 with -32600', async () => {
    const { url } = await start();
    for (const id of ['null', '1.5', '{}']) {
      expect(await errorOf(await post(url, `{"jsonrpc":"2.0","id":${id},"method":"ping"}`))).toMatchObject({
        status: 400,
        code: -32600,
      });
    }
  });

  it('[SH-8] a POST without any Accept header gets 406 (fetch would add Accept: */*, so raw node:http)', async () => {
    const { url } = await start();
    const { status, body } = await raw(url, 'POST', { 'content-type': 'application/json' }, INIT());
    expect(status).toBe(406);
    expect(JSON.parse(body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
  });

  it('initialize in a batch with other messages gets 400', async () => {
    const { url } = await start();
    expect(await errorOf(await post(url, `[${INIT()},{"jsonrpc":"2.0","id":2,"method":"ping"}]`))).toMatchObject({
      status: 400,
    });
  });

  it('[SH-41] a sessionIdGenerator returning a non-visible-ASCII id fails with 500 and onerror', async () => {
    const errors: Error[] = [];
    const { url } = await start({ sessionIdGenerator: () => 'has space', onerror: (e) => errors.push(e) });
    expect(await errorOf(await post(url, INIT()))).toMatchObject({ status: 500 });
    expect(errors[0]!.message).toMatch(/SH-41/);
  });

  it('[SH-27] [SH-48] stateless mode answers GET and DELETE with 405 and Allow: POST', async () => {
    const { url } = await start({ sessionIdGenerator: undefined });
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(url, { method, headers: { accept: 'text/event-stream' } });
      expect(response.headers.get('allow')).toBe('POST');
      expect(await errorOf(response)).toMatchObject({ status: 405 });
    }
  });
});

describe('security', () => {
  it('[SH-2] [SH-3] DNS-rebinding protection is on for loopback: a foreign Host or Origin gets 403', async () => {
    const { url } = await start();
    expect(await errorOf(await post(url, INIT(), { origin: 'http://evil.example' }))).toMatchObject({ status: 403 });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: {
          host: 'evil.example',
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(INIT());
    });
    expect(status).toBe(403);
    expect((await post(url, INIT(), { origin: `http://localhost:${url.port}` })).status).toBe(200);
  });

  it('[SH-2] allowedOrigins and allowedHosts are enforced when set; protection can be turned off', async () => {
    const { url } = await start({ allowedOrigins: ['https://app.example'] });
    expect((await post(url, INIT(), { origin: 'https://app.example' })).status).toBe(200);
    expect(await errorOf(await post(url, INIT(), { origin: 'http://localhost' }))).toMatchObject({ status: 403 });
    await running!.close();
    const off = await start({ dnsRebindingProtection: false });
    expect((await post(off.url, INIT(), { origin: 'http://evil.example' })).status).toBe(200);
    await running!.close();
    const hosts = await start({ allowedHosts: ['mcp.example'] });
    expect(await errorOf(await post(hosts.url, INIT()))).toMatchObject({ status: 403 });
  });

  it('CORS: preflight answered with the MCP headers allowed, Mcp-Session-Id exposed; off by default (405)', async () => {
    const { url } = await start({ cors: { origin: ['http://localhost:5173'] } });
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    for (const h of ['mcp-session-id', 'mcp-protocol-version', 'last-event-id', 'authorization']) {
      expect(preflight.headers.get('access-control-allow-headers')).toContain(h);
    }
    const init = await post(url, INIT(), { origin: 'http://localhost:5173' });
    expect(init.headers.get('access-control-expose-headers')).toContain('mcp-session-id');
    await init.text();
    await running!.close();
    const plain = await start();
    const refused = await fetch(plain.url, { method: 'OPTIONS' });
    expect(refused.headers.get('allow')).toBe('GET, POST, DELETE');
    expect(await errorOf(refused)).toMatchObject({ status: 405 });
  });

  it('[SH-5] [SEC-1] authenticate: 401 with WWW-Authenticate without a valid token; authInfo reaches the handler', async () => {
    const { url, sessions } = await start({
      authenticate: ({ token }) =>
        token === 'alice-token' || token === 'bob-token'
          ? { token, clientId: token.slice(0, -6), scopes: ['mcp'] }
          : undefined,
      wwwAuthenticate: 'Bearer realm="mcp"',
    });
    const missing = await post(url, INIT());
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="mcp"');
    expect(await errorOf(missing)).toMatchObject({ status: 401 });
    expect(await errorOf(await post(url, INIT(), { authorization: 'Bearer wrong' }))).toMatchObject({ status: 401 });
    const init = await post(url, INIT(), { authorization: 'Bearer alice-token' });
    expect(init.status).toBe(200);
    await init.text();
    expect(sessions[0]!.received[0]!.extra?.authInfo).toMatchObject({ clientId: 'alice', token: 'alice-token' });
    // [SEC-4] the session is bound to alice: bob cannot use it, even with a valid token.
    const sid = init.headers.get('mcp-session-id')!;
    const hijack = await post(url, '{"jsonrpc":"2.0","id":2,"method":"ping"}', {
      authorization: 'Bearer bob-token',
      'mcp-session-id': sid,
    });
    expect(await errorOf(hijack)).toMatchObject({ status: 403 });
  });

  it('authenticate may throw: the refusal says why', async () => {
    const { url } = await start({
      authenticate: () => {
        throw new Error('token expired');
      },
    });
    expect((await errorOf(await post(url, INIT(), { authorization: 'Bearer x' }))).message).toMatch(/token expired/);
  });
});

describe('legacy HTTP+SSE errors', () => {
  it('[LS-5] the stream opens with an endpoint event; POST without or with an unknown sessionId gets 400 / 404', async () => {
    const { sessions } = await start();
    const sse = await fetch(running!.sseUrl!, { headers: { accept: 'text/event-stream' } });
    const reader = new SseReader(sse);
    const endpoint = await reader.next();
    expect(endpoint!.event).toBe('endpoint');
    expect(endpoint!.data).toMatch(/^\/messages\?sessionId=/);
    const messages = new URL(endpoint!.data, running!.sseUrl);
    const bare = new URL('/messages', running!.sseUrl);
    expect(await errorOf(await post(bare, '{"jsonrpc":"2.0","method":"x"}'))).toMatchObject({ status: 400 });
    const unknown = new URL('/messages?sessionId=nope', running!.sseUrl);
    expect(await errorOf(await post(unknown, '{"jsonrpc":"2.0","method":"x"}'))).toMatchObject({ status: 404 });
    expect(
      await errorOf(await post(messages, '{"jsonrpc":"2.0","method":"x"}', { 'content-type': 'text/plain' })),
    ).toMatchObject({ status: 415 });
    expect(await errorOf(await post(messages, '{nope'))).toMatchObject({ status: 400, code: -32700 });
    const accepted = await post(messages, '{"jsonrpc":"2.0","id":1,"method":"ping"}');
    expect(accepted.status).toBe(202);
    expect(JSON.parse((await reader.next())!.data)).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    // [TC-4] the client going away closes the session once.
    await reader.cancel();
    await vi.waitFor(() => {
      expect(sessions[0]!.closes).toBe(1);
    });
    expect(await errorOf(await post(messages, '{"jsonrpc":"2.0","method":"x"}'))).toMatchObject({ status: 404 });
  });

  it('legacy: GET without Accept: text/event-stream gets 406; wrong methods get 405 with Allow', async () => {
    await start();
    expect((await raw(running!.sseUrl!, 'GET', {})).status).toBe(406);
    const wrong = await fetch(running!.sseUrl!, { method: 'POST' });
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(await errorOf(wrong)).toMatchObject({ status: 405 });
  });
});

describe('fetch-style handler', () => {
  it('handleFetch serves initialize, SSE and errors from plain Web Requests (no HTTP server at all)', async () => {
    const manual = manualServer();
    const listener = new StreamableHTTPListener();
    listener.onconnection = manual.onconnection;
    const base = 'http://localhost/mcp';
    const init = await listener.handleFetch(
      new Request(base, {
        method: 'POST',
        headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
        body: INIT(),
      }),
    );
    expect(init.status).toBe(200);
    const sid = init.headers.get('mcp-session-id')!;
    expect(JSON.parse((await new SseReader(init).next())!.data)).toMatchObject({ id: 1, result: {} });
    const stream = await listener.handleFetch(
      new Request(base, {
        method: 'POST',
        headers: {
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
          'mcp-session-id': sid,
        },
        body: STREAM(2, 2, 5),
      }),
    );
    expect((await new SseReader(stream).rest()).length).toBe(3);
    const evil = await listener.handleFetch(
      new Request(base, { method: 'POST', headers: { origin: 'http://evil.example' } }),
    );
    expect(await errorOf(evil)).toMatchObject({ status: 403 });
    await listener.close();
    expect(manual.sessions[0]!.closes).toBe(1);
  });
});

it('1,000 concurrent sessions are served and all end on close', { timeout: 30_000 }, async () => {
  const { url, sessions } = await start({ enableJsonResponse: true });
  // 50 clients in flight at a time (kept-alive connections), 1,000 sessions open at the end.
  let next = 0;
  const opened: Record<string, string>[] = [];
  const worker = async () => {
    for (let i = next++; i < 1000; i = next++) opened[i] = await open(url);
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  // Every tenth session still answers, with its own id.
  for (let i = 0; i < 1000; i += 100) {
    const response = await post(url, `{"jsonrpc":"2.0","id":${i},"method":"ping"}`, opened[i]);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: i, result: {} });
  }
  expect(running!.listener.sessionCount).toBe(1000);
  await running!.listener.close();
  expect(sessions.every((s) => s.closes === 1)).toBe(true);
});
