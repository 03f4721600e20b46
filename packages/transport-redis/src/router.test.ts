/**
 * RedisSessionRouter between two listeners of this process on a real Redis: forwarding, a dead
 * owner, a client that leaves, Redis restarts and bad input.
 */
import { isTransportError, TransportErrorCode } from '@mcp-transports/core';
import { createMcpHttpServer, type McpHttpServer } from '@mcp-transports/sse/server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { waitFor } from './__test__/helpers.js';
import { freePort, hasRedis, TestRedisServer } from './__test__/redis-server.js';
import { RedisSessionRouter } from './router.js';

const INIT = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

function createServer(): McpServer {
  const server = new McpServer({ name: 'routed', version: '1.0.0' });
  server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('roots', {}, async (extra) => {
    // A server-to-client request on the relayed stream; the client's answer may land on any node.
    const roots = await server.server.listRoots(undefined, { relatedRequestId: extra.requestId });
    return { content: [{ type: 'text', text: roots.roots.map((r) => r.uri).join(',') }] };
  });
  return server;
}

describe.skipIf(!hasRedis)('RedisSessionRouter', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function node(
    url: string,
    options: { livenessMs?: number } = {},
  ): Promise<[McpHttpServer, RedisSessionRouter]> {
    const router = new RedisSessionRouter({ redis: url, prefix: 'rt', ...options });
    cleanup.push(() => router.close());
    await router.ready;
    const http = await createMcpHttpServer({
      router,
      resumability: true,
      onconnection: (transport) => void createServer().connect(transport),
    });
    cleanup.push(() => http.close());
    return [http, router];
  }

  async function redis(): Promise<TestRedisServer> {
    const server = await TestRedisServer.start();
    cleanup.push(() => server.stop());
    return server;
  }

  /** Opens a session on `http` with a raw initialize; returns its id. */
  async function open(http: McpHttpServer): Promise<string> {
    const response = await fetch(http.url, { method: 'POST', headers: HEADERS, body: JSON.stringify(INIT) });
    await response.text();
    return response.headers.get('mcp-session-id') as string;
  }

  it('a session opened on one node is served through the other: requests, answers, server requests, DELETE', async () => {
    const server = await redis();
    const [a, routerA] = await node(server.url);
    const [b] = await node(server.url);
    const urls = [a.url, b.url];
    let next = 0;
    const client = new Client({ name: 'c', version: '1.0.0' }, { capabilities: { roots: {} } });
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: 'file:///via-redis' }] }));
    const transport = new StreamableHTTPClientTransport(a.url, {
      fetch: (_input, init) => fetch(urls[next++ % 2] as URL, init),
    });
    await client.connect(transport);
    expect(transport.sessionId?.startsWith(`${routerA.nodeId}.`)).toBe(true);
    for (let i = 0; i < 10; i++) {
      expect(await client.callTool({ name: 'echo', arguments: { text: `m${i}` } })).toMatchObject({
        content: [{ type: 'text', text: `m${i}` }],
      });
    }
    for (let i = 0; i < 3; i++) {
      expect(await client.callTool({ name: 'roots', arguments: {} })).toMatchObject({
        content: [{ type: 'text', text: 'file:///via-redis' }],
      });
    }
    await transport.terminateSession();
    expect(a.listener.sessionCount + b.listener.sessionCount).toBe(0);
    await client.close();
  });

  it('a session whose node is gone is 404 on every other node (the client starts a new one)', async () => {
    const server = await redis();
    const [a, routerA] = await node(server.url);
    const [b] = await node(server.url);
    const sessionId = await open(a);
    await a.close();
    await routerA.close();
    const response = await fetch(b.url, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32001);
  });

  it('a client leaving a relayed stream ends the exchange on the owner', async () => {
    const server = await redis();
    const [a, routerA] = await node(server.url);
    const [b] = await node(server.url);
    const sessionId = await open(a);
    const controller = new AbortController();
    const response = await fetch(b.url, {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    await waitFor(() => routerA.inFlight.served === 1, 10_000, 'the relayed GET on the owner');
    controller.abort();
    await waitFor(() => routerA.inFlight.served === 0, 10_000, 'the owner to end the exchange');
  });

  it('the relaying node dies: the owner notices (PUBSUB NUMSUB) and ends the stream', async () => {
    const server = await redis();
    const [a, routerA] = await node(server.url, { livenessMs: 100 });
    const [b, routerB] = await node(server.url);
    const sessionId = await open(a);
    const controller = new AbortController();
    const response = await fetch(b.url, {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    await waitFor(() => routerA.inFlight.served === 1, 10_000, 'the relayed GET on the owner');
    // B's subscription goes away as a killed process's would; its HTTP side is left alone.
    await routerB.close();
    await waitFor(() => routerA.inFlight.served === 0, 10_000, 'the owner to notice');
    controller.abort();
  });

  it('Redis restarted: relayed streams are cut (resumable with Last-Event-ID), forwarding works again', async () => {
    const server = await redis();
    const [a] = await node(server.url);
    const [b, routerB] = await node(server.url);
    const sessionId = await open(a);
    const response = await fetch(b.url, {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
    });
    expect(response.status).toBe(200);
    await waitFor(() => routerB.inFlight.forwarded === 1, 10_000, 'the relayed GET');
    const ended = response.text();
    await server.restart();
    await ended; // the stream ends instead of going on with a possible hole
    await waitFor(
      async () => {
        const ping = await fetch(b.url, {
          method: 'POST',
          headers: { ...HEADERS, 'mcp-session-id': sessionId },
          body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }),
        });
        const text = await ping.text();
        return ping.status === 200 && text.includes('"id":7');
      },
      20_000,
      'forwarding after the restart',
    );
  });

  it('an owner that does not take the request within ackTimeoutMs: 502 naming the wait', async () => {
    const server = await redis();
    // A node that is subscribed but never answers.
    const ghost = new Redis(server.url);
    cleanup.push(() => {
      ghost.disconnect();
      return Promise.resolve();
    });
    await ghost.subscribe('rt:route:ghost');
    const router = new RedisSessionRouter({ redis: server.url, prefix: 'rt', ackTimeoutMs: 200 });
    cleanup.push(() => router.close());
    const http = await createMcpHttpServer({ router, onconnection: (t) => void createServer().connect(t) });
    cleanup.push(() => http.close());
    const response = await fetch(http.url, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': 'ghost.1' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /did not take the request within 200 ms/,
    );
    await waitFor(() => router.inFlight.forwarded === 0, 10_000, 'the exchange to end');
  });

  it('bad input: a nodeId with other characters, a malformed message on the channel, Redis unreachable', async () => {
    expect(() => new RedisSessionRouter({ redis: 'redis://127.0.0.1:1', nodeId: 'a.b' })).toThrow(/base64url/);
    const server = await redis();
    const errors: Error[] = [];
    const router = new RedisSessionRouter({ redis: server.url, nodeId: 'n1', onerror: (e) => errors.push(e) });
    cleanup.push(() => router.close());
    await router.ready;
    const raw = new Redis(server.url);
    cleanup.push(() => {
      raw.disconnect();
      return Promise.resolve();
    });
    await raw.publish('mcp:route:n1', 'garbage');
    await waitFor(() => errors.length === 1, 10_000, 'the report');
    expect(isTransportError(errors[0], TransportErrorCode.InvalidMessage)).toBe(true);
    const port = await freePort();
    const down = new RedisSessionRouter({ redis: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 });
    cleanup.push(() => down.close());
    const error = await down.ready.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTransportError(error, TransportErrorCode.Connection)).toBe(true);
  });
});
