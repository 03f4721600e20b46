/**
 * What the Redis suite's clients (the bench process) and echo servers (`redis-echo-server.ts`, a
 * child process) share: the messages, the channel and stream names, and a stream read loop.
 */
import type { JSONRPCMessage } from '@mcp-transports/core';
import type { Redis } from 'ioredis';

/** The endpoint our RedisServerListener serves. */
export const ENDPOINT = 'bench';
export const PUBSUB_REQUESTS = 'bench:req';
export const PUBSUB_RESPONSES = 'bench:res';
/** The pub/sub JSON echo a second time, on connections of its own: the noise control. */
export const CONTROL_REQUESTS = 'bench:req:control';
export const CONTROL_RESPONSES = 'bench:res:control';
/** The pub/sub echo without JSON: each message published back as it came. */
export const PUBSUB_BYTES_REQUESTS = 'bench:req:bytes';
export const PUBSUB_BYTES_RESPONSES = 'bench:res:bytes';
export const STREAM_REQUESTS = 'bench:raw:c2s';
export const STREAM_RESPONSES = 'bench:raw:s2c';

const HELLO = 'hello from the bench';
export const requestOf = (id: number, text = HELLO): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text } },
});
export const replyTo = (id: number | string, text = HELLO): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  result: { content: [{ type: 'text', text }] },
});
/** The text a request carries (what the echo sends back). */
export const textOf = (message: unknown): string =>
  (message as { params: { arguments: { text: string } } }).params.arguments.text;

/** Reads every entry added to `key` from now on (`XREAD BLOCK`), handing over its `m` field. */
export function readStream(read: Redis, key: string, handle: (text: string) => void): { stop: () => void } {
  const state = { open: true };
  void (async () => {
    let last = '$';
    while (state.open) {
      let result: [string, [string, string[]][]][] | null;
      try {
        result = await read.xread('COUNT', 64, 'BLOCK', 0, 'STREAMS', key, last);
      } catch {
        // disconnect() on close ends the blocked read.
        return;
      }
      for (const [, entries] of result ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          handle(fields[1]!);
        }
      }
    }
  })();
  return {
    stop: () => {
      state.open = false;
    },
  };
}
