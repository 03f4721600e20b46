/**
 * The server side of one Streamable HTTP session (or, in stateless mode, of every request): a
 * {@link Transport} the application connects an MCP server to. The listener owns the HTTP part
 * (validation, routing) and hands this transport the messages of each request; `send()` routes
 * each outgoing message to the stream of the request it answers or relates to, or to the GET
 * stream, and never broadcasts (SH-32).
 */
import {
  MemoryEventStore,
  toError,
  TransportError,
  TransportErrorCode,
  type EventStore,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
  type Transport,
  type TransportSendOptions,
} from '@mcp-transports/core';
import type { Exchange, HeaderMap, SseSink } from './_exchange.js';
import { SERVER_ERROR, SESSION_NOT_FOUND, sendError, sseData, sseEvent, TAG } from './_http.js';
import { SessionLifecycle } from './_lifecycle.js';

/** Where SSE sinks register so the listener's one heartbeat timer reaches them all. */
export interface SinkRegistry {
  add(sink: SseSink): void;
  delete(sink: SseSink): void;
}

/** @internal What the listener gives each session transport. */
export interface SessionInit {
  sessionId: string | undefined;
  eventStore: EventStore | undefined;
  enableJsonResponse: boolean;
  retryMs: number;
  /** Largest outgoing message, in UTF-8 bytes of its JSON. */
  maxMessageBytes: number;
  /** Stateless shared mode: many clients, one transport; request ids are made unique here. */
  rewriteIds: boolean;
  sinks: SinkRegistry;
  /** Stateless per-request mode: close once every request has its response. */
  closeWhenDone: boolean;
  onEnd: (transport: StreamableHTTPServerTransport) => void;
}

/** The responses and events of one POST. */
interface PostStream {
  /** Stream id in the event store ('' without one). */
  readonly id: string;
  sink: SseSink | undefined;
  /** JSON mode: the POST to answer, until answered. */
  json: Exchange | undefined;
  /** JSON mode: the response headers. */
  readonly headers: HeaderMap;
  /** Requests of this POST still waiting for their response. */
  pending: number;
  readonly batch: boolean;
  /** JSON mode, batch: the encoded responses so far. */
  responses: string[] | undefined;
}

interface PendingRequest {
  readonly stream: PostStream;
  /** The id the client used (differs from the key only in stateless shared mode). */
  readonly wireId: RequestId;
  /** Stateless shared mode: who sent it (the `authInfo` token), to route its cancellation. */
  readonly principal?: string | undefined;
}

/** Stored as an event so the priming event has an id; never replayed as a message. */
const PRIMING = {} as JSONRPCMessage;

function isResponse(message: JSONRPCMessage): boolean {
  return 'result' in message || 'error' in message;
}

/**
 * One session's server transport. Created by `StreamableHTTPListener` and handed to
 * `onconnection`; never constructed by applications.
 */
