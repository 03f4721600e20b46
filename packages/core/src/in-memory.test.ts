import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { createInMemoryPair } from './in-memory.js';
import type { JSONRPCMessage } from './jsonrpc.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const note = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'n', params: { n } });
const nOf = (m: JSONRPCMessage): number => (m as unknown as { params: { n: number } }).params.n;

describe('createInMemoryPair keeps the lifecycle rules', () => {
  test('TC-1: start() twice rejects with a fix-it message', async () => {
    const { client } = createInMemoryPair();
    await client.start();
    await expect(client.start()).rejects.toMatchObject({
      code: 'ERR_ALREADY_STARTED',
      message: /connect\(\) calls start\(\)/,
    });
  });

  test('TC-2: send() before start() and after close() rejects and never throws', async () => {
    const { client } = createInMemoryPair();
    const early = client.send(note(1));
    expect(early).toBeInstanceOf(Promise);
    await expect(early).rejects.toMatchObject({ code: 'ERR_NOT_STARTED' });
    await client.start();
    await client.close();
    await expect(client.send(note(2))).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  test('TC-3: ordered, exactly once, asynchronous delivery both ways; early messages wait for start()', async () => {
    const { client, server } = createInMemoryPair();
    const atServer: number[] = [];
    const atClient: number[] = [];
    let inHandler = false;
    server.onmessage = (m) => {
      expect(inHandler).toBe(false);
      inHandler = true;
      atServer.push(nOf(m));
      void server.send(note(-nOf(m) - 1));
      inHandler = false;
    };
    client.onmessage = (m) => atClient.push(nOf(m));
    await client.start();
    for (let i = 0; i < 100; i++) void client.send(note(i));
    await tick();
    expect(atServer).toEqual([]);
    await server.start();
    await tick();
    expect(atServer).toEqual([...Array(100).keys()]);
    expect(atClient).toEqual([...Array(100).keys()].map((i) => -i - 1));
  });

  test('the receiver gets its own copy, as over a real wire', async () => {
    const { client, server } = createInMemoryPair();
    const received: JSONRPCMessage[] = [];
    server.onmessage = (m) => received.push(m);
    await Promise.all([client.start(), server.start()]);
    const sent = { jsonrpc: '2.0' as const, method: 'n', params: { list: [1] } };
    await client.send(sent);
    await tick();
    expect(received[0]).toEqual(sent);
    expect(received[0]).not.toBe(sent);
  });

  test('TC-4: close() is idempotent and onclose fires exactly once on each side, whoever closes', async () => {
    for (const closer of ['client', 'server'] as const) {
      const pair = createInMemoryPair();
      const closes = { client: 0, server: 0 };
      pair.client.onclose = () => closes.client++;
      pair.server.onclose = () => closes.server++;
      await Promise.all([pair.client.start(), pair.server.start()]);
      await pair[closer].close();
      await pair[closer].close();
      await tick();
      await pair.client.close();
      await pair.server.close();
      expect(closes).toEqual({ client: 1, server: 1 });
    }
  });

  test('messages sent before close() are delivered before the peer closes', async () => {
    const { client, server } = createInMemoryPair();
    const events: string[] = [];
    server.onmessage = () => events.push('message');
    server.onclose = () => events.push('close');
    await Promise.all([client.start(), server.start()]);
    void client.send(note(1));
    await client.close();
    await tick();
    expect(events).toEqual(['message', 'close']);
  });

  test('TC-6: an oversized message is refused with a typed error and later messages still arrive', async () => {
    const { client, server } = createInMemoryPair({ maxMessageBytes: 200 });
    const received: JSONRPCMessage[] = [];
    server.onmessage = (m) => received.push(m);
    await Promise.all([client.start(), server.start()]);
    await expect(client.send({ jsonrpc: '2.0', method: 'n', params: { s: 'é'.repeat(100) } })).rejects.toMatchObject({
      code: 'ERR_MESSAGE_TOO_LARGE',
    });
    await client.send(note(1));
    await tick();
    expect(received).toEqual([note(1)]);
  });

  test('TC-5: a throwing handler is reported through onerror, and delivery goes on', async () => {
    const { client, server } = createInMemoryPair();
    const errors: Error[] = [];
    let count = 0;
    server.onerror = (e) => errors.push(e);
    server.onmessage = () => {
      count++;
      if (count === 1) throw new Error('handler bug');
    };
    await Promise.all([client.start(), server.start()]);
    await client.send(note(1));
    await client.send(note(2));
    await tick();
    expect(count).toBe(2);
    expect(errors.map((e) => e.message)).toEqual(['handler bug']);
  });
});

describe('the official SDK runs over the pair unchanged', () => {
  test('SDK v1: Client calls a tool on McpServer', async () => {
    const server = new McpServerV1({ name: 'core-test', version: '1.0.0' });
    server.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({
      content: [{ type: 'text', text: String(a + b) }],
    }));
    const { client: clientSide, server: serverSide } = createInMemoryPair();
    const client = new ClientV1({ name: 'core-test-client', version: '1.0.0' });
    await server.connect(serverSide);
    await client.connect(clientSide);
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
    expect(result.content).toEqual([{ type: 'text', text: '42' }]);
    await client.close();
    await server.close();
  });

  test('SDK v2: Client calls a tool on McpServer', async () => {
    const server = new McpServerV2({ name: 'core-test', version: '2.0.0' });
    server.registerTool('add', { inputSchema: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => ({
      content: [{ type: 'text', text: String(a + b) }],
    }));
    const { client: clientSide, server: serverSide } = createInMemoryPair();
    const client = new ClientV2({ name: 'core-test-client', version: '2.0.0' });
    await server.connect(serverSide);
    await client.connect(clientSide);
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
    expect(result.content).toEqual([{ type: 'text', text: '42' }]);
    await client.close();
    await server.close();
  });
});
