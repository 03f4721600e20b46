/** Fault cases against scripted node:http servers: drops, expiry, bad bodies, oversize, dead peers. */
import { isTransportError, type JSONRPCMessage, type JSONRPCRequest } from '@mcp-transports/core';
import { getEventListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  idOf,
  json,
  methodOf,
  openSse,
  sse,
  startRawServer,
  type RawRequest,
  type RawServer,
} from './_fixtures/raw-server.js';
import { HTTPStatusError, StreamableHTTPClientTransport, type StreamableHTTPClientTransportOptions } from './index.js';

const servers: RawServer[] = [];
const transports: StreamableHTTPClientTransport[] = [];

afterEach(async () => {
  for (const transport of transports.splice(0)) await transport.close();
  for (const server of servers.splice(0)) await server.close();
});

const INIT: JSONRPCRequest = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
const INITIALIZED: JSONRPCMessage = { jsonrpc: '2.0', method: 'notifications/initialized' };
const FAST = { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 };

function request(id: number | string, method = 'tools/call'): JSONRPCRequest {
  return { jsonrpc: '2.0', id, method, params: {} };
}

function result(id: unknown, value: unknown = {}): JSONRPCMessage {
  return { jsonrpc: '2.0', id: id as number, result: value as Record<string, unknown> };
}

/** Answers initialize / initialized / a plain GET the usual way; returns false for anything else. */
function basics(req: RawRequest, res: ServerResponse, sessionId?: string): boolean {
  const method = methodOf(req.body);
  if (req.method === 'POST' && method === 'initialize') {
    json(
      res,
      200,
      result(idOf(req.body), {
        protocolVersion: '2025-11-25',
        capabilities: {},
        serverInfo: { name: 's', version: '1' },
      }),
      sessionId === undefined ? {} : { 'mcp-session-id': sessionId },
    );
    return true;
  }
  if (req.method === 'POST' && method === 'notifications/initialized') {
    res.writeHead(202).end();
    return true;
  }
  if (req.method === 'GET' && req.headers['last-event-id'] === undefined) {
    res.writeHead(405, { allow: 'POST' }).end();
    return true;
  }
  return false;
}

async function serve(handler: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
  const server = await startRawServer(handler);
  servers.push(server);
  return server;
}

async function client(url: string, options: StreamableHTTPClientTransportOptions = {}) {
  const transport = new StreamableHTTPClientTransport(url, { reconnect: FAST, ...options });
  transports.push(transport);
  const messages: JSONRPCMessage[] = [];
  const errors: Error[] = [];
  let closes = 0;
  transport.onmessage = (m) => messages.push(m);
  transport.onerror = (e) => errors.push(e);
  transport.onclose = () => closes++;
  await transport.start();
  return { transport, messages, errors, closes: () => closes };
}

