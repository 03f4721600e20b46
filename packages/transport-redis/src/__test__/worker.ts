/**
 * A worker process for the multi-process tests: serves ENDPOINT on REDIS_URL, answers every
 * request with its worker id, and prints `ready <workerId>` once it listens.
 */
import { RedisServerListener } from '../listener.js';

const url = process.env.REDIS_URL;
const endpoint = process.env.ENDPOINT;
if (url === undefined || endpoint === undefined) throw new Error('REDIS_URL and ENDPOINT are required');

const listener = new RedisServerListener({
  redis: url,
  endpoint,
  heartbeatMs: Number(process.env.HEARTBEAT_MS ?? 200),
});
listener.onerror = (error) => {
  process.stderr.write(`worker listener error: ${error.message}\n`);
};
listener.onconnection = (transport) => {
  transport.onmessage = (message) => {
    if ('method' in message && 'id' in message) {
      void transport.send({ jsonrpc: '2.0', id: message.id, result: { worker: listener.workerId } });
    }
  };
  void transport.start();
};
await listener.listen();
process.stdout.write(`ready ${listener.workerId}\n`);
process.on('SIGTERM', () => {
  // Closing the listener releases every connection, so the process ends on its own.
  void listener.close();
});
