/**
 * Child process of the Redis suite: `redis-echo-server.ts <redis url>` starts the echo servers —
 * a raw pub/sub JSON echo, one that publishes each message back as it came (no JSON), a raw Streams
 * XADD/XREAD echo and our RedisServerListener echoing through each transport — prints `ready`, and
 * stops when stdin ends.
 */
import { RedisServerListener } from '@mcp-transports/redis';
import { Redis } from 'ioredis';
import {
  CONTROL_REQUESTS,
  CONTROL_RESPONSES,
  ENDPOINT,
  PUBSUB_BYTES_REQUESTS,
  PUBSUB_BYTES_RESPONSES,
  PUBSUB_REQUESTS,
  PUBSUB_RESPONSES,
  readStream,
  replyTo,
  STREAM_REQUESTS,
  STREAM_RESPONSES,
  textOf,
} from './redis-echo.js';

const url = process.argv[2] as string;
const [pub, sub, cmd, read, controlPub, controlSub] = [1, 2, 3, 4, 5, 6].map(() => new Redis(url)) as [
  Redis,
  Redis,
  Redis,
  Redis,
  Redis,
  Redis,
];

await sub.subscribe(PUBSUB_REQUESTS, PUBSUB_BYTES_REQUESTS);
sub.on('message', (channel: string, text: string) => {
  if (channel === PUBSUB_BYTES_REQUESTS) {
    void pub.publish(PUBSUB_BYTES_RESPONSES, text);
    return;
  }
  const m = JSON.parse(text) as { id: number };
  void pub.publish(PUBSUB_RESPONSES, JSON.stringify(replyTo(m.id, textOf(m))));
});

// The same JSON echo again, on connections of its own: the noise control.
await controlSub.subscribe(CONTROL_REQUESTS);
controlSub.on('message', (_channel: string, text: string) => {
  const m = JSON.parse(text) as { id: number };
  void controlPub.publish(CONTROL_RESPONSES, JSON.stringify(replyTo(m.id, textOf(m))));
});

const reading = readStream(read, STREAM_REQUESTS, (text) => {
  const m = JSON.parse(text) as { id: number };
  void cmd.xadd(STREAM_RESPONSES, '*', 'm', JSON.stringify(replyTo(m.id, textOf(m))));
});

const listener = new RedisServerListener({ redis: url, endpoint: ENDPOINT });
listener.onconnection = (transport) => {
  transport.onmessage = (message) => {
    if ('id' in message && 'method' in message) void transport.send(replyTo(message.id, textOf(message)));
  };
  void transport.start();
};
await listener.listen();

// Let the XREAD reach the server before anything is written ('$' means "after now").
await cmd.ping();
await new Promise((resolve) => setTimeout(resolve, 50));
process.stdout.write('ready\n');

process.stdin.resume();
process.stdin.on('end', () => {
  void (async () => {
    reading.stop();
    await listener.close();
    for (const c of [pub, sub, cmd, read, controlPub, controlSub]) c.disconnect();
    const admin = new Redis(url);
    await admin.del(STREAM_REQUESTS, STREAM_RESPONSES);
    admin.disconnect();
    process.exit(0);
  })();
});
