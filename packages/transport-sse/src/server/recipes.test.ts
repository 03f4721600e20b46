/**
 * The README's recipes, run for real: node:http, Express (with and without `express.json()`),
 * Fastify and Hono on @hono/node-server, each with the official SDK v1 client calling a tool.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterEach, expect, it } from 'vitest';
import { StreamableHTTPListener } from './index.js';
import { createV1Server } from './_fixtures/servers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function newListener(): StreamableHTTPListener {
  const listener = new StreamableHTTPListener();
  listener.onconnection = (transport) => void createV1Server().connect(transport);
  cleanups.push(() => listener.close());
  return listener;
}

async function track(server: Server): Promise<URL> {
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
}

async function callEcho(url: URL): Promise<string> {
  const client = new Client({ name: 'recipe', version: '0' });
  await client.connect(new StreamableHTTPClientTransport(url));
  const result = (await client.callTool({ name: 'echo', arguments: { text: 'recipe ✓' } })) as {
    content: { text: string }[];
  };
  await client.close();
  return result.content[0]!.text;
}

it('[SH-1] recipe: node:http', async () => {
  const listener = newListener();
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/mcp') === true) void listener.handleNode(req, res);
    else res.writeHead(404).end();
  }).listen(0, '127.0.0.1');
  expect(await callEcho(await track(server))).toBe('recipe ✓');
});

it('[SH-1] recipe: Express, the listener reading the body itself', async () => {
  const listener = newListener();
  const app = express();
  app.all('/mcp', (req, res) => void listener.handleNode(req, res));
  expect(await callEcho(await track(app.listen(0, '127.0.0.1')))).toBe('recipe ✓');
});

it('[SH-1] recipe: Express with express.json() (parsedBody)', async () => {
  const listener = newListener();
  const app = express();
  app.use(express.json({ limit: '16mb' }));
  app.all('/mcp', (req, res) => void listener.handleNode(req, res, req.body));
  expect(await callEcho(await track(app.listen(0, '127.0.0.1')))).toBe('recipe ✓');
});

it('[SH-1] recipe: Hono on @hono/node-server (fetch-style handler)', async () => {
  const listener = newListener();
  const app = new Hono();
  app.all('/mcp', (c) => listener.handleFetch(c.req.raw));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  expect(await callEcho(await track(server))).toBe('recipe ✓');
});

it('[SH-1] recipe: Fastify, the listener reading the body itself', async () => {
  const listener = newListener();
  const app = Fastify();
  await app.register(async (mcp) => {
    // Leave the body unread so the listener applies its own limit and JSON-RPC errors.
    mcp.removeAllContentTypeParsers();
    mcp.addContentTypeParser('*', (_request, _payload, done) => {
      done(null);
    });
    mcp.all('/mcp', async (request, reply) => {
      reply.hijack();
      await listener.handleNode(request.raw, reply.raw);
    });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(async () => {
    app.server.closeAllConnections();
    await app.close();
  });
  const url = new URL(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/mcp`);
  expect(await callEcho(url)).toBe('recipe ✓');
  // Malformed JSON reaches the listener, which answers with its own JSON-RPC parse error.
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: '{"jsonrpc":',
  });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32700);
});