describe('StreamableHTTPClientTransport faults', () => {
  it('[SH-35][SH-38][SH-17] resumes a stream cut mid-event with Last-Event-ID; every event exactly once', async () => {
    const server = await serve((req, res) => {
      if (req.method === 'POST') {
        openSse(res);
        res.write(sse('', 'e0', 'retry: 10\n'));
        res.write(sse({ jsonrpc: '2.0', method: 'notifications/message', params: { n: 1 } }, 'e1'));
        res.write(`id: e2\ndata: {"jsonrpc":"2.0","id":`);
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      if (req.method === 'GET' && req.headers['last-event-id'] === 'e1') {
        openSse(res);
        res.write(sse({ jsonrpc: '2.0', method: 'notifications/message', params: { n: 2 } }, 'e2'));
        res.end(sse(result(7, { ok: true }), 'e3'));
        return;
      }
      res.writeHead(400).end();
    });
    const { transport, messages, errors } = await client(server.url);
    const tokens: string[] = [];
    await transport.send(request(7), { onresumptiontoken: (t) => tokens.push(t) });
    await expect.poll(() => messages.length).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(messages).toEqual([
      { jsonrpc: '2.0', method: 'notifications/message', params: { n: 1 } },
      { jsonrpc: '2.0', method: 'notifications/message', params: { n: 2 } },
      result(7, { ok: true }),
    ]);
    expect(tokens).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(server.log.filter((r) => r.method === 'GET')).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('[SH-15] polls: reconnects after the server closes the stream with retry, until the response', async () => {
    let polls = 0;
    const server = await serve((req, res) => {
      openSse(res);
      if (req.method === 'POST') {
        res.end(sse('', 'p0', 'retry: 5\n'));
        return;
      }
      polls++;
      if (polls < 4) res.end(sse('', `p${polls}`));
      else res.end(sse(result(1), 'done'));
    });
    const { transport, messages } = await client(server.url, { reconnect: { maxAttempts: 2 } });
    await transport.send(request(1));
    await expect.poll(() => messages).toEqual([result(1)]);
    expect(server.log.map((r) => r.headers['last-event-id'])).toEqual([undefined, 'p0', 'p1', 'p2', 'p3']);
  });

  it('[SH-46] re-initializes after a 404 (server restart) and retries the request once', async () => {
    let sessions = new Set<string>();
    let next = 0;
    const server = await serve((req, res) => {
      const sid = req.headers['mcp-session-id'] as string | undefined;
      if (methodOf(req.body) === 'initialize') {
        const id = `s${next++}`;
        sessions.add(id);
        basics(req, res, id);
        return;
      }
      if (sid === undefined || !sessions.has(sid)) {
        json(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' } });
        return;
      }
      if (basics(req, res)) return;
      json(res, 200, result(idOf(req.body), { sid }));
    });
    const { transport, messages, errors } = await client(server.url);
    await transport.send(INIT);
    await transport.send(INITIALIZED);
    expect(transport.sessionId).toBe('s0');
    await transport.send(request(1));
    sessions = new Set(); // the server restarts and forgets every session
    await transport.send(request(2));
    expect(transport.sessionId).toBe('s1');
    expect(messages.slice(1)).toEqual([result(1, { sid: 's0' }), result(2, { sid: 's1' })]);
    const posts = server.log.filter((r) => r.method === 'POST');
    const label = (body: unknown) => (methodOf(body) === 'tools/call' ? idOf(body) : methodOf(body));
    expect(posts.map((r) => [label(r.body), r.headers['mcp-session-id']])).toEqual([
      ['initialize', undefined],
      ['notifications/initialized', 's0'],
      [1, 's0'],
      [2, 's0'],
      ['initialize', undefined],
      ['notifications/initialized', 's1'],
      [2, 's1'],
    ]);
    expect(errors).toEqual([]);
  });

  it('[SH-46] server restart seen on the GET stream: reconnect gets 404, the session is re-initialized', async () => {
    let sessions = new Set<string>();
    let next = 0;
    const streams: ServerResponse[] = [];
    const server = await serve((req, res) => {
      const sid = req.headers['mcp-session-id'] as string | undefined;
      if (methodOf(req.body) === 'initialize') {
        const id = `s${next++}`;
        sessions.add(id);
        basics(req, res, id);
        return;
      }
      if (sid === undefined || !sessions.has(sid)) {
        json(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' } });
        return;
      }
      if (req.method === 'GET') {
        openSse(res);
        streams.push(res);
        return;
      }
      basics(req, res);
    });
    const { transport, errors, closes } = await client(server.url);
    await transport.send(INIT);
    await transport.send(INITIALIZED);
    await expect.poll(() => streams.length).toBe(1);
    sessions = new Set(); // the server restarts: sessions forgotten, streams cut
    streams[0]?.socket?.destroy();
    await expect.poll(() => transport.sessionId).toBe('s1');
    await expect.poll(() => streams.length).toBe(2);
    expect(errors).toEqual([]);
    expect(closes()).toBe(0);
  });

  it('maps the SDK reconnectionOptions: maxRetries 0 gives up at the first drop', async () => {
    const server = await serve((req, res) => {
      if (req.method === 'GET') {
        openSse(res);
        res.end(sse('', 'only'));
        return;
      }
      basics(req, res, 'r');
    });
    const { transport, errors, closes } = await client(server.url, {
      reconnect: undefined,
      reconnectionOptions: { maxRetries: 0 },
    });
    await transport.send(INIT);
    await transport.send(INITIALIZED);
    await expect.poll(() => closes()).toBe(1);
    expect(errors[0]?.message).toMatch(/gave up reconnecting/);
    expect(server.log.filter((r) => r.method === 'GET')).toHaveLength(1);
  });

  it('[SH-27] tolerates 405 for the GET stream without an error', async () => {
    const server = await serve((req, res) => {
      if (!basics(req, res, 'x')) res.writeHead(400).end();
    });
    const { transport, errors } = await client(server.url);
    await transport.send(INIT);
    await transport.send(INITIALIZED);
    await expect.poll(() => server.log.some((r) => r.method === 'GET')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(errors).toEqual([]);
    const get = server.log.find((r) => r.method === 'GET');
    expect(get?.headers.accept).toContain('text/event-stream'); // SH-26
    expect(get?.headers['mcp-session-id']).toBe('x');
  });

  it('[SH-11] rejects on a 5xx with HTTPStatusError (ERR_CONNECTION) and the body text', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('overloaded');
    });
    const { transport } = await client(server.url);
    const error = await transport.send(request(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPStatusError);
    expect((error as HTTPStatusError).status).toBe(503);
    expect(isTransportError(error, 'ERR_CONNECTION')).toBe(true);
    expect((error as Error).message).toContain('overloaded');
  });

  it('[TC-5] rejects a malformed JSON body (ERR_PARSE) and a wrong shape (ERR_INVALID_MESSAGE)', async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(idOf(req.body) === 1 ? '{"jsonrpc":"2.0",' : '{"jsonrpc":"1.0","id":2}');
    });
    const { transport } = await client(server.url);
    expect(isTransportError(await transport.send(request(1)).catch((e: unknown) => e), 'ERR_PARSE')).toBe(true);
    expect(isTransportError(await transport.send(request(2)).catch((e: unknown) => e), 'ERR_INVALID_MESSAGE')).toBe(
      true,
    );
  });

  it('[TC-5] reports a malformed SSE event through onerror and delivers the next one', async () => {
    const server = await serve((_req, res) => {
      openSse(res);
      res.write(sse('{not json'));
      res.write(sse({ jsonrpc: '2.0', result: {} }));
      res.end(sse(result(1)));
    });
    const { transport, messages, errors } = await client(server.url);
    await transport.send(request(1));
    await expect.poll(() => messages).toEqual([result(1)]);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['ERR_PARSE', 'ERR_INVALID_MESSAGE']);
  });

  it('[TC-6] refuses an oversized JSON body, with or without Content-Length', async () => {
    const big = JSON.stringify(result(1, { text: 'x'.repeat(5000) }));
    const server = await serve((req, res) => {
      if (idOf(req.body) === 1) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(big);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < big.length; i += 500) res.write(big.slice(i, i + 500));
        res.end();
      }
    });
    const { transport } = await client(server.url, { maxMessageBytes: 1000 });
    const withLength = await transport.send(request(1)).catch((e: unknown) => e);
    expect(isTransportError(withLength, 'ERR_MESSAGE_TOO_LARGE')).toBe(true);
    const chunked = await transport.send(request(2)).catch((e: unknown) => e);
    expect(isTransportError(chunked, 'ERR_MESSAGE_TOO_LARGE')).toBe(true);
  });

  it('[TC-6] drops an oversized SSE event with ERR_MESSAGE_TOO_LARGE; the stream goes on', async () => {
    const server = await serve((_req, res) => {
      openSse(res);
      res.write(sse({ jsonrpc: '2.0', method: 'big', params: { text: 'x'.repeat(5000) } }));
      res.end(sse(result(1)));
    });
    const { transport, messages, errors } = await client(server.url, { maxMessageBytes: 1000 });
    await transport.send(request(1));
    await expect.poll(() => messages).toEqual([result(1)]);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['ERR_MESSAGE_TOO_LARGE']);
  });

  it('[TC-4] server gone: bounded reconnects of the GET stream, then onerror with the reason and onclose once', async () => {
    const server = await serve((req, res) => {
      if (req.method === 'GET') {
        openSse(res);
        res.write(sse('', 'g1'));
        setTimeout(() => void server.close(), 10);
        return;
      }
      basics(req, res, 'gone');
    });
    const { transport, errors, closes } = await client(server.url);
    await transport.send(INIT);
    await transport.send(INITIALIZED);
    await expect.poll(() => closes(), { timeout: 5000 }).toBe(1);
    expect(errors).toHaveLength(1);
    expect(isTransportError(errors[0], 'ERR_CONNECTION')).toBe(true);
    expect(errors[0]?.message).toMatch(/gave up reconnecting the SSE stream after 3 attempt/);
    expect(transport.closeReason).toBe(errors[0]);
    await expect(transport.send(request(1))).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(closes()).toBe(1);
  });

  it('reports a POST stream that ends before its response and has no event id', async () => {
    const server = await serve((_req, res) => {
      openSse(res);
      res.end(sse({ jsonrpc: '2.0', method: 'notifications/message', params: {} }));
    });
    const { transport, errors } = await client(server.url);
    let ended = 0;
    await transport.send(request(1), { onRequestStreamEnd: () => ended++ });
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]?.message).toMatch(/ended before its response/);
    expect(ended).toBe(1);
  });

  it('[SH-12] rejects a request answered with an unexpected content type', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    });
    const { transport } = await client(server.url);
    expect(isTransportError(await transport.send(request(1)).catch((e: unknown) => e), 'ERR_INVALID_MESSAGE')).toBe(
      true,
    );
  });

  it('a notification answered 200 with an unexpected body is not re-sent and does not re-initialize', async () => {
    const server = await serve((req, res) => {
      if (!basics(req, res, 'sid-1')) res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    });
    const { transport } = await client(server.url);
    await transport.send(INIT);
    await transport.send({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' });
    expect(server.log.map((r) => methodOf(r.body))).toEqual(['initialize', 'notifications/roots/list_changed']);
    expect(transport.sessionId).toBe('sid-1');
  });

  it('[SH-8][SH-43][SH-49] sends Accept, Content-Type, the session, the protocol version and custom headers', async () => {
    const server = await serve((req, res) => {
      if (!basics(req, res, 'sid-1')) res.writeHead(202).end();
    });
    const { transport } = await client(server.url, {
      requestInit: { headers: { 'X-From-Init': 'a' } },
      headers: { 'X-Custom': 'b' },
      authToken: 'tok',
    });
    await transport.send(INIT);
    transport.setProtocolVersion('2025-06-18');
    await transport.send({ jsonrpc: '2.0', method: 'notifications/x' }, { headers: { 'Mcp-Param-Foo': 'bar' } });
    const [init, note] = server.log;
    expect(init?.headers.accept).toBe('application/json, text/event-stream');
    expect(init?.headers['content-type']).toBe('application/json');
    expect(init?.headers['mcp-session-id']).toBeUndefined();
    expect(init?.headers['mcp-protocol-version']).toBeUndefined();
    expect(note?.headers).toMatchObject({
      'mcp-session-id': 'sid-1',
      'mcp-protocol-version': '2025-06-18',
      'x-from-init': 'a',
      'x-custom': 'b',
      authorization: 'Bearer tok',
      'mcp-param-foo': 'bar',
    });
  });

  it('asks the auth provider again once on 401, then fails on a second 401', async () => {
    const server = await serve((req, res) => {
      if (req.headers.authorization === 'Bearer fresh') json(res, 200, result(idOf(req.body)));
      else res.writeHead(401, { 'www-authenticate': 'Bearer realm="mcp"' }).end();
    });
    let token = 'stale';
    const seen: (string | undefined)[] = [];
    const { transport, messages } = await client(server.url, {
      authProvider: {
        token: () => token,
        onUnauthorized: (ctx) => {
          seen.push(ctx.wwwAuthenticate);
          token = token === 'stale' ? 'fresh' : 'other';
        },
      },
    });
    await transport.send(request(1));
    expect(messages).toEqual([result(1)]);
    expect(seen).toEqual(['Bearer realm="mcp"']);
    token = 'bad';
    const error = await transport.send(request(2)).catch((e: unknown) => e);
    expect((error as HTTPStatusError).status).toBe(401);
    expect(isTransportError(error, 'ERR_REFUSED')).toBe(true);
  });

  it('[TC-4] requestSignal aborts one slow request; close() aborts the rest', async () => {
    const server = await serve(() => {
      // Never answers.
    });
    const { transport, closes } = await client(server.url);
    const controller = new AbortController();
    const one = transport.send(request(1), { requestSignal: controller.signal }).catch((e: unknown) => e);
    const two = transport.send(request(2)).catch((e: unknown) => e);
    await expect.poll(() => server.log.length).toBe(2);
    controller.abort(new Error('user cancelled'));
    expect(((await one) as Error).message).toBe('user cancelled');
    await transport.close();
    expect(isTransportError(await two, 'ERR_CLOSED')).toBe(true);
    expect(closes()).toBe(1);
  });

  it('leaves no abort listener on a reused requestSignal once its requests are done', async () => {
    const server = await serve((req, res) => {
      json(res, 200, result(idOf(req.body)));
    });
    const { transport, messages } = await client(server.url);
    const controller = new AbortController();
    for (let i = 0; i < 10; i++) {
      await Promise.all(
        [1, 2, 3].map((k) => transport.send(request(i * 10 + k), { requestSignal: controller.signal })),
      );
    }
    expect(messages).toHaveLength(30);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('[TC-1][TC-2] start() twice, send() before start() and after close() reject with typed errors', async () => {
    const transport = new StreamableHTTPClientTransport('http://127.0.0.1:9/mcp');
    await expect(transport.send(request(1))).rejects.toMatchObject({ code: 'ERR_NOT_STARTED' });
    await transport.start();
    await expect(transport.start()).rejects.toMatchObject({ code: 'ERR_ALREADY_STARTED' });
    await transport.close();
    await expect(transport.send(request(1))).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  it('rejects with ERR_CONNECTION when nothing listens', async () => {
    const server = await serve(() => undefined);
    const url = server.url;
    await server.close();
    servers.length = 0;
    const { transport } = await client(url);
    expect(isTransportError(await transport.send(request(1)).catch((e: unknown) => e), 'ERR_CONNECTION')).toBe(true);
  });
});
