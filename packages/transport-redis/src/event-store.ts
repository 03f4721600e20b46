/**
 * Core's `EventStore` on Redis, so an HTTP stream resumed with `Last-Event-ID` can continue on any
 * node that shares the Redis (SH-34..SH-38).
 *
 * One Redis stream per MCP stream (`<prefix>:events:{<streamId>}`), written with
 * `XADD MAXLEN ~ <maxEventsPerStream>` and a TTL refreshed on every write. An event id is
 * `<redis entry id>.<url-encoded stream id>`: every node can find the stream of any id without a
 * shared index, the id is visible ASCII (safe in an SSE `id:` line) and any stream id works,
 * including the standalone GET stream's.
 */
import {
  decodeMessage,
  encodeMessage,
  TransportError,
  TransportErrorCode,
  type EventId,
  type EventStore,
  type JSONRPCMessage,
  type StreamId,
} from '@mcp-transports/core';
import type { RedisClient } from './_connection.js';
import { fieldOf, TAG } from './_keys.js';

export interface RedisEventStoreOptions {
  /** Your ioredis `Redis` or `Cluster`; borrowed, never closed. Every node of the HTTP transport passes its own. */
  redis: RedisClient;
  /** First part of every key. @default 'mcp' */
  prefix?: string;
  /** Events kept per stream (approximately: `MAXLEN ~`); older ones are evicted. @default 10_000 */
  maxEventsPerStream?: number;
  /** A stream with no new event for this long is deleted. @default 1_800_000 (30 min) */
  ttlMs?: number;
  /** Events read from Redis per round trip during a replay. @default 500 */
  replayBatch?: number;
  /** A stored entry that cannot be decoded is reported here and skipped. @default undefined */
  onerror?: ((error: Error) => void) | undefined;
}

/** Resumability storage shared by every node that uses the same Redis. */
export class RedisEventStore implements EventStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #max: number;
  readonly #ttl: number;
  readonly #batch: number;
  readonly #onerror: ((error: Error) => void) | undefined;

  constructor(options: RedisEventStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? 'mcp';
    this.#max = options.maxEventsPerStream ?? 10_000;
    this.#ttl = options.ttlMs ?? 30 * 60_000;
    this.#batch = options.replayBatch ?? 500;
    this.#onerror = options.onerror;
    if (!(this.#max > 0 && this.#ttl > 0 && this.#batch > 0)) {
      throw new RangeError(`${TAG} RedisEventStore limits must be positive`);
    }
  }

  /** The Redis key holding one MCP stream's events. */
  keyOf(streamId: StreamId): string {
    return `${this.#prefix}:events:{${encodeURIComponent(streamId)}}`;
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const key = this.keyOf(streamId);
    const results = await this.#redis
      .pipeline()
      .xadd(key, 'MAXLEN', '~', this.#max, '*', 'm', encodeMessage(message))
      .pexpire(key, this.#ttl)
      .exec();
    const [error, id] = results?.[0] ?? [new Error('no reply'), null];
    if (error !== null || typeof id !== 'string') {
      throw new TransportError(TransportErrorCode.Connection, `${TAG} could not store the event`, { cause: error });
    }
    return `${id}.${encodeURIComponent(streamId)}`;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    const parsed = parse(eventId);
    if (parsed === undefined) return undefined;
    const found = await this.#redis.xrange(this.keyOf(parsed.streamId), parsed.entryId, parsed.entryId);
    return found.length === 0 ? undefined : parsed.streamId;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const parsed = parse(lastEventId);
    const key = parsed === undefined ? undefined : this.keyOf(parsed.streamId);
    if (
      parsed === undefined ||
      key === undefined ||
      (await this.#redis.xrange(key, parsed.entryId, parsed.entryId)).length === 0
    ) {
      throw new TransportError(
        TransportErrorCode.UnknownEvent,
        `${TAG} unknown event id ${JSON.stringify(lastEventId)}: it was evicted, expired or never existed, so events may have been lost`,
      );
    }
    const suffix = `.${encodeURIComponent(parsed.streamId)}`;
    // Snapshot the end first: events stored while we replay are sent live, not replayed as well.
    const newest = await this.#redis.xrevrange(key, '+', '-', 'COUNT', 1);
    const end = newest[0]?.[0] ?? parsed.entryId;
    let after = parsed.entryId;
    while (after !== end) {
      const entries = await this.#redis.xrange(key, `(${after}`, end, 'COUNT', this.#batch);
      for (const [id, fields] of entries) {
        after = id;
        const data = fieldOf(fields, 'm');
        const decoded = data === undefined ? undefined : decodeMessage(data);
        if (decoded?.ok !== true) {
          this.#onerror?.(
            decoded?.error ??
              new TransportError(TransportErrorCode.InvalidMessage, `${TAG} event ${id} of ${key} has no "m" field`),
          );
          continue;
        }
        await send(`${id}${suffix}`, decoded.message);
      }
      if (entries.length < this.#batch) break;
    }
    return parsed.streamId;
  }

  /** Deletes every event of one stream (e.g. when its session ends). */
  async clearStream(streamId: StreamId): Promise<void> {
    await this.#redis.del(this.keyOf(streamId));
  }
}

const ENTRY_ID = /^\d+-\d+$/;

function parse(eventId: EventId): { entryId: string; streamId: StreamId } | undefined {
  const dot = eventId.indexOf('.');
  if (dot < 0) return undefined;
  const entryId = eventId.slice(0, dot);
  if (!ENTRY_ID.test(entryId)) return undefined;
  try {
    return { entryId, streamId: decodeURIComponent(eventId.slice(dot + 1)) };
  } catch {
    // Malformed percent-encoding: not an id this store made.
    return undefined;
  }
}
