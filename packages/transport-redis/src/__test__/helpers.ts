import type { JSONRPCMessage, Transport } from '@mcp-transports/core';
import { Redis } from 'ioredis';
import { RedisClientTransport, type RedisClientTransportOptions } from '../client.js';
import { RedisServerListener, type RedisServerListenerOptions } from '../listener.js';

let counter = 0;
/** A fresh endpoint name per test, so tests sharing one Redis never see each other's sessions. */
export function endpointName(): string {
  return `ep${process.pid}-${++counter}`;
}

export function request(id: number | string, method = 'ping', params?: Record<string, unknown>): JSONRPCMessage {
  return params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
}

/** Collects a transport's messages and errors; `next(n)` waits for the n-th message. */
export class Recorder {
  readonly messages: JSONRPCMessage[] = [];
  readonly errors: Error[] = [];
  closed = 0;
  #waiters: (() => void)[] = [];

  constructor(transport: Transport) {
    transport.onmessage = (message) => {
      this.messages.push(message);
      this.#wake();
    };
    transport.onerror = (error) => {
      this.errors.push(error);
      this.#wake();
    };
    transport.onclose = () => {
      this.closed++;
      this.#wake();
    };
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async until(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface Pair {
  client: RedisClientTransport;
  server: Transport;
  listener: RedisServerListener;
  endpoint: string;
  close(): Promise<void>;
}

/** A listener and one connected client on a fresh endpoint; the server transport is started. */
export async function openPair(
  url: string,
  options: {
    client?: Partial<RedisClientTransportOptions>;
    listener?: Partial<RedisServerListenerOptions>;
    beforeStart?: (server: Transport) => void;
  } = {},
): Promise<Pair> {
  const endpoint = endpointName();
  const listener = new RedisServerListener({ redis: url, endpoint, ...options.listener });
  const servers: Transport[] = [];
  listener.onconnection = (transport) => {
    servers.push(transport);
    options.beforeStart?.(transport);
    void transport.start();
  };
  await listener.listen();
  const client = new RedisClientTransport({ redis: url, endpoint, ...options.client });
  await client.start();
  await waitFor(() => servers.length > 0, 10_000, 'the server transport');
  return {
    client,
    server: servers[0] as Transport,
    listener,
    endpoint,
    async close() {
      await client.close();
      await listener.close();
    },
  };
}

/** Every key under `prefix:*` (SCAN, not KEYS). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}