export class StreamableHTTPServerTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  readonly sessionId: string | undefined;
  /** Messages of a Streamable HTTP request are answered on that request's own stream. */
  readonly hasPerRequestStream = true;
  /** @internal When a request last touched this session (ms since epoch). */
  lastActivity: number = Date.now();
  /** @internal The principal that created the session (auth binding, SEC-4). */
  principal: string | undefined;
  /** @internal The protocol version negotiated at initialize. */
  protocolVersion: string | undefined;
  /** @internal Response headers (plain, SSE) cached by the listener. */
  headers: [HeaderMap, HeaderMap] | undefined;
  /** @internal Versions the connected server declared (SDK v2), checked on later requests. */
  supportedVersions: readonly string[] | undefined;

  readonly #life = new SessionLifecycle(this);
  readonly #init: SessionInit;
  readonly #store: EventStore | undefined;
  readonly #requests = new Map<RequestId, PendingRequest>();
  /** Open POST streams by event-store stream id (kept only with an event store, for resumption). */
  readonly #streams = new Map<string, PostStream>();
  /** Every stream id this session stored events under, forgotten when it ends. */
  readonly #storedStreams = new Set<string>();
  readonly #prefix: string;
  readonly #getStreamId: string;
  #get: SseSink | undefined;
  #streamSeq = 0;
  #nextId = 0;
  /** With an event store, sends are serialized so events are written in the order they were stored. */
  #chain: Promise<void> = Promise.resolve();

  /** @internal */
  constructor(init: SessionInit) {
    this.#init = init;
    this.sessionId = init.sessionId;
    this.#store = init.eventStore;
    // Stream ids name their session so a Last-Event-ID from another session is refused (SH-37),
    // with a random part so one session id being a prefix of another cannot matter.
    this.#prefix = `${crypto.randomUUID()}/`;
    this.#getStreamId = `${this.#prefix}GET`;
  }

  /** @internal Open SSE streams of this session (an idle session has none). */
  get openStreams(): number {
    let open = this.#get !== undefined && !this.#get.closed ? 1 : 0;
    for (const pending of this.#requests.values()) if (pending.stream.sink?.closed === false) open++;
    return open;
  }

  /** @internal */
  get closed(): boolean {
    return this.#life.state === 'closed';
  }

  start(): Promise<void> {
    return this.#life.start();
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.supportedVersions = versions;
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const response = isResponse(message);
    // Stateless shared mode: a response goes out under the id its client used; encoded once, so.
    const wireId =
      response && this.#init.rewriteIds ? this.#requests.get((message as { id: RequestId }).id)?.wireId : undefined;
    const outgoing = wireId === undefined ? message : ({ ...message, id: wireId } as JSONRPCMessage);
    const data = this.#life.encode(outgoing, this.#init.maxMessageBytes);
    if (typeof data !== 'string') return Promise.reject(data);
    let key: RequestId | undefined;
    if (response) {
      key = (message as { id?: RequestId }).id;
      if (key === undefined || !this.#requests.has(key)) {
        return Promise.reject(
          new TransportError(
            TransportErrorCode.InvalidMessage,
            `${TAG} no open request with id ${JSON.stringify(key ?? null)} to answer (a response can only go on its request's stream, SH-29)`,
          ),
        );
      }
    } else if (options?.relatedRequestId !== undefined && this.#requests.has(options.relatedRequestId)) {
      key = options.relatedRequestId;
    }
    if (this.#store === undefined) {
      try {
        this.#emit(message, data, key, response, undefined);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(toError(error));
      }
    }
    const store = this.#store;
    const run = this.#chain.then(async () => {
      const pending = key === undefined ? undefined : this.#requests.get(key);
      let streamId: string | undefined;
      if (pending === undefined) streamId = response ? undefined : this.#getStreamId;
      else if (pending.stream.json === undefined) streamId = pending.stream.id;
      // JSON mode: the response is the POST's body (not resumable); anything else goes on the GET stream.
      else streamId = response ? undefined : this.#getStreamId;
      let eventId: string | undefined;
      if (streamId !== undefined) {
        this.#storedStreams.add(streamId);
        eventId = await store.storeEvent(streamId, message);
      }
      this.#emit(message, data, key, response, eventId);
    });
    // The chain goes on after a failed send; the failure belongs to this send's caller.
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Writes one message where it belongs. Throws `TransportError` when it cannot be delivered. */
  #emit(
    message: JSONRPCMessage,
    data: string,
    key: RequestId | undefined,
    response: boolean,
    eventId: string | undefined,
  ): void {
    const pending = key === undefined ? undefined : this.#requests.get(key);
    if (pending === undefined) {
      if (response) throw new TransportError(TransportErrorCode.Closed, `${TAG} the request was already answered`);
      this.#emitGet(message, data, eventId);
      return;
    }
    const stream = pending.stream;
    if (stream.json !== undefined && !response) {
      // A JSON response carries exactly one body: related requests and notifications use the GET stream.
      this.#emitGet(message, data, eventId);
      return;
    }
    const out = data;
    if (response) {
      this.#requests.delete(key as RequestId);
      stream.pending--;
      if (this.#init.closeWhenDone && this.#requests.size === 0) queueMicrotask(() => void this.close());
    }
    if (stream.json !== undefined) {
      if (stream.batch) (stream.responses ??= []).push(out);
      if (stream.pending === 0) {
        const body = stream.batch ? `[${(stream.responses ?? []).join(',')}]` : out;
        stream.json.respond(200, stream.headers, body, 'application/json');
        stream.json = undefined;
      }
      return;
    }
    const text = sseData(out, eventId);
    const sink = stream.sink;
    if (response && stream.pending === 0) {
      // The last response ends the stream (SH-21).
      if (stream.id !== '') this.#streams.delete(stream.id);
      if (sink !== undefined && !sink.closed) {
        sink.end(text);
        this.#init.sinks.delete(sink);
        return;
      }
    } else if (sink !== undefined && !sink.closed) {
      sink.write(text);
      return;
    }
    // The client went away (SH-22: not a cancellation). With an event store the event waits for
    // a resumption; without one it is lost, and the sender is told.
    if (eventId !== undefined) return;
    throw new TransportError(
      TransportErrorCode.Connection,
      `${TAG} the client disconnected from the stream of request ${JSON.stringify(pending.wireId)}; enable resumability to keep its events`,
    );
  }

  #emitGet(message: JSONRPCMessage, data: string, eventId: string | undefined): void {
    const sink = this.#get;
    if (sink !== undefined && !sink.closed) {
      sink.write(sseData(data, eventId));
      return;
    }
    if (eventId !== undefined || !('id' in message)) {
      // Stored for a resumption, or a notification nobody listens for: the protocol lets it go.
      return;
    }
    throw new TransportError(
      TransportErrorCode.Connection,
      `${TAG} no stream to deliver a server request on: the client holds no GET stream (SH-25)`,
    );
  }

  /**
   * @internal A validated POST: delivers its messages and answers it (202, SSE or JSON).
   * `headers` are the response headers the listener chose (session id, CORS).
   */
  post(
    ex: Exchange,
    messages: readonly JSONRPCMessage[],
    batch: boolean,
    protocolVersion: string,
    headers: HeaderMap,
    sseHeaders: HeaderMap,
    base: MessageExtraInfo,
  ): void {
    this.lastActivity = Date.now();
    let requests = 0;
    for (const message of messages) {
      if ('method' in message && 'id' in message) {
        requests++;
        // JR-6: an id may not be reused while its request is open (would cross two responses).
        if (!this.#init.rewriteIds && this.#requests.has(message.id)) {
          sendError(
            ex,
            400,
            -32600,
            `request id ${JSON.stringify(message.id)} is already in use by an open request (JR-6)`,
            headers,
          );
          return;
        }
      }
    }
    if (requests === 0) {
      // Only notifications and responses: accepted, no body (SH-10).
      ex.respond(202, headers);
      for (const message of messages) {
        const delivered = this.#init.rewriteIds ? this.#routeCancel(message, base) : message;
        if (delivered !== undefined) this.#life.deliver(delivered, base);
      }
      if (this.#init.closeWhenDone && this.#requests.size === 0) queueMicrotask(() => void this.close());
      return;
    }
    const store = this.#store;
    const json = this.#init.enableJsonResponse;
    const stream: PostStream = {
      id: store === undefined || json ? '' : `${this.#prefix}${++this.#streamSeq}`,
      sink: undefined,
      json: json ? ex : undefined,
      headers,
      pending: requests,
      batch,
      responses: undefined,
    };
    if (!json) {
      const sink = ex.sse(sseHeaders);
      stream.sink = sink;
      this.#init.sinks.add(sink);
      sink.onabort = () => {
        this.#init.sinks.delete(sink);
        if (stream.sink === sink) stream.sink = undefined;
      };
      if (store !== undefined) {
        this.#streams.set(stream.id, stream);
        if (protocolVersion >= '2025-11-25') this.#prime(stream.id, sink);
      }
    }
    for (const message of messages) {
      let delivered = message;
      let extra = base;
      if ('method' in message && 'id' in message) {
        const wireId = message.id;
        let key: RequestId = wireId;
        if (this.#init.rewriteIds) {
          key = ++this.#nextId;
          delivered = { ...message, id: key };
        }
        this.#requests.set(key, { stream, wireId, principal: base.authInfo?.token });
        if (store !== undefined && !json) {
          extra = {
            ...base,
            closeSSEStream: () => this.#closeStream(stream),
            closeStandaloneSSEStream: () => this.#closeGet(),
          };
        }
      }
      if (this.#init.rewriteIds) {
        const routed = this.#routeCancel(delivered, extra);
        if (routed === undefined) continue;
        delivered = routed;
      }
      this.#life.deliver(delivered, extra);
    }
  }

  /**
   * Stateless shared mode: a client's `notifications/cancelled` names its own request id, which
   * was made unique inside. It is rewritten to the inside id when exactly one open request has that
   * wire id (from the same principal, when requests are authenticated); when none has, or several
   * clients have that id open, it is dropped — cancelling is advisory, and guessing could stop
   * another client's work.
   */
  #routeCancel(message: JSONRPCMessage, extra: MessageExtraInfo): JSONRPCMessage | undefined {
    if (!('method' in message) || 'id' in message || message.method !== 'notifications/cancelled') return message;
    const params = message.params as { requestId?: unknown } | undefined;
    const wireId = params?.requestId;
    const principal = extra.authInfo?.token;
    let match: RequestId | undefined;
    let matches = 0;
    for (const [key, pending] of this.#requests) {
      if (pending.wireId !== wireId || pending.principal !== principal) continue;
      match = key;
      matches++;
    }
    // None open: it raced its response, which is normal. Several: say why it was not delivered.
    if (matches === 0) return undefined;
    if (matches > 1) {
      this.onerror?.(
        new TransportError(
          TransportErrorCode.InvalidMessage,
          `${TAG} dropped notifications/cancelled for request ${JSON.stringify(wireId)}: ${matches} open requests from different clients have that id (stateless shared mode)`,
        ),
      );
      return undefined;
    }
    return { ...message, params: { ...params, requestId: match } };
  }

  /** The priming event (SH-14): an id to resume from, and how long to wait before reconnecting. */
  #prime(streamId: string, sink: SseSink): void {
    const store = this.#store as EventStore;
    const run = this.#chain.then(async () => {
      this.#storedStreams.add(streamId);
      const id = await store.storeEvent(streamId, PRIMING);
      sink.write(`id: ${id}\nretry: ${this.#init.retryMs}\ndata: \n\n`);
    });
    this.#chain = run.catch((error: unknown) => {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
    });
  }

  /** Server-side close of a POST stream without ending it: the client polls back (SH-15, SH-16). */
  #closeStream(stream: PostStream): void {
    // Queued behind the priming event and earlier sends, so the client has an id to resume from.
    this.#chain = this.#chain.then(() => {
      const sink = stream.sink;
      if (sink === undefined || sink.closed) return;
      stream.sink = undefined;
      this.#init.sinks.delete(sink);
      sink.end(`retry: ${this.#init.retryMs}\n\n`);
    });
  }

  #closeGet(): void {
    this.#chain = this.#chain.then(() => {
      const sink = this.#get;
      if (sink === undefined || sink.closed) return;
      this.#get = undefined;
      this.#init.sinks.delete(sink);
      sink.end(`retry: ${this.#init.retryMs}\n\n`);
    });
  }

  /** @internal A GET: the standalone stream (SH-25..SH-29), or a resumption with Last-Event-ID. */
  get(ex: Exchange, headers: HeaderMap, sseHeaders: HeaderMap, lastEventId: string | undefined): Promise<void> {
    this.lastActivity = Date.now();
    if (lastEventId !== undefined && this.#store !== undefined) {
      const run = this.#chain.then(() => this.#resume(ex, headers, sseHeaders, lastEventId));
      this.#chain = run.catch(() => undefined);
      return run;
    }
    if (this.#get !== undefined && !this.#get.closed) {
      sendError(ex, 409, SERVER_ERROR, 'only one GET stream is allowed per session', headers);
      return Promise.resolve();
    }
    this.#attachGet(ex.sse(sseHeaders));
    return Promise.resolve();
  }

  #attachGet(sink: SseSink): void {
    this.#get = sink;
    this.#init.sinks.add(sink);
    sink.onabort = () => {
      this.#init.sinks.delete(sink);
      if (this.#get === sink) this.#get = undefined;
    };
    sink.flush();
  }

  async #resume(ex: Exchange, headers: HeaderMap, sseHeaders: HeaderMap, lastEventId: string): Promise<void> {
    const store = this.#store as EventStore;
    const events: [string, JSONRPCMessage][] = [];
    let streamId: string;
    try {
      streamId = await store.replayEventsAfter(lastEventId, {
        send: (id, message) => {
          events.push([id, message]);
          return Promise.resolve();
        },
      });
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      sendError(ex, 400, SERVER_ERROR, `cannot resume from Last-Event-ID ${JSON.stringify(lastEventId)}`, headers);
      return;
    }
    if (!streamId.startsWith(this.#prefix)) {
      // Another session's event: never replay it here (SH-37); say no more than for an unknown id.
      sendError(ex, 400, SERVER_ERROR, `cannot resume from Last-Event-ID ${JSON.stringify(lastEventId)}`, headers);
      return;
    }
    const stream = this.#streams.get(streamId);
    const live = streamId === this.#getStreamId ? this.#get : stream?.sink;
    if (live !== undefined && !live.closed) {
      sendError(ex, 409, SERVER_ERROR, 'that stream is still connected', headers);
      return;
    }
    const sink = ex.sse(sseHeaders);
    sink.flush();
    for (const [id, message] of events) {
      if (message === PRIMING || !('jsonrpc' in message)) continue;
      sink.write(sseEvent(message, id));
    }
    if (streamId === this.#getStreamId) {
      this.#attachGet(sink);
    } else if (stream !== undefined) {
      stream.sink = sink;
      this.#init.sinks.add(sink);
      sink.onabort = () => {
        this.#init.sinks.delete(sink);
        if (stream.sink === sink) stream.sink = undefined;
      };
    } else {
      // The stream's response was already stored: the replay delivered everything.
      sink.end();
    }
  }

  close(): Promise<void> {
    if (!this.#life.close()) return Promise.resolve();
    const seen = new Set<PostStream>();
    for (const { stream } of this.#requests.values()) {
      if (seen.has(stream)) continue;
      seen.add(stream);
      if (stream.json !== undefined) {
        const body = `{"jsonrpc":"2.0","error":{"code":${SESSION_NOT_FOUND},"message":"${TAG} session ended"}}`;
        stream.json.respond(404, stream.headers, body, 'application/json');
        stream.json = undefined;
      }
      if (stream.sink !== undefined) {
        this.#init.sinks.delete(stream.sink);
        stream.sink.end();
      }
    }
    this.#requests.clear();
    this.#streams.clear();
    if (this.#get !== undefined) {
      this.#init.sinks.delete(this.#get);
      this.#get.end();
      this.#get = undefined;
    }
    // Core's MemoryEventStore can forget a stream; other stores keep their own retention.
    const store = this.#store;
    if (store instanceof MemoryEventStore) for (const id of this.#storedStreams) store.clearStream(id);
    this.#storedStreams.clear();
    this.#init.onEnd(this);
    this.onclose?.();
    return Promise.resolve();
  }
}
