/**
 * Finds a Redis for the demo: one already listening on 127.0.0.1:6379, or a `redis-server` started
 * on a free port (no persistence) and stopped afterwards. Never throws: no Redis is a normal outcome.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo } from 'node:net';

export interface DemoRedis {
  readonly url: string;
  /** How it was found, for the demo's output. */
  readonly origin: string;
  stop(): Promise<void>;
}

export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function findRedis(): Promise<DemoRedis | string> {
  if (await canConnect(6379)) {
    return {
      url: 'redis://127.0.0.1:6379',
      origin: 'already running on 127.0.0.1:6379',
      stop: () => Promise.resolve(),
    };
  }
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const failed = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`redis-server could not be started (${error.message})`));
    child.once('exit', (code) => resolve(`redis-server exited with status ${String(code)}`));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  for (let waited = 0; waited < 5000; waited += 50) {
    const outcome = await Promise.race([
      failed,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50)),
    ]);
    if (outcome !== undefined) return `no Redis on 127.0.0.1:6379 and ${outcome}`;
    if (await canConnect(port))
      return { url: `redis://127.0.0.1:${port}`, origin: `redis-server started on port ${port}`, stop };
  }
  await stop();
  return 'redis-server did not accept connections within 5 s';
}
