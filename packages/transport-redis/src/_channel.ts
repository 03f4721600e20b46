/**
 * One session's two-way channel, shared by the client and the server transport. Each direction is
 * a Redis stream (the durable log) plus a pub/sub channel (live delivery), with exactly one writer
 * and one reader:
 *
 * - writing: per message, `XADD <out> * s <seq> m <json>` and `PUBLISH <out:live> <seq> <acked>
 *   <json>` (an announcement), on one connection, so Redis runs them in the order written and the
 *   channel's order is the stream's. Sends made in the same tick share one announcement and one
 *   pipeline; the announcement of small messages goes first, the XADDs right behind it. `s` is a
 *   per-writer sequence number: ioredis resends commands left unanswered by a dropped connection,
 *   so an entry (or announcement) may land twice, and the reader drops any `s` it has already
 *   seen — that is what makes delivery exactly-once, not just at-least-once.
 * - reading: SUBSCRIBE on a dedicated connection; each announcement with the next `s` is delivered
 *   at once — the latency of plain pub/sub, where re-issuing a blocking XREAD after every
 *   delivery cost a round trip more. Pub/sub loses what is published while the subscriber is
 *   away, so the stream fills every hole: whenever the subscription is (re)established, an
 *   announcement is a hint (control entries, large messages), `s` skips a number, or a heartbeat
 *   passes, the reader catches up with `XRANGE` from its last id, holding back the announcements
 *   that arrive meanwhile and dropping by `s` what it has delivered. Delivered entries are trimmed
 *   (`XTRIM MINID`) on the next heartbeat.
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

/** Messages longer than this (in UTF-16 units) are announced as a hint, read from the stream. */
const INLINE_CHARS = 256 * 1024;
/**
 * Entries read per XRANGE, and announcements held back during a catch-up: each buffer is bounded
 * by this × `maxMessageBytes` (announcements carry messages up to `INLINE_CHARS` only).
 */
