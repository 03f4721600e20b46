/**
 * The client side: opens a session on a named endpoint and talks to whichever worker claims it.
 */
import {
  encodeMessage,
  TransportError,
  TransportErrorCode,
  toError,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type Transport,
  type TransportSendOptions,
} from '@mcp-transports/core';
import { Channel, parseCursor } from './_channel.js';
import { release, resolveConnection, waitReady, type Owned, type RedisConnection } from './_connection.js';
import {
  allKeys,
  connectKey,
  fieldOf,
  isSessionId,
  newSessionId,
  sessionKeys,
  TAG,
  type SessionKeys,
} from './_keys.js';
import { resolveSessionOptions, type SessionOptions } from './_options.js';

export interface RedisClientTransportOptions extends SessionOptions {
  /**
   * Where Redis is: an ioredis `Redis` or `Cluster` you already have (it is borrowed, never
   * closed; a `duplicate()` of it does the blocking reads), a `redis://` / `rediss://` URL, or
   * ioredis options.
   */
  redis: RedisConnection;
  /** The endpoint name the workers listen on (`RedisServerListener`'s `endpoint`). */
  endpoint: string;
  /**
   * The user this session belongs to; part of every session key (SEC-4). Give the id of the
   * authenticated principal, and a `token` the listener's `authenticate` checks it against.
   * @default 'anonymous'
   */
  user?: string;
  /** Credentials handed to the listener's `authenticate` hook. @default undefined */
  token?: string;
  /**
   * How long `start()` waits for Redis and then for a worker to claim the session.
   * @default 10_000
   */
  connectTimeoutMs?: number;
  /**
   * Continue an existing session (e.g. after the client process restarted) instead of opening
   * one: its `sessionId` and the `lastEventId` this transport exposed. Must happen within the
   * server's `reconnectWindowMs`; every message after `lastEventId` is delivered.
   * @default undefined
   */
  resume?: { sessionId: string; lastEventId: string } | undefined;
}

type State = 'new' | 'starting' | 'started' | 'closed';

