/**
 * One session's two-way channel over two Redis streams, shared by the client and the server
 * transport. Each stream has exactly one writer and one reader:
 *
 * - writing: `XADD <out> * s <seq> m <json>`. Sends made in the same tick go out as one pipeline
 *   (one write, one round trip). `s` is a per-writer sequence number: ioredis resends commands
 *   left unanswered by a dropped connection, so an entry may land twice, and the reader drops any
 *   `s` it has already seen — that is what makes delivery exactly-once, not just at-least-once.
 * - reading: `XREAD BLOCK` on a dedicated connection, after the last entry id delivered. After a
 *   reconnect the read is repeated from that id, so nothing is lost or repeated. Delivered entries
 *   are trimmed (`XTRIM MINID`) on the next heartbeat.
 * - heartbeat: every `heartbeatMs` each side sets its `hb:<side>` key with a TTL of three beats
 *   and checks its peer's: a missing peer key means three missed beats.
 */
import {
  decodeMessage,
  MessageDelivery,
  reconnectDelay,
  resolveReconnect,
  TransportError,
  TransportErrorCode,
  toError,
  type JSONRPCMessage,
} from '@mcp-transports/core';
import { delay, duplicateForBlocking, waitReady, type RedisClient } from './_connection.js';
import { allKeys, TAG, type SessionKeys } from './_keys.js';

/** Entries read per XREAD: the read buffer is bounded by this × `maxMessageBytes`. */
const READ_COUNT = 64;
/** How long close() waits for its last writes before giving up on a Redis that is down. */
const CLOSE_WAIT_MS = 2000;
const RETRY = resolveReconnect({ initialDelayMs: 50, maxDelayMs: 1000 });

/**
 * A side's close, run after its `close` entry is written. KEYS: own heartbeat, peer heartbeat, then
 * every key of the session; ARGV: the reconnect window. The own heartbeat goes (the peer's check
 * sees it); if the peer's is gone too — it closed first, both closed at once, or it is dead — no one
 * is left to read anything and every key is deleted; otherwise the keys live one reconnect window so
 * a peer that is away can still read the `close`. Atomic, so two sides closing at once cannot both
 * see the other still there and leave the keys behind.
 */
const CLOSE = `
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 then
  for i = 3, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
  return 0
end
redis.call('DEL', unpack(KEYS, 3))
return 1
`;

export interface ChannelOptions {
  readonly side: 'client' | 'server';
  readonly command: RedisClient;
  readonly keys: SessionKeys;
  /** Reading starts after this entry id of the incoming stream. */
  readonly readAfter: string;
  /** Sequence number of the first entry this side writes. */
  readonly firstSeq: number;
  readonly maxMessageBytes: number;
  readonly heartbeatMs: number;
  readonly idleTimeoutMs: number;
  readonly reconnectWindowMs: number;
  readonly connectTimeoutMs: number;
  /** Server side: the worker id the owner key must hold. */
  readonly workerId?: string | undefined;
}

export interface ChannelEvents {
  message(message: JSONRPCMessage): void;
  /** A control entry other than `close` (`hello`, `refused`), for the client's start(). */
  control(kind: string, fields: ReadonlyMap<string, string>): void;
  error(error: Error): void;
  /** Fired once; `reason` is set when the channel ended because of trouble. */
  closed(reason: TransportError | undefined): void;
}

