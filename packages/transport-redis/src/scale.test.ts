/**
 * The scale test: three HTTP node processes sharing one Redis (RedisSessionRouter +
 * RedisEventStore) behind a round-robin proxy without sticky sessions; the official SDK v1
 * client talks to the proxy only.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, startProxy, type HttpNode, type RoundRobinProxy } from './__test__/cluster.js';
import { waitFor } from './__test__/helpers.js';
import { hasRedis, TestRedisServer } from './__test__/redis-server.js';

const URI = 'test://counter';

describe.skipIf(!hasRedis)('scaled HTTP: three node processes behind a round-robin proxy', () => {
  let redis: TestRedisServer;
  let nodes: HttpNode[] = [];
  let proxy: RoundRobinProxy | undefined;

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    nodes = await Promise.all([0, 1, 2].map(() => startNode(redis.url, { PREFIX: `scale${process.pid}` })));
    proxy = await startProxy(nodes.map((n) => n.port));
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
    await Promise.all(nodes.map((n) => n.kill()));
    await redis.stop();
  });

  it('[SH-35] [SH-36] [SH-37] [SH-38] initialize, 200 tool calls with progress, a subscription; the node relaying the GET stream is killed: the client resumes through another node and gets every event exactly once', async () => {
    const log = (proxy as RoundRobinProxy).log;
    const client = new Client({ name: 'scale', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport((proxy as RoundRobinProxy).url, {
      reconnectionOptions: {
        maxRetries: 50,
        initialReconnectionDelay: 50,
        maxReconnectionDelay: 500,
        reconnectionDelayGrowFactor: 1.5,
      },
    });
    const seqs: number[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      seqs.push((n.params._meta as { seq: number }).seq);
    });
    const errors: Error[] = [];
    client.onerror = (error) => errors.push(error);
    await client.connect(transport);
    await waitFor(() => log.some((r) => r.method === 'GET'), 10_000, 'the GET stream');
    const getNode = log.find((r) => r.method === 'GET')!.node;
    const owner = nodes.findIndex((n) => transport.sessionId!.startsWith(`${n.nodeId}.`));
    expect(owner).toBeGreaterThanOrEqual(0);
    // initialize → node 0 (the owner), initialized → node 1, GET → node 2: relayed, not owned.
    expect(getNode).not.toBe(owner);

    await client.subscribeResource({ uri: URI });
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const progress: number[] = [];
          const result = await client.callTool({ name: 'count', arguments: { n: 3 } }, undefined, {
            onprogress: (p) => progress.push(p.progress),
          });
          expect(result.content, `call ${batch * 10 + i}`).toEqual([{ type: 'text', text: 'counted 3' }]);
          expect(progress).toEqual([1, 2, 3]);
        }),
      );
    }
    const posts = log.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(200);
    expect(new Set(posts.map((r) => r.node)).size).toBe(3);

    // Resource updates flow on the GET stream (through node getNode); kill that node mid-flow.
    const first = client.callTool({ name: 'bump', arguments: { uri: URI, from: 0, count: 100, delayMs: 10 } });
    await waitFor(() => seqs.length >= 20, 20_000, 'the first updates');
    const getsBefore = log.filter((r) => r.method === 'GET').length;
    await nodes[getNode]!.kill();
    expect(await first).toMatchObject({ content: [{ type: 'text', text: 'bumped 100' }] });
    await waitFor(() => seqs.length >= 100, 20_000, 'every update of the first burst');
    const second = await client.callTool({ name: 'bump', arguments: { uri: URI, from: 100, count: 50, delayMs: 0 } });
    expect(second).toMatchObject({ content: [{ type: 'text', text: 'bumped 50' }] });
    await waitFor(() => seqs.length >= 150, 20_000, 'every update of the second burst');
    // One more round trip, so a duplicate still in flight would have arrived.
    await client.callTool({ name: 'echo', arguments: { text: 'end' } });
    expect(seqs).toEqual(Array.from({ length: 150 }, (_, i) => i));
    const resumed = log.filter((r) => r.method === 'GET').slice(getsBefore);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((r) => r.node !== getNode)).toBe(true);
    await transport.terminateSession();
    await client.close();
  });
});
