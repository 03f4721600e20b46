import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RedisClientTransport } from './client.js';
import { RedisServerListener } from './listener.js';
import { endpointName } from './__test__/helpers.js';
import { hasRedis, TestRedisServer } from './__test__/redis-server.js';

describe.skipIf(!hasRedis)('[CT-2] the official SDK runs over Redis unchanged', () => {
  let redis: TestRedisServer;
  beforeAll(async () => {
    redis = await TestRedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('SDK v1: Client ↔ McpServer, one server per session, progress notifications', async () => {
    const endpoint = endpointName();
    const listener = new RedisServerListener({ redis: redis.url, endpoint });
    const servers: McpServerV1[] = [];
    listener.onconnection = (transport) => {
      const server = new McpServerV1({ name: 'redis-test', version: '1.0.0' });
      server.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }, extra) => {
        const token = extra._meta?.progressToken;
        if (token !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: 1 },
          });
        }
        return { content: [{ type: 'text', text: String(a + b) }] };
      });
      servers.push(server);
      void server.connect(transport);
    };
    await listener.listen();
    const clients = await Promise.all(
      [1, 2].map(async () => {
        const client = new ClientV1({ name: 'redis-test-client', version: '1.0.0' });
        await client.connect(new RedisClientTransport({ redis: redis.url, endpoint }));
        return client;
      }),
    );
    for (const [i, client] of clients.entries()) {
      const progress: number[] = [];
      const result = await client.callTool({ name: 'add', arguments: { a: i, b: 40 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      expect(result.content).toEqual([{ type: 'text', text: String(i + 40) }]);
      expect(progress).toEqual([1]);
    }
    expect(servers.length).toBe(2);
    // Each client ran the initialize handshake (an id visible right after start() made the SDK skip it).
    for (const server of servers) {
      expect(server.server.getClientVersion()).toEqual({ name: 'redis-test-client', version: '1.0.0' });
    }
    for (const client of clients) await client.close();
    await listener.close();
  });

  it('[TC-3] SDK v1: progress sent back to back with the result (one XREAD) all reaches the client', async () => {
    const endpoint = endpointName();
    const listener = new RedisServerListener({ redis: redis.url, endpoint });
    listener.onconnection = (transport) => {
      const server = new McpServerV1({ name: 'redis-test', version: '1.0.0' });
      server.registerTool('burst', { inputSchema: { steps: z.number() } }, ({ steps }, extra) => {
        const token = extra._meta?.progressToken;
        // No await: the notifications and the result go out in one pipeline, arrive in one read.
        for (let i = 1; token !== undefined && i <= steps; i++) {
          void extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: i },
          });
        }
        return { content: [{ type: 'text', text: 'done' }] };
      });
      void server.connect(transport);
    };
    await listener.listen();
    const client = new ClientV1({ name: 'redis-test-client', version: '1.0.0' });
    await client.connect(new RedisClientTransport({ redis: redis.url, endpoint }));
    for (let call = 0; call < 10; call++) {
      const progress: number[] = [];
      await client.callTool({ name: 'burst', arguments: { steps: 5 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      expect(progress).toEqual([1, 2, 3, 4, 5]);
    }
    await client.close();
    await listener.close();
  });

  it('SDK v2: Client ↔ McpServer', async () => {
    const endpoint = endpointName();
    const listener = new RedisServerListener({ redis: redis.url, endpoint });
    listener.onconnection = (transport) => {
      const server = new McpServerV2({ name: 'redis-test', version: '2.0.0' });
      server.registerTool('add', { inputSchema: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => ({
        content: [{ type: 'text', text: String(a + b) }],
      }));
      void server.connect(transport);
    };
    await listener.listen();
    const client = new ClientV2({ name: 'redis-test-client', version: '2.0.0' });
    await client.connect(new RedisClientTransport({ redis: redis.url, endpoint }));
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
    expect(result.content).toEqual([{ type: 'text', text: '42' }]);
    await client.close();
    await listener.close();
  });
});
