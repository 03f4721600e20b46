// 10,000 idle connections on one listener. The clients live in a child process, so each process
// holds 10,000 sockets (the machine's per-process descriptor limit is 20,000).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { WebSocketListener } from './listener.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const N = 10_000;

it(`holds ${N} idle connections, each with its own started transport, and sees every one close`, async () => {
  // The bare-socket clients never answer pings; keep the heartbeat out of this test.
  const listener = new WebSocketListener({ heartbeatMs: 0 });
  cleanups.push(() => listener.close());
  let started = 0;
  let closed = 0;
  listener.onconnection = (transport) => {
    transport.onclose = () => closed++;
    void transport.start().then(() => started++);
  };
  const { url } = await listener.listen();
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'test-fixtures', 'idle-clients.mjs'), url, String(N)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  cleanups.push(() => child.kill('SIGKILL'));
  const line = await new Promise<string>((resolve) => {
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  expect(line).toBe(`open ${N}`);
  await new Promise((r) => setTimeout(r, 50));
  expect(listener.connections.size).toBe(N);
  expect(started).toBe(N);
  // The client process dies: every connection closes and every transport says so, exactly once.
  child.kill('SIGKILL');
  await expect.poll(() => closed, { timeout: 20_000, interval: 50 }).toBe(N);
  expect(listener.connections.size).toBe(0);
}, 60_000);
