import { describeTransportConformance } from '@mcp-transports/conformance/vitest';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { RedisClientTransport } from './client.js';
import { RedisServerListener } from './listener.js';
import { endpointName } from './__test__/helpers.js';
import { PendingServer } from './__test__/pending-server.js';
import { hasRedis, TestRedisServer } from './__test__/redis-server.js';

const MAX = 1024 * 1024;
// 1 s beats: fast enough for the peer-death check, slow enough that a beat queued behind
// thousands of messages on a loaded machine is not taken for a dead worker.
const SESSION = { maxMessageBytes: MAX, heartbeatMs: 1000 };

describe.skipIf(!hasRedis)('conformance layer 1 over a real Redis', () => {
  let redis: TestRedisServer;
  beforeAll(async () => {
    redis = await TestRedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  describeTransportConformance(
    'RedisClientTransport ↔ RedisServerTransport',
    async () => {
      const endpoint = endpointName();
      // The listener's own ioredis client, so kill() can cut the worker off without a goodbye.
      const workerRedis = new Redis(redis.url);
      const listener = new RedisServerListener({ redis: workerRedis, endpoint, ...SESSION });
      const server = new PendingServer();
      listener.onconnection = (transport) => {
        server.attach(transport);
      };
      await listener.listen();
      const client = new RedisClientTransport({ redis: redis.url, endpoint, ...SESSION });
      return {
        client,
        server,
        kill: () => {
          // The worker vanishes: its connection drops, its heartbeats stop, nothing is said.
          workerRedis.disconnect();
        },
        close: async () => {
          await client.close();
          await listener.close();
          workerRedis.disconnect();
        },
      };
    },
    {
      maxMessageBytes: MAX,
      peerDeath: true,
      reconnects: true,
      sessions: true,
      closeTimeoutMs: 10_000,
    },
  );
});