/** Client side of MCP over Redis. */
export class RedisClientTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  /**
   * The session's id, for `resume`. Set from the first message sent or received (a resumed session:
   * at once), as the SDK's Client reads an id present right after `start()` as a reconnection.
   */
  sessionId?: string | undefined;

  readonly #options: RedisClientTransportOptions;
  #sessionId: string | undefined;
  readonly #session: ReturnType<typeof resolveSessionOptions>;
  #state: State = 'new';
  #connection: Owned | undefined;
  #channel: Channel | undefined;
  #closeReason: TransportError | undefined;
  #finished: Promise<void> = Promise.resolve();
  #hello: { resolve: () => void; reject: (error: TransportError) => void } | undefined;

  constructor(options: RedisClientTransportOptions) {
    this.#options = options;
    this.#session = resolveSessionOptions(options);
  }

  /** Where this session's reading stands (opaque): pass it as `resume.lastEventId`. */
  get lastEventId(): string | undefined {
    return this.#channel?.cursor;
  }

  /** Why the transport closed, when trouble closed it (a dead worker, Redis lost). */
  get closeReason(): TransportError | undefined {
    return this.#closeReason;
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') {
      throw new TransportError(
        this.#state === 'closed' ? TransportErrorCode.Closed : TransportErrorCode.AlreadyStarted,
        `${TAG} RedisClientTransport ${this.#state === 'closed' ? 'is closed' : "already started; the SDK's connect() calls start() for you"}`,
      );
    }
    this.#state = 'starting';
    const o = this.#options;
    const timeout = o.connectTimeoutMs ?? 10_000;
    const connection = resolveConnection(o.redis);
    this.#connection = connection;
    const redis = connection.client;
    let keys: SessionKeys | undefined;
    try {
      await waitReady(redis, timeout);
      const resume = o.resume;
      if (resume !== undefined && !isSessionId(resume.sessionId)) {
        throw new TransportError(TransportErrorCode.Refused, `${TAG} resume.sessionId is not a session id of ours`);
      }
      if (resume !== undefined && parseCursor(resume.lastEventId) === undefined) {
        throw new TransportError(
          TransportErrorCode.Refused,
          `${TAG} resume.lastEventId is not a lastEventId of ours: ${JSON.stringify(resume.lastEventId)}`,
        );
      }
      const sessionId = resume?.sessionId ?? newSessionId();
      keys = sessionKeys(this.#session.prefix, o.endpoint, o.user ?? 'anonymous', sessionId);
      let firstSeq = 1;
      if (resume === undefined) {
        const fields = ['sid', sessionId, 'u', o.user ?? 'anonymous'];
        if (o.token !== undefined) fields.push('t', o.token);
        await redis
          .pipeline()
          .set(keys.hbClient, '1', 'PX', this.#session.heartbeatMs * 3)
          .xadd(connectKey(this.#session.prefix, o.endpoint), '*', ...fields)
          .exec();
      } else {
        const [owner, last] = await Promise.all([
          redis.get(keys.owner),
          redis.xrevrange(keys.c2s, '+', '-', 'COUNT', 1),
        ]);
        if (owner === null) {
          throw new TransportError(
            TransportErrorCode.Connection,
            `${TAG} cannot resume session ${sessionId}: it is closed or expired (reconnectWindowMs passed?)`,
          );
        }
        const s = Number(fieldOf(last[0]?.[1] ?? [], 's') ?? 0);
        firstSeq = (Number.isSafeInteger(s) ? s : 0) + 1;
      }
      const hello = new Promise<void>((resolve, reject) => (this.#hello = { resolve, reject }));
      const channel = new Channel(
        {
          side: 'client',
          command: redis,
          keys,
          readAfter: resume?.lastEventId ?? '0',
          firstSeq,
          ...this.#session,
          connectTimeoutMs: timeout,
        },
        {
          message: (message) => {
            this.sessionId ??= this.#sessionId;
            this.onmessage?.(message);
          },
          control: (kind, fields) => {
            if (kind === 'hello') this.#hello?.resolve();
            else if (kind === 'refused') {
              this.#hello?.reject(
                new TransportError(
                  TransportErrorCode.Refused,
                  `${TAG} the server refused the session: ${fields.get('r') ?? 'no reason given'}`,
                ),
              );
            }
          },
          error: (error) => this.onerror?.(error),
          closed: (reason) => {
            this.#closeReason = reason;
            this.#hello?.reject(
              reason ?? new TransportError(TransportErrorCode.Closed, `${TAG} the session closed while starting`),
            );
            this.#finish();
          },
        },
      );
      this.#channel = channel;
      this.#sessionId = sessionId;
      // The SDK's Client.connect() reads a sessionId present right after start() as "reconnecting"
      // and skips initialize: expose a fresh session's id from its first message on, a resumed
      // one's at once (a resumed session is initialized already).
      if (resume !== undefined) this.sessionId = sessionId;
      await channel.open();
      if (resume === undefined) await this.#waitForWorker(hello, timeout, o.endpoint);
      if (!this.#isStarting()) {
        throw new TransportError(TransportErrorCode.Closed, `${TAG} close() was called while start() was connecting`);
      }
      channel.watchPeer();
      this.#hello = undefined;
      this.#state = 'started';
    } catch (error) {
      this.#state = 'closed';
      this.#hello = undefined;
      const channel = this.#channel;
      this.#channel = undefined;
      if (channel !== undefined && !channel.closed) await channel.close();
      if (keys !== undefined && redis.status === 'ready') await redis.del(...allKeys(keys));
      await release(connection);
      throw error;
    }
  }

  /** A method, not a field read: TypeScript would keep a narrowing of `#state` across awaits. */
  #isStarting(): boolean {
    return this.#state === 'starting';
  }

  async #waitForWorker(hello: Promise<void>, timeoutMs: number, endpoint: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new TransportError(
            TransportErrorCode.Timeout,
            `${TAG} no worker claimed the session within ${timeoutMs} ms: is a RedisServerListener running for endpoint "${endpoint}"?`,
          ),
        );
      }, timeoutMs);
    });
    try {
      await Promise.race([hello, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.#state !== 'started' || this.#channel === undefined) {
      return Promise.reject(
        this.#state === 'closed'
          ? new TransportError(TransportErrorCode.Closed, `${TAG} send() after close()`)
          : new TransportError(TransportErrorCode.NotStarted, `${TAG} send() before start()`),
      );
    }
    this.sessionId ??= this.#sessionId;
    return sendOn(this.#channel, message, this.#session.maxMessageBytes);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    if (this.#state !== 'started') {
      this.#state = 'closed';
      this.onclose?.();
      return;
    }
    await this.#channel?.close();
    await this.#finished;
  }

  #finish(): void {
    if (this.#state !== 'started') return;
    this.#state = 'closed';
    const connection = this.#connection;
    // Nobody may be awaiting this (the peer closed): a throwing onclose is reported, not leaked.
    this.#finished = (connection === undefined ? Promise.resolve() : release(connection))
      .then(() => this.onclose?.())
      .catch((error: unknown) => this.onerror?.(toError(error)));
  }
}

/** Encodes once, checks the size, hands the text to the channel. Never throws. */
export function sendOn(channel: Channel, message: JSONRPCMessage, max: number): Promise<void> {
  let json: string;
  try {
    json = encodeMessage(message);
  } catch (error) {
    return Promise.reject(toError(error));
  }
  // UTF-8 takes one to three bytes per UTF-16 unit: count only when it may matter, and natively
  // (core's portable utf8ByteLength is a JavaScript loop: 26–54 ms for 10 MB, more than the parse).
  if (json.length > max || (json.length * 3 > max && Buffer.byteLength(json) > max)) {
    return Promise.reject(
      new TransportError(
        TransportErrorCode.MessageTooLarge,
        `${TAG} message of ${Buffer.byteLength(json)} bytes is over maxMessageBytes (${max})`,
      ),
    );
  }
  return channel.send(json);
}
