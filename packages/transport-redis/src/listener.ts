/**
 * The server side: any number of worker processes run a `RedisServerListener` on the same
 * endpoint. New sessions arrive on the endpoint's connect stream, read through one consumer group,
 * so each is delivered to one worker; a Lua script then records that worker as the session's
 * owner (`SET NX`), so even a connect request delivered twice (reclaimed from a stalled worker)
 * is served by exactly one worker, for the session's whole life.
 */
import { hostname } from 'node:os';
import {
  TransportError,
  TransportErrorCode,
  toError,
  type AuthInfo,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type Transport,
  type TransportListener,
  type TransportSendOptions,
} from '@mcp-transports/core';
import { Channel } from './_channel.js';
import {
  delay,
  duplicateForBlocking,
  release,
  resolveConnection,
  waitReady,
  type Owned,
  type RedisClient,
  type RedisConnection,
} from './_connection.js';
import { connectKey, isSessionId, newSessionId, sessionKeys, TAG, type SessionKeys } from './_keys.js';
import { resolveSessionOptions, type ResolvedSessionOptions, type SessionOptions } from './_options.js';
import { sendOn } from './client.js';

const GROUP = 'workers';

/**
 * Claims a session atomically: refuses when the client is already gone (its heartbeat expired),
 * records the owner only if there is none, and greets the client on the server → client stream
 * (announced on its channel as a hint, see `_channel.ts`).
 * KEYS: owner, hb:client, s2c, hb:server. ARGV: workerId, key TTL ms, heartbeat TTL ms, s2c channel.
 */
const CLAIM = `
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
redis.call('SET', KEYS[4], '1', 'PX', ARGV[3])
local id = redis.call('XADD', KEYS[3], '*', 's', '0', 'c', 'hello', 'w', ARGV[1])
redis.call('PUBLISH', ARGV[4], '0 ' .. id)
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return 1
`;

/** What a client asked for when opening a session; handed to `authenticate`. */
export interface ConnectRequest {
  readonly sessionId: string;
  /** The user the client named; the session's keys are namespaced by it. */
  readonly user: string;
  /** The client's `token` option, if any. */
  readonly token: string | undefined;
}

export interface RedisServerListenerOptions extends SessionOptions {
  /** Where Redis is: an ioredis `Redis`/`Cluster` you own (never closed by us), a URL, or ioredis options. */
  redis: RedisConnection;
  /** The endpoint name clients connect to. */
  endpoint: string;
  /**
   * Decides whether a session may open. Return `AuthInfo` (delivered as `extra.authInfo` with
   * each message) to accept, `false` or throw to refuse (the client's `start()` rejects with
   * `ERR_REFUSED` and the thrown message). Check that `request.user` is the token's principal:
   * the user names the key namespace. @default accept everyone, no `authInfo`
   */
  authenticate?: ((request: ConnectRequest) => AuthInfo | false | Promise<AuthInfo | false>) | undefined;
  /** This worker's name in the consumer group and in owner keys. @default `<host>:<pid>:<random>` */
  workerId?: string;
  /** How long `listen()` waits for Redis. @default 10_000 */
  connectTimeoutMs?: number;
}

