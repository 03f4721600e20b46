import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isTransportError, TransportErrorCode } from '@mcp-transports/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionKeys } from './_keys.js';
import { RedisClientTransport } from './client.js';
import { endpointName, Recorder, request } from './__test__/helpers.js';
import { hasRedis, TestRedisServer } from './__test__/redis-server.js';

const WORKER = fileURLToPath(new URL('./__test__/worker.ts', import.meta.url));

const workerOf = (m: unknown): string => (m as { result: { worker: string } }).result.worker;

interface Worker {
  child: ChildProcess;
  id: string;
}

function startWorker(url: string, endpoint: string): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, REDIS_URL: url, ENDPOINT: endpoint, HEARTBEAT_MS: '200' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready (\S+)\n/.exec(out);
      if (match !== null) resolve({ child, id: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
  });
}

describe.skipIf(!hasRedis)('several worker processes serve one endpoint', () => {
  let redis: TestRedisServer;
  let admin: Redis;
  const workers: Worker[] = [];

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    admin.disconnect();
    await redis.stop();
  });

  it('each of 10 sessions is served by exactly one worker; a SIGKILLed worker’s sessions end with ERR_CONNECTION', async () => {
    const endpoint = endpointName();
    workers.push(...(await Promise.all([startWorker(redis.url, endpoint), startWorker(redis.url, endpoint)])));
    const sessions = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const client = new RedisClientTransport({ redis: redis.url, endpoint, heartbeatMs: 200 });
        const recorder = new Recorder(client);
        await client.start();
        return { client, recorder };
      }),
    );
    // Three requests per session: every answer comes from the same worker, the one the owner key names.
    for (const [i, s] of sessions.entries()) {
      for (let k = 0; k < 3; k++) await s.client.send(request(i * 10 + k));
    }
    const served = new Map<RedisClientTransport, string>();
    for (const s of sessions) {
      await s.recorder.until(() => s.recorder.messages.length === 3);
      const by = new Set(s.recorder.messages.map((m) => workerOf(m)));
      expect(by.size).toBe(1);
      const worker = [...by][0]!;
      expect(workers.map((w) => w.id)).toContain(worker);
      expect(await admin.get(sessionKeys('mcp', endpoint, 'anonymous', s.client.sessionId!).owner)).toBe(worker);
      served.set(s.client, worker);
    }

    const victim = served.get(sessions[0]!.client)!;
    const killed = workers.find((w) => w.id === victim)!;
    killed.child.kill('SIGKILL');
    const orphans = sessions.filter((s) => served.get(s.client) === victim);
    const survivors = sessions.filter((s) => served.get(s.client) !== victim);
    for (const s of orphans) {
      // The bound: three missed 200 ms beats are ~0.8 s; 10 s leaves room for a loaded machine.
      await s.recorder.until(() => s.recorder.closed === 1, 10_000, 'onclose of an orphaned session');
      expect(s.recorder.errors.some((e) => isTransportError(e, TransportErrorCode.Connection))).toBe(true);
      expect(s.client.closeReason?.code).toBe(TransportErrorCode.Connection);
    }
    for (const s of survivors) {
      await s.client.send(request(99));
      await s.recorder.until(() => s.recorder.messages.length === 4);
      expect(s.recorder.closed).toBe(0);
    }
    // A new session goes to the surviving worker.
    const late = new RedisClientTransport({ redis: redis.url, endpoint, heartbeatMs: 200 });
    const lateRecorder = new Recorder(late);
    await late.start();
    await late.send(request(1));
    await lateRecorder.until(() => lateRecorder.messages.length === 1);
    expect(workerOf(lateRecorder.messages[0])).not.toBe(victim);
    await late.close();
    for (const s of survivors) await s.client.close();
  });
});