const READ_COUNT = 64;
/** How long close() waits for its last writes before giving up on a Redis that is down. */
const CLOSE_WAIT_MS = 2000;
const RETRY = resolveReconnect({ initialDelayMs: 50, maxDelayMs: 1000 });
/** After a (re)subscription, the stream is read once more this much later (see {@link Channel.#subscribe}). */
const RESUBSCRIBE_SETTLE_MS = 250;
/** Entries of messages already announced are written to the stream together, this long after the first. */
const LOG_DELAY_MS = 5;
/** A reader that sees a hole waits this long before reading the stream: the entry may be on its way. */
const HOLE_WAIT_MS = 10;

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
  /** Reading starts after this cursor (see {@link Channel.cursor}; `'0'`: from the start). */
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
  readonly seq: number;
  /** A message's JSON: inline (announced with its text) up to `INLINE_CHARS`, else hinted. */
  readonly json: string | undefined;
  /** A control entry's fields after `s` (`c close r <note>`), when `json` is undefined. */
  readonly control: readonly string[] | undefined;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class Channel {
  readonly #o: ChannelOptions;
  readonly #events: ChannelEvents;
  readonly #in: string;
  readonly #out: string;
  readonly #liveIn: string;
  readonly #liveOut: string;
  readonly #ownHb: string;
  readonly #peerHb: string;
  #subscriber: RedisClient | undefined;
  #lastId: string;
  /** `#lastId` as numbers (milliseconds, sequence), for comparing ids. */
  #last: StreamId;
  /** The latest SUBSCRIBE: a catch-up reads the stream only once it is in force. */
  #subscribed: Promise<unknown> = Promise.resolve();
  /** A catch-up is running; announcements wait in `#held`. */
  #catching = false;
  /** Another catch-up pass is due (a resubscription, a hint, a hole, `#held` overflowed). */
  #catchUpDue = false;
  #held: string[] = [];
  #heldOverflow = false;
  /** Id of the latest entry Redis confirmed writing: announcements carry it (see {@link #announced}). */
  #acked = '-';
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
  /** Messages announced (their sends resolved or resolving) whose entries are still to be written. */
  #unlogged: Pending[] = [];
  #logTimer: NodeJS.Timeout | undefined;
  /** The next catch-up pass waits this long first (a hole: its entry may still be on its way). */
  #catchUpWait = 0;
  /** Catch-ups in a row that a hole started and that delivered nothing: each waits twice as long. */
  #holeRetries = 0;
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
    this.#liveIn = client ? options.keys.s2cLive : options.keys.c2sLive;
    this.#liveOut = client ? options.keys.c2sLive : options.keys.s2cLive;
    this.#ownHb = client ? options.keys.hbClient : options.keys.hbServer;
    this.#peerHb = client ? options.keys.hbServer : options.keys.hbClient;
    const [last, lastSeq] = parseCursor(options.readAfter) ?? [[0, 0] as const, -1];
    this.#last = last;
    this.#lastId = `${last[0]}-${last[1]}`;
    this.#lastSeq = lastSeq;
    this.#trimmedTo = this.#lastId;
    this.#seq = options.firstSeq;
    this.#watching = !client;
  }

  /**
   * Where a resumed client continues reading: `<id>.<s>`, an entry id at or before the last entry
   * delivered, and the last `s` delivered (entries after the id up to that `s` are skipped).
   */
  get cursor(): string {
    return this.#lastSeq < 0 ? this.#lastId : `${this.#lastId}.${this.#lastSeq}`;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Opens the subscribing connection, then reads and beats until closed. */
  async open(): Promise<void> {
    const subscriber = duplicateForBlocking(this.#o.command);
    this.#subscriber = subscriber;
    try {
      await waitReady(subscriber, this.#o.connectTimeoutMs);
    } catch (error) {
      subscriber.disconnect();
      // Closed while connecting (close() disconnected it): not a failure of start().
      if (this.closed) return;
      throw error;
    }
    if (this.closed) {
      subscriber.disconnect();
      return;
    }
    subscriber.on('message', (channel: string, payload: string) => {
      if (channel === this.#liveIn) this.#announced(payload);
    });
    // After a reconnect: whatever was published while away is only in the stream.
    subscriber.on('ready', () => {
      this.#subscribe(subscriber);
    });
    this.#subscribe(subscriber);
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
    return this.#enqueue(this.#seq++, json, undefined);
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
      const write = this.#enqueue(this.#seq++, undefined, ['c', 'close', 'r', note]);
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
    clearTimeout(this.#logTimer);
    this.#unlogged = [];
    this.#subscriber?.disconnect();
    this.#held = [];
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

  #enqueue(seq: number, json: string | undefined, control: readonly string[] | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ seq, json, control, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        queueMicrotask(() => {
          this.#flush();
        });
      }
    });
  }

  /**
   * Everything sent in this tick, in order, in two writes. Consecutive small messages form a run
   * (up to `INLINE_CHARS`): one stream entry (`s <first> n <count> m <json>\n<json>…`; `n` only
   * when there are several) and one announcement carrying the same text. A large message or a
   * control entry is an entry of its own, announced as a hint after it. The first write is the
   * announcement of the tick's first run; the second, one pipeline, every entry's `XADD` and the
   * later announcements. Measured (a bare echo on the medium): a PUBLISH, then the XADD in a write of
   * its own, 0.94–0.99x a plain pub/sub echo; the two in one pipeline 1.16–1.20x — Redis ran the
   * XADD and wrote its reply before the subscriber got the message. One entry per run rather than
   * per message is Redis's work for a burst cut to one XADD per tick.
   *
   * Everything goes down one connection, so Redis runs it in this order: an entry may be announced
   * just before it is in the stream, never after anything announced later — a catch-up started by
   * a later announcement finds it, and a catch-up that ran in between is followed by one. The
   * stream's TTL is set with the first write, which may create the stream; after that the
   * heartbeat refreshes it, off the hot path.
   */
  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    const acked = this.#acked;
    const command = this.#o.command;
    const lead = runAt(batch, 0);
    if (lead !== undefined && lead.end === batch.length && this.#ttlSet) {
      // The common case, a tick's sends all in one run: announced now, in a write of its own (the
      // sends resolve once Redis has taken it); the entry follows with the next log write.
      command.publish(this.#liveOut, `${lead.seq} ${acked} ${lead.json}`).then(
        () => {
          for (const one of batch) one.resolve();
        },
        (error: unknown) => {
          for (const one of batch) one.reject(writeError(error));
        },
      );
      for (const one of batch) this.#unlogged.push(one);
      this.#logTimer ??= setTimeout(this.#writeLog, LOG_DELAY_MS);
      return;
    }
    if (lead !== undefined) command.publish(this.#liveOut, `${lead.seq} ${acked} ${lead.json}`).catch(noop);
    const p = command.pipeline();
    // Entries of messages announced earlier go first: the stream keeps the order of `s`.
    this.#logInto(p);
    /** Per item of `batch`, the index of its entry's XADD reply in the pipeline's results. */
    const replies: number[] = [];
    let commands = p.length;
    for (let i = 0; i < batch.length;) {
      const run = i === 0 ? lead : runAt(batch, i);
      if (run === undefined) {
        // A control entry or a large message: its own entry, then a hint.
        const item = batch[i] as Pending;
        const seq = String(item.seq);
        p.xadd(this.#out, '*', 's', seq, ...(item.json === undefined ? (item.control ?? []) : ['m', item.json]));
        replies.push(commands++);
        p.publish(this.#liveOut, `${seq} ${acked}`);
        commands++;
        i++;
        continue;
      }
      p.xadd(this.#out, '*', ...run.fields);
      for (let k = i; k < run.end; k++) replies.push(commands);
      commands++;
      if (i !== 0) {
        p.publish(this.#liveOut, `${run.seq} ${acked} ${run.json}`);
        commands++;
      }
      i = run.end;
    }
    if (!this.#ttlSet) p.pexpire(this.#out, this.#o.idleTimeoutMs);
    this.#ttlSet = true;
    p.exec().then(
      (results) => {
        for (let i = 0; i < batch.length; i++) {
          const item = batch[i] as Pending;
          const [error, id] = results?.[replies[i] as number] ?? [new Error('no reply')];
          if (error == null) {
            if (typeof id === 'string') this.#acked = id;
            item.resolve();
          } else item.reject(writeError(error));
        }
      },
      (error: unknown) => {
        for (const item of batch) item.reject(writeError(error));
      },
    );
  }

  /**
   * Writes the entries of messages already announced, in runs, in one write. An XADD behind each
   * announcement was on every message's path: measured in place, round trip p50 1.16–1.22x raw
   * pub/sub with it, 1.08x with no XADD at all; written together 1 ms after the first, 1.14–1.15x;
   * 5 ms after, 1.07x. Those sends have resolved (Redis took the announcement): a failed write goes
   * to `onerror`.
   */
  readonly #writeLog = (): void => {
    this.#logTimer = undefined;
    if (this.#unlogged.length === 0 || this.#closed) return;
    const p = this.#o.command.pipeline();
    this.#logInto(p);
    p.exec().catch(noop);
  };

  /** Adds the XADDs of the entries not yet written to `p`, in runs; notes the ids Redis confirms. */
  #logInto(p: ReturnType<RedisClient['pipeline']>): void {
    const items = this.#unlogged;
    if (items.length === 0) return;
    this.#unlogged = [];
    clearTimeout(this.#logTimer);
    this.#logTimer = undefined;
    for (let i = 0; i < items.length;) {
      const run = runAt(items, i) as Run;
      p.xadd(this.#out, '*', ...run.fields, (error?: Error | null, id?: unknown) => {
        if (error != null) this.#events.error(writeError(error));
        else if (typeof id === 'string') this.#acked = id;
      });
      i = run.end;
    }
  }

  /** (Re)subscribes to the incoming channel, then catches up with the stream. */
  #subscribe(subscriber: RedisClient): void {
    if (this.closed) return;
    // Settles with the error instead of rejecting: the catch-up loop reads it when it gets there.
    this.#subscribed = subscriber.subscribe(this.#liveIn).catch((error: unknown) => toError(error));
    this.#catchUp();
    // A writer announces a run just before its XADD: a run announced before the subscription took
    // hold whose entry lands just after this pass reads is in neither. The next announcement's hole
    // or the next heartbeat would find it; a second pass a moment later does, sooner.
    void this.#subscribed.then(() => {
      setTimeout(() => {
        if (!this.#closed) this.#catchUp();
      }, RESUBSCRIBE_SETTLE_MS).unref();
    });
  }

  /** Reads the stream from the last delivered id (again, when a pass is running). */
  #catchUp(): void {
    this.#catchUpDue = true;
    if (this.#catching) return;
    this.#catching = true;
    this.#guard(this.#catchUpLoop());
  }

  /**
   * Reads every entry after the last delivered one, a page at a time, then hands over to the
   * announcements held meanwhile. A read that starts after the subscription is in force sees every
   * entry written before it; what is announced after it arrives as an announcement, and is held
   * until the read is done. An announcement whose entry was not written yet is held too, and shows
   * its hole again after the read if the entry is still missing. So nothing falls between the two,
   * and what both carry is dropped by `s`.
   */
  async #catchUpLoop(): Promise<void> {
    let attempt = 0;
    const before = this.#lastSeq;
    while (this.#catchUpDue) {
      this.#catchUpDue = false;
      if (this.#catchUpWait > 0) {
        const wait = this.#catchUpWait;
        this.#catchUpWait = 0;
        // Announcements that arrive meanwhile are held, as during any pass.
        await delay(wait);
        if (this.#isClosed()) return;
      }
      // What is held and not yet delivered stays held: its entry may not be in the stream yet (the
      // log follows the announcements); after the last pass it is replayed. What an earlier pass
      // delivered goes, so the room is there for what arrives during this one.
      if (this.#held.length > 0) this.#held = this.#held.filter((payload) => lastSeqOf(payload) > this.#lastSeq);
      this.#heldOverflow = false;
      const subscribed = await this.#subscribed;
      if (this.#isClosed()) return;
      if (subscribed instanceof Error && subscribed.name === 'ReplyError') {
        // Redis refused the subscription itself (an ACL without this channel): no live delivery.
        await this.#terminate(
          new TransportError(
            TransportErrorCode.Connection,
            `${TAG} cannot subscribe to ${this.#liveIn}: ${subscribed.message}`,
            { cause: subscribed },
          ),
        );
        return;
      }
      try {
        for (;;) {
          const [ms, seq] = this.#last;
          const entries = await this.#o.command.xrange(this.#in, `(${ms}-${seq}`, '+', 'COUNT', READ_COUNT);
          for (const [id, fields] of entries) {
            if (this.#isClosed()) return;
            const parsed = parseId(id);
            if (parsed === undefined || !after(parsed, this.#last)) continue;
            this.#lastId = id;
            this.#last = parsed;
            this.#entry(id, fields);
          }
          if (entries.length < READ_COUNT) break;
        }
        attempt = 0;
      } catch (error) {
        // A method, not a field read: close() may have run while we awaited.
        if (this.#isClosed()) return;
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
        this.#catchUpDue = true;
        await delay(reconnectDelay(attempt++, RETRY));
        continue;
      }
      // Announcements were dropped for want of room: they are in the stream, read them there.
      if (this.#overflowed()) this.#catchUpDue = true;
    }
    this.#catching = false;
    if (this.#isClosed()) return;
    if (this.#lastSeq > before) this.#holeRetries = 0;
    const held = this.#held;
    this.#held = [];
    for (const payload of held) this.#announced(payload);
  }

  /** Keeps an announcement that arrived during a catch-up, for after it (a bounded number). */
  #hold(payload: string): void {
    if (this.#held.length < READ_COUNT) this.#held.push(payload);
    else this.#heldOverflow = true;
  }

  /** Methods, not field reads: TypeScript would keep a narrowing of the fields across awaits. */
  #isClosed(): boolean {
    return this.#closed;
  }

  #overflowed(): boolean {
    return this.#heldOverflow;
  }

  /**
   * An announcement `<s> <acked> [<json>[\n<json>…]]` (see {@link #flush}): `<s>` is the sequence
   * number of its first entry (the others follow one by one), `<acked>` the id of an entry its
   * writer wrote earlier (or `-`), then the messages — none for a hint (a control entry, a large
   * message: read it from the stream). An entry's own id is unknown until Redis answers its
   * writer, so announcements carry an earlier one: a catch-up read starts there and skips by `s`
   * what was delivered already.
   */
  #announced(payload: string): void {
    if (this.closed) return;
    if (this.#catching) {
      this.#hold(payload);
      return;
    }
    const space = payload.indexOf(' ');
    const first = space < 0 ? Number.NaN : Number(payload.slice(0, space));
    const space2 = space < 0 ? -1 : payload.indexOf(' ', space + 1);
    if (space2 < 0 || !Number.isSafeInteger(first)) {
      // A hint (unless delivered already), or something not ours: the stream has it all.
      if (!(first <= this.#lastSeq)) this.#catchUp();
      return;
    }
    let seq = first;
    let start = space2 + 1;
    for (;;) {
      const newline = payload.indexOf('\n', start);
      // Delivered already (from the stream, or a resent write announced twice): skip.
      if (seq > this.#lastSeq) {
        // A hole in `s` (an entry written without an announcement, e.g. by an earlier version of
        // this package): the stream has it, and everything after it.
        if (this.#lastSeq >= 0 && seq > this.#lastSeq + 1) {
          // The missing entry may still be on its way (see #writeLog): read the stream a moment
          // later — longer each time the hole stays — and keep this announcement for after it.
          this.#catchUpWait = Math.min(HOLE_WAIT_MS * 2 ** this.#holeRetries, this.#o.heartbeatMs);
          this.#holeRetries++;
          this.#catchUp();
          this.#hold(payload);
          return;
        }
        this.#lastSeq = seq;
        this.#active = true;
        this.#deliver(newline < 0 ? payload.slice(start) : payload.slice(start, newline));
      }
      if (newline < 0) break;
      start = newline + 1;
      seq++;
    }
    const acked = parseId(payload.slice(space + 1, space2));
    if (acked !== undefined && after(acked, this.#last)) {
      this.#last = acked;
      this.#lastId = `${acked[0]}-${acked[1]}`;
    }
  }

  /** An entry read from the stream: a control entry, one message, or a run of `n` (see {@link #flush}). */
  #entry(id: string, fields: string[]): void {
    let seq: string | undefined;
    let data: string | undefined;
    let control: string | undefined;
    let n: string | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const key = fields[i];
      if (key === 's') seq = fields[i + 1];
      else if (key === 'm') data = fields[i + 1];
      else if (key === 'n') n = fields[i + 1];
      else if (key === 'c') control = fields[i + 1];
    }
    const s = seq === undefined ? Number.NaN : Number(seq);
    if (!Number.isSafeInteger(s)) {
      this.#events.error(invalidEntry(id, 'it has no sequence number "s"'));
      return;
    }
    const count = n === undefined ? 1 : Number(n);
    if (!Number.isSafeInteger(count) || count < 1) {
      this.#events.error(invalidEntry(id, `its message count "n" is not a positive integer`));
      return;
    }
    // A resent write (after a reconnect) lands twice with the same `s`: deliver it once.
    if (s + count - 1 <= this.#lastSeq) return;
    this.#active = true;
    if (control !== undefined) {
      this.#lastSeq = s;
      // After the messages read before it: a goodbye in the same read must not cut them off.
      if (control === 'close') this.#delivery.after(() => this.#guard(this.#terminate(undefined)));
      else this.#delivery.after(() => this.#events.control(control, toMap(fields)));
      return;
    }
    if (data === undefined) {
      this.#lastSeq = s + count - 1;
      this.#events.error(invalidEntry(id, 'it has neither a message "m" nor a control "c" field'));
      return;
    }
    if (count === 1) {
      this.#lastSeq = s;
      this.#deliver(data, id);
      return;
    }
    const texts = data.split('\n');
    if (texts.length !== count) {
      this.#lastSeq = s + count - 1;
      this.#events.error(invalidEntry(id, `it holds ${texts.length} messages, not n = ${count}`));
      return;
    }
    for (let k = 0; k < count; k++) {
      if (s + k <= this.#lastSeq) continue;
      this.#lastSeq = s + k;
      this.#deliver(texts[k] as string, id);
    }
  }

  #deliver(data: string, id?: string): void {
    // UTF-8 takes at least one byte per UTF-16 unit and at most three: skip the count when we can.
    const max = this.#o.maxMessageBytes;
    if (data.length > max || (data.length * 3 > max && Buffer.byteLength(data) > max)) {
      this.#events.error(
        new TransportError(
          TransportErrorCode.MessageTooLarge,
          `${TAG} dropped ${id === undefined ? 'a message' : `entry ${id}`} of ${this.#in}: ${Buffer.byteLength(data)} bytes is over maxMessageBytes (${max})`,
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
    if (this.#o.command.status !== 'ready' || this.#subscriber?.status !== 'ready') {
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
        // The safety net under the announcements: an entry that was written without one (by
        // someone else, or by an earlier version of this package) is read within a beat.
        if (!this.#closed && !this.#catching) this.#catchUp();
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

/** A stream id `<ms>-<seq>` as two numbers; ids compare as numbers, never as strings. */
type StreamId = readonly [number, number];

/** A run of small messages (see {@link Channel.#flush}): its entry's fields, its JSON, where it ends. */
interface Run {
  readonly seq: string;
  /** The messages' JSON joined by newlines (JSON.stringify never writes a raw newline). */
  readonly json: string;
  /** The entry's fields: `s <seq> [n <count>] m <json>`. */
  readonly fields: string[];
  /** Index in the batch after the run's last message. */
  readonly end: number;
}

/** The run starting at `batch[i]`, or `undefined` when that item is a control entry or a large message. */
function runAt(batch: readonly Pending[], i: number): Run | undefined {
  const first = batch[i] as Pending;
  let json = first.json;
  if (json === undefined || json.length > INLINE_CHARS) return undefined;
  let end = i + 1;
  for (; end < batch.length; end++) {
    const next = (batch[end] as Pending).json;
    if (next === undefined || json.length + next.length >= INLINE_CHARS) break;
    json += `\n${next}`;
  }
  const seq = String(first.seq);
  const count = end - i;
  const fields = count === 1 ? ['s', seq, 'm', json] : ['s', seq, 'n', String(count), 'm', json];
  return { seq, json, fields, end };
}

/**
 * The last sequence number an announcement covers (`<s>` plus one per newline after the header;
 * a hint covers `<s>` only), or `Infinity` when it is not ours to read (it is replayed as it is).
 */
function lastSeqOf(payload: string): number {
  const space = payload.indexOf(' ');
  const first = space < 0 ? Number.NaN : Number(payload.slice(0, space));
  if (!Number.isSafeInteger(first)) return Number.POSITIVE_INFINITY;
  const space2 = payload.indexOf(' ', space + 1);
  let last = first;
  if (space2 >= 0) for (let i = payload.indexOf('\n', space2); i >= 0; i = payload.indexOf('\n', i + 1)) last++;
  return last;
}

/** A failed announcement needs no handling: the entry's XADD reports the trouble, a reader finds the entry. */
function noop(): void {}

function parseId(id: string): StreamId | undefined {
  const dash = id.indexOf('-');
  const ms = Number(dash < 0 ? id : id.slice(0, dash));
  const seq = dash < 0 ? 0 : Number(id.slice(dash + 1));
  if (!Number.isSafeInteger(ms) || ms < 0 || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  return [ms, seq];
}

/** A {@link Channel.cursor}, or a plain entry id (as earlier versions exposed). */
export function parseCursor(cursor: string): [StreamId, number] | undefined {
  const dot = cursor.indexOf('.');
  const id = parseId(dot < 0 ? cursor : cursor.slice(0, dot));
  const seq = dot < 0 ? -1 : Number(cursor.slice(dot + 1));
  if (id === undefined || !Number.isSafeInteger(seq) || seq < -1) return undefined;
  return [id, seq];
}

function after(a: StreamId, b: StreamId): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
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
