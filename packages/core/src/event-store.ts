/**
 * Resumability storage for the HTTP transport (SH-24, SH-33..SH-38): every SSE event the server
 * sends is stored with an id, and a client that reconnects with `Last-Event-ID` gets the events
 * after it, from the same stream only.
 *
 * {@link EventStore} is structurally identical to the official SDK's `EventStore` (v1 and v2).
 */
import { Queue } from './_queue.js';
import { TransportError, TransportErrorCode } from './errors.js';
import type { JSONRPCMessage } from './jsonrpc.js';

export type StreamId = string;
export type EventId = string;

/** Storage of sent events for replay after a reconnect. */
export interface EventStore {
  /** Stores one event of a stream; returns its id, unique across every stream of the store. */
  storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId>;
  /** The stream an event belongs to, or `undefined` when the id is unknown. Optional in the SDK. */
  getStreamIdForEventId?(eventId: EventId): Promise<StreamId | undefined>;
  /**
   * Sends, in order, every stored event of the stream of `lastEventId` that came after it, and
   * returns that stream's id. Events of other streams are never sent (SH-37).
   */
  replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId>;
}

export interface MemoryEventStoreOptions {
  /** Most events kept, over all streams; the oldest are evicted first. @default 10_000 */
  maxEvents?: number;
  /** Most bytes (of the events' JSON) kept, over all streams; the oldest are evicted first. @default 16 MiB */
  maxBytes?: number;
}

interface StoredEvent {
  readonly id: EventId;
  readonly streamId: StreamId;
  readonly seq: number;
  readonly message: JSONRPCMessage;
  readonly bytes: number;
}

const TAG = '[mcp-transports/core]';

/**
 * A bounded in-memory {@link EventStore}: at most `maxEvents` events and `maxBytes` bytes, oldest
 * evicted first. Replays per stream by lookup, never by parsing the event id, so any stream id
 * works — including the standalone GET stream's (the SDK's example store splits ids on `_` and
 * replays the GET stream wrongly, its issue #943).
 *
 * A replay from an id that was evicted or never existed rejects with `ERR_UNKNOWN_EVENT`: the
 * client has missed events and must be told, not silently given a gap.
 */
export class MemoryEventStore implements EventStore {
  readonly #maxEvents: number;
  readonly #maxBytes: number;
  readonly #byId = new Map<EventId, StoredEvent>();
  readonly #streams = new Map<StreamId, Queue<StoredEvent>>();
  readonly #all = new Queue<StoredEvent>();
  #bytes = 0;
  #seq = 0;

  constructor(options: MemoryEventStoreOptions = {}) {
    this.#maxEvents = options.maxEvents ?? 10_000;
    this.#maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    if (!(this.#maxEvents > 0) || !(this.#maxBytes > 0)) {
      throw new RangeError(`${TAG} MemoryEventStore limits must be positive`);
    }
  }

  /** Events currently held. */
  get size(): number {
    return this.#all.length;
  }

  /** Bytes currently held (UTF-16 length of the events' JSON, a close upper bound for ASCII). */
  get bytes(): number {
    return this.#bytes;
  }

  storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const seq = ++this.#seq;
    // The id names its stream (SH-34) but is only ever looked up, never parsed.
    const id = `${seq}.${streamId}`;
    const event: StoredEvent = { id, streamId, seq, message, bytes: JSON.stringify(message).length };
    let stream = this.#streams.get(streamId);
    if (stream === undefined) {
      stream = new Queue<StoredEvent>();
      this.#streams.set(streamId, stream);
    }
    stream.push(event);
    this.#all.push(event);
    this.#byId.set(id, event);
    this.#bytes += event.bytes;
    while (this.#all.length > this.#maxEvents || (this.#bytes > this.#maxBytes && this.#all.length > 1)) {
      this.#evictOldest();
    }
    return Promise.resolve(id);
  }

  getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return Promise.resolve(this.#byId.get(eventId)?.streamId);
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const last = this.#byId.get(lastEventId);
    if (last === undefined) {
      throw new TransportError(
        TransportErrorCode.UnknownEvent,
        `${TAG} unknown event id ${JSON.stringify(lastEventId)}: it was evicted or never existed, so events may have been lost`,
      );
    }
    const stream = this.#streams.get(last.streamId);
    if (stream === undefined) return last.streamId;
    // Snapshot first: `send` may await while new events are stored (and old ones evicted).
    const after: StoredEvent[] = [];
    for (let i = firstAfter(stream, last.seq); i < stream.length; i++) after.push(stream.at(i) as StoredEvent);
    for (const event of after) await send(event.id, event.message);
    return last.streamId;
  }

  /** Forgets every event of one stream (e.g. when its session ends). */
  clearStream(streamId: StreamId): void {
    const stream = this.#streams.get(streamId);
    if (stream === undefined) return;
    this.#streams.delete(streamId);
    for (let i = 0; i < stream.length; i++) {
      const event = stream.at(i) as StoredEvent;
      this.#byId.delete(event.id);
      this.#bytes -= event.bytes;
    }
    // Their slots in the global queue are skipped at eviction time (no longer in #byId).
  }

  #evictOldest(): void {
    const oldest = this.#all.shift();
    if (oldest === undefined || !this.#byId.has(oldest.id)) return;
    this.#byId.delete(oldest.id);
    this.#bytes -= oldest.bytes;
    const stream = this.#streams.get(oldest.streamId);
    // The globally oldest event of a stream is that stream's oldest: sequence numbers only grow.
    stream?.shift();
    if (stream !== undefined && stream.length === 0) this.#streams.delete(oldest.streamId);
  }
}

/** Index of the first event in `stream` with a sequence number above `seq` (binary search). */
function firstAfter(stream: Queue<StoredEvent>, seq: number): number {
  let lo = 0;
  let hi = stream.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((stream.at(mid) as StoredEvent).seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