/** Serves one MCP endpoint from this process: one `RedisServerTransport` per claimed session. */
export class RedisServerListener implements TransportListener {
  onconnection?: ((transport: Transport) => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;

  readonly #options: RedisServerListenerOptions;
  readonly #session: ResolvedSessionOptions;
  readonly #queue: string;
  readonly #sessions = new Set<RedisServerTransport>();
  #connection: Owned | undefined;
  #blocking: RedisClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  #state: 'new' | 'listening' | 'closed' = 'new';
  /** This worker's id (consumer name and owner value). */
  readonly workerId: string;

  constructor(options: RedisServerListenerOptions) {
    this.#options = options;
    this.#session = resolveSessionOptions(options);
    this.#queue = connectKey(this.#session.prefix, options.endpoint);
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${newSessionId().slice(0, 8)}`;
  }

  /** Sessions this worker serves right now. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Joins the endpoint's consumer group and starts taking sessions. Set `onconnection` first. */
  async listen(): Promise<void> {
    if (this.#state !== 'new') {
      throw new TransportError(TransportErrorCode.AlreadyStarted, `${TAG} listen() called twice`);
    }
    this.#state = 'listening';
    const timeout = this.#options.connectTimeoutMs ?? 10_000;
    const connection = resolveConnection(this.#options.redis);
    this.#connection = connection;
    try {
      await waitReady(connection.client, timeout);
      await this.#ensureGroup();
      const blocking = duplicateForBlocking(connection.client);
      this.#blocking = blocking;
      await waitReady(blocking, timeout);
      void this.#readLoop(blocking);
    } catch (error) {
      this.#state = 'closed';
      this.#blocking?.disconnect();
      await release(connection);
      throw error;
    }
    this.#timer = setInterval(() => {
      void this.#reclaim();
    }, this.#session.heartbeatMs);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const wasListening = this.#state === 'listening';
    this.#state = 'closed';
    clearInterval(this.#timer);
    this.#blocking?.disconnect();
    await Promise.all([...this.#sessions].map((session) => session.close()));
    const connection = this.#connection;
    if (!wasListening || connection === undefined) return;
    if (connection.client.status === 'ready') {
      try {
        await connection.client.xgroup('DELCONSUMER', this.#queue, GROUP, this.workerId);
      } catch (error) {
        this.onerror?.(toError(error));
      }
    }
    await release(connection);
  }

  /** A method, not a field read: TypeScript would keep a narrowing of `#state` across awaits. */
  #listening(): boolean {
    return this.#state === 'listening';
  }

  async #ensureGroup(): Promise<void> {
    const redis = (this.#connection as Owned).client;
    try {
      // From `0`, not `$`: a client may have asked before any worker was up.
      await redis.xgroup('CREATE', this.#queue, GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
    }
  }

  async #readLoop(blocking: RedisClient): Promise<void> {
    let attempt = 0;
    while (this.#state === 'listening') {
      let result: [string, [string, string[]][]][] | null;
      try {
        result = (await blocking.xreadgroup(
          'GROUP',
          GROUP,
          this.workerId,
          'COUNT',
          16,
          'BLOCK',
          0,
          'STREAMS',
          this.#queue,
          '>',
        )) as [string, [string, string[]][]][] | null;
        attempt = 0;
      } catch (error) {
        if (!this.#listening()) return;
        if (error instanceof Error && error.message.startsWith('NOGROUP')) {
          // Redis restarted without persistence (or someone deleted the queue): rejoin.
          try {
            await this.#ensureGroup();
            continue;
          } catch (again) {
            this.onerror?.(toError(again));
          }
        } else {
          this.onerror?.(toError(error));
        }
        await delay(Math.min(1000, 50 * 2 ** Math.min(attempt++, 5)));
        continue;
      }
      for (const [, entries] of result ?? []) {
        for (const [id, fields] of entries) {
          this.#accept(id, fields).catch((error: unknown) => this.onerror?.(toError(error)));
        }
      }
    }
  }

  /** Takes over connect requests left pending by a worker that died before claiming them. */
  async #reclaim(): Promise<void> {
    const redis = this.#connection?.client;
    if (this.#state !== 'listening' || redis?.status !== 'ready') return;
    try {
      const [, entries] = (await redis.xautoclaim(
        this.#queue,
        GROUP,
        this.workerId,
        this.#session.heartbeatMs * 3,
        '0-0',
        'COUNT',
        16,
      )) as [string, [string, string[] | null][]];
      for (const [id, fields] of entries) {
        // A null entry was deleted after delivery: only the pending record is left to clear.
        await this.#accept(id, fields ?? []);
      }
    } catch (error) {
      this.onerror?.(toError(error));
    }
  }

  async #accept(id: string, fields: string[]): Promise<void> {
    const redis = (this.#connection as Owned).client;
    const done = () => redis.pipeline().xack(this.#queue, GROUP, id).xdel(this.#queue, id).exec();
    const f = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] as string, fields[i + 1] as string);
    const sessionId = f.get('sid');
    const user = f.get('u');
    if (!isSessionId(sessionId) || user === undefined) {
      if (fields.length > 0) {
        this.onerror?.(
          new TransportError(TransportErrorCode.InvalidMessage, `${TAG} skipped connect request ${id}: no valid sid/u`),
        );
      }
      await done();
      return;
    }
    const keys = sessionKeys(this.#session.prefix, this.#options.endpoint, user, sessionId);
    let authInfo: AuthInfo | undefined;
    const authenticate = this.#options.authenticate;
    if (authenticate !== undefined) {
      let refusal: string | undefined;
      try {
        const result = await authenticate({ sessionId, user, token: f.get('t') });
        if (result === false) refusal = 'authentication failed';
        else authInfo = result;
      } catch (error) {
        refusal = toError(error).message;
      }
      if (refusal !== undefined) {
        await redis
          .pipeline()
          .xadd(keys.s2c, '*', 's', '0', 'c', 'refused', 'r', refusal)
          .publish(keys.s2cLive, '0 -') // a hint: read the stream (see _channel.ts)
          .pexpire(keys.s2c, this.#session.reconnectWindowMs)
          .exec();
        await done();
        return;
      }
    }
    const claimed = await redis.eval(
      CLAIM,
      4,
      keys.owner,
      keys.hbClient,
      keys.s2c,
      keys.hbServer,
      this.workerId,
      this.#session.idleTimeoutMs,
      this.#session.heartbeatMs * 3,
      keys.s2cLive,
    );
    await done();
    if (claimed !== 1) return;
    if (this.#state !== 'listening') {
      await redis.del(keys.owner, keys.hbServer, keys.s2c);
      return;
    }
    const transport = new RedisServerTransport(redis, keys, sessionId, this.workerId, this.#session, authInfo);
    this.#sessions.add(transport);
    transport.onListenerClose = () => this.#sessions.delete(transport);
    if (this.onconnection === undefined) {
      this.onerror?.(new Error(`${TAG} a session arrived but no onconnection handler is set; closing it`));
      await transport.close();
      return;
    }
    this.onconnection(transport);
  }
}

/** Server side of one session. Created by {@link RedisServerListener}; hand it to `McpServer.connect()`. */
export class RedisServerTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  readonly sessionId: string;
  /** The principal `authenticate` returned for this session. */
  readonly authInfo: AuthInfo | undefined;
  /** @internal */
  onListenerClose: (() => void) | undefined;

  readonly #channel: Channel;
  readonly #max: number;
  readonly #extra: MessageExtraInfo | undefined;
  #state: 'new' | 'started' | 'closed' = 'new';
  #closeReason: TransportError | undefined;

  /** @internal Sessions come from {@link RedisServerListener}. */
  constructor(
    redis: RedisClient,
    keys: SessionKeys,
    sessionId: string,
    workerId: string,
    options: ResolvedSessionOptions,
    authInfo: AuthInfo | undefined,
  ) {
    this.sessionId = sessionId;
    this.authInfo = authInfo;
    this.#max = options.maxMessageBytes;
    this.#extra = authInfo === undefined ? undefined : { authInfo };
    this.#channel = new Channel(
      {
        side: 'server',
        command: redis,
        keys,
        readAfter: '0',
        firstSeq: 1,
        ...options,
        connectTimeoutMs: 10_000,
        workerId,
      },
      {
        message: (message) => this.onmessage?.(message, this.#extra),
        control: () => undefined,
        error: (error) => this.onerror?.(error),
        closed: (reason) => {
          this.#closeReason = reason;
          this.#state = 'closed';
          this.onListenerClose?.();
          this.onclose?.();
        },
      },
    );
  }

  /** Why the session ended, when trouble or idleness ended it. */
  get closeReason(): TransportError | undefined {
    return this.#closeReason;
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') {
      throw new TransportError(
        this.#state === 'closed' ? TransportErrorCode.Closed : TransportErrorCode.AlreadyStarted,
        `${TAG} RedisServerTransport ${this.#state === 'closed' ? 'is closed' : "already started; the SDK's connect() calls start() for you"}`,
      );
    }
    this.#state = 'started';
    await this.#channel.open();
  }

  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.#state !== 'started') {
      return Promise.reject(
        this.#state === 'closed'
          ? new TransportError(TransportErrorCode.Closed, `${TAG} send() after close()`)
          : new TransportError(TransportErrorCode.NotStarted, `${TAG} send() before start()`),
      );
    }
    return sendOn(this.#channel, message, this.#max);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    // Never started or not: the client is told either way.
    await this.#channel.close();
  }
}
