/**
 * `RedisServerEventBus`: core's `ServerEventBus` (structurally the official SDK v2's) over Redis
 * pub/sub, so a change published on one node reaches the `subscriptions/listen` streams of every
 * node. Pub/sub, not streams: a change event is a hint ("the tool list changed, fetch it again"),
 * not data that must be replayed; a listen stream that was not open when it happened has nothing
 * to catch up on, and a stream cut by a Redis restart is re-opened by its client, which then
 * re-reads the state. Streams would add a read loop, trimming and a cursor per node for no
 * guarantee a listen stream can use. Delivery across nodes is therefore at most once.
 */
import { randomBytes } from 'node:crypto';
import { TransportError, TransportErrorCode, type ServerEvent, type ServerEventBus } from '@mcp-transports/core';
import {
  duplicateForBlocking,
  quit,
  release,
  resolveConnection,
  waitReady,
  type Owned,
  type RedisClient,
  type RedisConnection,
} from './_connection.js';
import { TAG } from './_keys.js';

export interface RedisServerEventBusOptions {
  /** ioredis `Redis`/`Cluster` (borrowed: never closed), a URL, or ioredis options. */
  redis: RedisConnection;
  /** First part of the channel name. @default 'mcp' */
  prefix?: string;
  /** Buses with the same prefix and name share events. @default 'default' */
  name?: string;
  /** Listener errors and bad messages on the channel. @default none */
  onerror?: (error: Error) => void;
  /** How long `ready` waits for Redis. @default 10000 */
  connectTimeoutMs?: number;
}

const KINDS = new Set(['tools_list_changed', 'prompts_list_changed', 'resources_list_changed', 'resource_updated']);

/**
 * A {@link ServerEventBus} shared by every process that uses the same Redis, prefix and name.
 * `publish()` delivers synchronously to this process's listeners and publishes to Redis; other
 * processes deliver on receipt. A process never receives its own events back from Redis.
 */
export class RedisServerEventBus implements ServerEventBus {
  /** Resolves once the channel is subscribed; rejects with `ERR_CONNECTION` if Redis cannot be reached. */
  readonly ready: Promise<void>;
  readonly #id = randomBytes(9).toString('base64url');
  readonly #channel: string;
  readonly #listeners = new Set<(event: ServerEvent) => void>();
  readonly #delivering = new Set<(event: ServerEvent) => void>();
  readonly #conn: Owned;
  readonly #sub: RedisClient;
  readonly #onerror: ((error: Error) => void) | undefined;
  #closed = false;

  constructor(options: RedisServerEventBusOptions) {
    const prefix = options.prefix ?? 'mcp';
    this.#channel = `${prefix}:bus:${encodeURIComponent(options.name ?? 'default')}`;
    this.#onerror = options.onerror;
    this.#conn = resolveConnection(options.redis);
    this.#sub = duplicateForBlocking(this.#conn.client);
    this.#sub.on('message', (channel: string, data: string) => {
      if (channel === this.#channel) this.#receive(data);
    });
    this.ready = this.#start(options.connectTimeoutMs ?? 10_000);
    // Reported here; whoever awaits `ready` sees the rejection too.
    this.ready.catch((error: unknown) => this.#report(error));
  }

  async #start(timeoutMs: number): Promise<void> {
    await Promise.all([waitReady(this.#conn.client, timeoutMs), waitReady(this.#sub, timeoutMs)]);
    await this.#sub.subscribe(this.#channel);
  }

  /** The pub/sub channel this bus uses. */
  get channel(): string {
    return this.#channel;
  }

  /** How many listeners this process has registered. */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  publish(event: ServerEvent): void {
    if (this.#closed) return;
    this.#deliver(event);
    this.#conn.client
      .publish(this.#channel, JSON.stringify({ o: this.#id, e: event }))
      .catch((error: unknown) => this.#report(error));
  }

  subscribe(listener: (event: ServerEvent) => void): () => void {
    // A wrapper per subscription: the same function subscribed twice is two subscriptions.
    const entry = (event: ServerEvent): void => {
      listener(event);
    };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Unsubscribes and closes the connections this bus opened (a borrowed client stays open). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await quit(this.#sub);
    await release(this.#conn);
  }

  #receive(data: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch (cause) {
      this.#report(new TransportError(TransportErrorCode.ParseError, `${TAG} bus message is not JSON`, { cause }));
      return;
    }
    const { o: origin, e: event } = (parsed ?? {}) as { o?: unknown; e?: unknown };
    if (origin === this.#id) return;
    if (!isServerEvent(event)) {
      this.#report(
        new TransportError(TransportErrorCode.InvalidMessage, `${TAG} bus message carries no valid event: ${data}`),
      );
      return;
    }
    this.#deliver(event);
  }

  #deliver(event: ServerEvent): void {
    for (const listener of [...this.#listeners]) {
      // Unsubscribed during this delivery, or publishing from inside its own delivery: skip it.
      if (!this.#listeners.has(listener) || this.#delivering.has(listener)) continue;
      this.#delivering.add(listener);
      try {
        listener(event);
      } catch (error) {
        this.#report(error);
      } finally {
        this.#delivering.delete(listener);
      }
    }
  }

  #report(error: unknown): void {
    this.#onerror?.(error instanceof Error ? error : new Error(String(error)));
  }
}

function isServerEvent(value: unknown): value is ServerEvent {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, uri, params } = value as { kind?: unknown; uri?: unknown; params?: unknown };
  if (typeof kind !== 'string' || !KINDS.has(kind)) return false;
  if (kind === 'resource_updated' && typeof uri !== 'string') return false;
  return params === undefined || (typeof params === 'object' && params !== null && !Array.isArray(params));
}