interface Pending {
  readonly fields: string[];
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class Channel {
  readonly #o: ChannelOptions;
  readonly #events: ChannelEvents;
  readonly #in: string;
  readonly #out: string;
  readonly #ownHb: string;
  readonly #peerHb: string;
  #blocking: RedisClient | undefined;
  #lastId: string;
  #trimmedTo: string;
  #lastSeq = -1;
  #seq: number;
  #queue: Pending[] = [];
  #ttlSet = false;
  #markEnded: () => void = () => undefined;
  readonly #ended = new Promise<void>((resolve) => (this.#markEnded = resolve));
  #flushScheduled = false;
  #closed = false;
  /** In order, a notification's handler before the next message (see core's MessageDelivery). */
  readonly #delivery: MessageDelivery;
  #timer: NodeJS.Timeout | undefined;
  #tickBusy = false;
  /** Checks of the peer start once the session is claimed (the client waits for `hello`). */
  #watching: boolean;
  #active = false;
  #lastActive = Date.now();
  #downSince: number | undefined;
  #peerAwaySince: number | undefined;

  constructor(options: ChannelOptions, events: ChannelEvents) {
    this.#o = options;
    this.#events = events;
    this.#delivery = new MessageDelivery(
      (message) => {
        if (!this.#closed) events.message(message);
      },
      (error) => events.error(toError(error)),
    );
    const client = options.side === 'client';
    this.#in = client ? options.keys.s2c : options.keys.c2s;
    this.#out = client ? options.keys.c2s : options.keys.s2c;
    this.#ownHb = client ? options.keys.hbClient : options.keys.hbServer;
    this.#peerHb = client ? options.keys.hbServer : options.keys.hbClient;
    this.#lastId = options.readAfter;
    this.#trimmedTo = options.readAfter;
    this.#seq = options.firstSeq;
    this.#watching = !client;
  }

  /** Id of the last incoming entry handled: where a resumed client continues reading. */
  get lastId(): string {
    return this.#lastId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Opens the reading connection, then reads and beats until closed. */
  async open(): Promise<void> {
    const blocking = duplicateForBlocking(this.#o.command);
    this.#blocking = blocking;
    try {
      await waitReady(blocking, this.#o.connectTimeoutMs);
    } catch (error) {
      blocking.disconnect();
      // Closed while connecting (close() disconnected it): not a failure of start().
      if (this.closed) return;
      throw error;
    }
    if (this.closed) {
      blocking.disconnect();
      return;
    }
    this.#guard(this.#readLoop(blocking));
    this.#timer = setInterval(() => {
      this.#tick();
    }, this.#o.heartbeatMs);
    this.#timer.unref();
  }

  /** From now on a missing peer heartbeat or owner key ends the session. */
  watchPeer(): void {
    this.#watching = true;
  }

  /** Queues one encoded message; resolves once Redis has stored it. */
  send(json: string): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    this.#active = true;
    return this.#enqueue(['s', String(this.#seq++), 'm', json]);
  }

  /**
   * Local close: tells the peer, then (atomically, see {@link CLOSE}) deletes the session's keys if
   * the peer has already gone, or leaves them with a short TTL for a peer that is away.
   */
  async close(reason?: TransportError, note = 'closed'): Promise<void> {
    // Already ending (the peer closed, or trouble): resolve once `closed` has fired.
    if (this.#closed) return this.#ended;
    this.#closed = true;
    // With Redis down the peer cannot be told; its heartbeat check or the keys' TTL ends it.
    if (this.#o.command.status === 'ready') {
      const write = this.#enqueue(['s', String(this.#seq++), 'c', 'close', 'r', note]);
      // After the write, so the last of two sides closing at once sees both writes done.
      const keys = [this.#ownHb, this.#peerHb, ...allKeys(this.#o.keys)];
      await this.#bounded(
        write.then(() => this.#o.command.eval(CLOSE, keys.length, ...keys, this.#o.reconnectWindowMs)),
      );
    }
    this.#end(reason);
  }

  /** The peer is done or dead, or the session is broken: nothing is left to keep. */
  async #terminate(reason: TransportError | undefined): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (reason !== undefined) this.#events.error(reason);
    if (this.#o.command.status === 'ready') {
      await this.#bounded(this.#o.command.del(...allKeys(this.#o.keys)));
    }
    this.#end(reason);
  }

  #end(reason: TransportError | undefined): void {
    clearInterval(this.#timer);
    this.#blocking?.disconnect();
    const queued = this.#queue;
    this.#queue = [];
    for (const item of queued) item.reject(closedError());
    this.#events.closed(reason);
    this.#markEnded();
  }

  async #bounded(work: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    } catch (error) {
      this.#events.error(toError(error));
    } finally {
      clearTimeout(timer);
    }
  }

  #enqueue(fields: string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ fields, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        queueMicrotask(() => {
          this.#flush();
        });
      }
    });
  }

  /**
   * Everything sent in this tick, in order, in one write. A lone message goes as a plain XADD (a
   * pipeline costs more than it saves for one command). The stream's TTL is set with the first
   * write, which may create the stream; after that the heartbeat refreshes it, off the hot path.
   */
  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    const command = this.#o.command;
    if (batch.length === 1 && this.#ttlSet) {
      const item = batch[0] as Pending;
      command.xadd(this.#out, '*', ...item.fields).then(
        () => {
          item.resolve();
        },
        (error: unknown) => {
          item.reject(writeError(error));
        },
      );
      return;
    }
    if (batch.length === 0) return;
    const p = command.pipeline();
    for (const item of batch) p.xadd(this.#out, '*', ...item.fields);
    if (!this.#ttlSet) p.pexpire(this.#out, this.#o.idleTimeoutMs);
    this.#ttlSet = true;
    p.exec().then(
      (results) => {
        for (let i = 0; i < batch.length; i++) {
          const item = batch[i] as Pending;
          const error = results?.[i]?.[0];
          if (error == null) item.resolve();
          else item.reject(writeError(error));
        }
      },
      (error: unknown) => {
        for (const item of batch) item.reject(writeError(error));
      },
    );
  }

  async #readLoop(blocking: RedisClient): Promise<void> {
    let attempt = 0;
    while (!this.#closed) {
      let result: [string, [string, string[]][]][] | null;
      try {
        result = await blocking.xread('COUNT', READ_COUNT, 'BLOCK', 0, 'STREAMS', this.#in, this.#lastId);
        attempt = 0;
      } catch (error) {
        // `closed` (a getter), not `#closed`: close() may have run while we awaited.
        if (this.closed) return;
        if (error instanceof Error && error.name === 'ReplyError') {
          // Redis refused the read itself (e.g. the key is not a stream): this session is broken.
          await this.#terminate(
            new TransportError(TransportErrorCode.Connection, `${TAG} cannot read ${this.#in}: ${error.message}`, {
              cause: error,
            }),
          );
          return;
        }
        // Connection trouble: ioredis reconnects; the heartbeat enforces reconnectWindowMs.
        await delay(reconnectDelay(attempt++, RETRY));
        continue;
      }
      if (result === null) continue;
      for (const [, entries] of result) {
        for (const [id, fields] of entries) {
          if (this.closed) return;
          this.#lastId = id;
          this.#entry(id, fields);
        }
      }
    }
  }

  #entry(id: string, fields: string[]): void {
    let seq: string | undefined;
    let data: string | undefined;
    let control: string | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const key = fields[i];
      if (key === 's') seq = fields[i + 1];
      else if (key === 'm') data = fields[i + 1];
      else if (key === 'c') control = fields[i + 1];
    }
    const s = seq === undefined ? Number.NaN : Number(seq);
    if (!Number.isSafeInteger(s)) {
      this.#events.error(invalidEntry(id, 'it has no sequence number "s"'));
      return;
    }
    // A resent XADD (after a reconnect) lands twice with the same `s`: deliver it once.
    if (s <= this.#lastSeq) return;
    this.#lastSeq = s;
    this.#active = true;
    if (control !== undefined) {
      // After the messages read before it: a goodbye in the same read must not cut them off.
      if (control === 'close') this.#delivery.after(() => this.#guard(this.#terminate(undefined)));
      else this.#delivery.after(() => this.#events.control(control, toMap(fields)));
      return;
    }
    if (data === undefined) {
      this.#events.error(invalidEntry(id, 'it has neither a message "m" nor a control "c" field'));
      return;
    }
    // UTF-8 takes at least one byte per UTF-16 unit and at most three: skip the count when we can.
    const max = this.#o.maxMessageBytes;
    if (data.length > max || (data.length * 3 > max && Buffer.byteLength(data) > max)) {
      this.#events.error(
        new TransportError(
          TransportErrorCode.MessageTooLarge,
          `${TAG} dropped entry ${id} of ${this.#in}: ${Buffer.byteLength(data)} bytes is over maxMessageBytes (${max})`,
        ),
      );
      return;
    }
    const decoded = decodeMessage(data);
    if (!decoded.ok) {
      this.#events.error(decoded.error);
      return;
    }
    this.#delivery.push(decoded.message, undefined);
  }

  #tick(): void {
    if (this.#closed || this.#tickBusy) return;
    const now = Date.now();
    if (this.#o.command.status !== 'ready' || this.#blocking?.status !== 'ready') {
      this.#downSince ??= now;
      if (now - this.#downSince > this.#o.reconnectWindowMs) {
        this.#guard(
          this.#terminate(
            new TransportError(
              TransportErrorCode.Connection,
              `${TAG} lost the connection to Redis for more than reconnectWindowMs (${this.#o.reconnectWindowMs} ms)`,
            ),
          ),
        );
      }
      return;
    }
    this.#downSince = undefined;
    if (this.#active) {
      this.#active = false;
      this.#lastActive = now;
    }
    const { keys, heartbeatMs, idleTimeoutMs } = this.#o;
    const p = this.#o.command.pipeline();
    p.set(this.#ownHb, '1', 'PX', heartbeatMs * 3);
    p.get(this.#peerHb);
    p.get(keys.owner);
    for (const key of [keys.c2s, keys.s2c, keys.owner]) p.pexpire(key, idleTimeoutMs);
    const trimTo = this.#lastId;
    if (trimTo !== this.#trimmedTo) p.xtrim(this.#in, 'MINID', trimTo);
    this.#tickBusy = true;
    p.exec()
      .then((results) => {
        this.#tickBusy = false;
        if (trimTo !== this.#trimmedTo && results?.[6]?.[0] == null) this.#trimmedTo = trimTo;
        this.#check(now, results?.[1]?.[1], results?.[2]?.[1]);
      })
      .catch((error: unknown) => {
        // A failed heartbeat is retried next beat; the reconnect window bounds how long.
        this.#tickBusy = false;
        this.#events.error(toError(error));
      });
  }

  #check(now: number, peerHb: unknown, owner: unknown): void {
    if (this.#closed || !this.#watching) return;
    const side = this.#o.side;
    if (owner === null || (side === 'server' && owner !== this.#o.workerId)) {
      this.#guard(
        this.#terminate(
          new TransportError(
            TransportErrorCode.Connection,
            `${TAG} the session's state is gone from Redis (it expired, or Redis restarted without persistence)`,
          ),
        ),
      );
      return;
    }
    if (peerHb === null) {
      if (side === 'client') {
        this.#guard(
          this.#terminate(
            new TransportError(
              TransportErrorCode.Connection,
              `${TAG} the worker serving this session stopped: no heartbeat for ${this.#o.heartbeatMs * 3} ms`,
            ),
          ),
        );
        return;
      }
      this.#peerAwaySince ??= now;
      if (now - this.#peerAwaySince > this.#o.reconnectWindowMs) {
        this.#guard(
          this.#terminate(
            new TransportError(
              TransportErrorCode.Connection,
              `${TAG} the client did not come back within reconnectWindowMs (${this.#o.reconnectWindowMs} ms)`,
            ),
          ),
        );
        return;
      }
    } else {
      this.#peerAwaySince = undefined;
    }
    if (side === 'server' && now - this.#lastActive > this.#o.idleTimeoutMs) {
      this.#guard(
        this.close(
          new TransportError(
            TransportErrorCode.Timeout,
            `${TAG} session idle for more than idleTimeoutMs (${this.#o.idleTimeoutMs} ms)`,
          ),
          'idle',
        ),
      );
    }
  }

  /**
   * Background work (the read loop, a close started by a heartbeat) has no caller to reject to: a
   * failure — a throwing user callback included — goes to `onerror` instead of becoming an
   * unhandled rejection.
   */
  #guard(work: Promise<void>): void {
    work.catch((error: unknown) => {
      this.#events.error(toError(error));
    });
  }
}

function toMap(fields: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] as string, fields[i + 1] as string);
  return map;
}

function invalidEntry(id: string, why: string): TransportError {
  return new TransportError(TransportErrorCode.InvalidMessage, `${TAG} skipped stream entry ${id}: ${why}`);
}

function closedError(): TransportError {
  return new TransportError(TransportErrorCode.Closed, `${TAG} transport closed before the message was written`);
}

function writeError(cause: unknown): TransportError {
  return new TransportError(
    TransportErrorCode.Connection,
    `${TAG} Redis did not store the message: ${toError(cause).message}`,
    {
      cause,
    },
  );
}
