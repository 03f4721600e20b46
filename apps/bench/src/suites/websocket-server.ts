/**
 * Child process of the websocket suite: `websocket-server.ts <ours|raw-json|raw> [maxMessageBytes]`
 * starts one echo server (see `websocket-echo.ts`), prints `{ "url": … }`, then answers each stdin
 * line `heap` with `{ "heap": bytes }` (heap + external after collecting garbage) for the leak
 * check, and `cpu` with `{ "cpu": ms }` (this process's CPU time so far). Exits when stdin ends.
 * The load comes from the parent, so this process holds only the server side of every connection.
 */
import { createInterface } from 'node:readline';
import { settleHeap } from '../harness.js';
import { echoServer, type ServerKind } from './websocket-echo.js';

const [kind, limit] = process.argv.slice(2) as [ServerKind, string | undefined];
const server = await echoServer(kind, limit === undefined ? undefined : Number(limit));
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

async function heap(): Promise<number> {
  await settleHeap();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'heap') void heap().then((bytes) => process.stdout.write(`${JSON.stringify({ heap: bytes })}\n`));
  if (line === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpu: (user + system) / 1000 })}\n`);
  }
});
lines.on('close', () => {
  void server.close().finally(() => process.exit(0));
});
