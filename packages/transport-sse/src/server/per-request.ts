/**
 * The 2026-07-28 per-request transport: one POST, one {@link Transport}. It carries exactly one
 * client request (or notification) to the application, the notifications related to it back, and
 * the response, then closes. Nothing outlives the exchange, so any node can answer any request.
 */
import {
  INTERNAL_ERROR,
  TransportError,
  TransportErrorCode,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
  type Transport,
  type TransportSendOptions,
} from '@mcp-transports/core';
import type { Exchange, HeaderMap, SseSink } from './_exchange.js';
import { SSE_HEADERS, sseData, TAG } from './_http.js';
import { SessionLifecycle } from './_lifecycle.js';
import { statusOfEarlyError } from './_modern.js';
import type { SinkRegistry } from './session.js';

/** @internal What the listener gives each per-request transport. */
export interface PerRequestInit {
  ex: Exchange;
  message: JSONRPCMessage;
  extra: MessageExtraInfo;
  protocolVersion: string;
  /** Response headers the listener chose (CORS). */
  headers: HeaderMap;
  /** Answer with one JSON body only; related notifications are dropped. */
  json: boolean;
  maxMessageBytes: number;
  sinks: SinkRegistry;
  /** After this long without anything to send, the SSE stream opens so the client sees headers. */
  heartbeatMs: number;
  onEnd: (transport: PerRequestServerTransport) => void;
}

/**
 * The server side of one 2026-07-28 exchange. Created by `StreamableHTTPListener` and handed to
 * `onconnection`; never constructed by applications.
 *
 * - The response is one JSON body when the application answers before sending anything else, and
 *   an SSE stream (`X-Accel-Buffering: no`, M26-14) once it sends a related notification first.
 * - Only notifications related to the request (`relatedRequestId`) go on the stream (M26-13);
 *   unrelated ones are dropped, and server-to-client requests are refused (M26-4).
 * - The client closing the stream before the response is cancellation (M26-16): `signal` aborts,
 *   a `notifications/cancelled` for the request is delivered to `onmessage`, then the transport
 *   closes (`onclose`, which makes the SDKs abort their handlers). Nothing more is written.
 */
export class PerRequestServerTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  /** No sessions in the 2026-07-28 era. */
  readonly sessionId: undefined = undefined;
  readonly hasPerRequestStream = true;
  /** The request's protocol revision (from its `_meta`). */
  readonly protocolVersion: string;
  /** The era of the exchange, for applications that bind their server per era (SDK v2). */
  readonly era = 'modern' as const;
  /** The request id this exchange answers; `undefined` for a notification. */
  readonly requestId: RequestId | undefined;

  readonly #init: PerRequestInit;
  readonly #life = new SessionLifecycle(this);
  readonly #abort = new AbortController();
  #answered = false;
  #sink: SseSink | undefined;
  #inDispatch = false;
  #delivered = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @internal */
  constructor(init: PerRequestInit) {
    this.#init = init;
    this.protocolVersion = init.protocolVersion;
    const message = init.message;
    this.requestId = 'method' in message && 'id' in message ? message.id : undefined;
    if (this.requestId === undefined) return;
    init.ex.onGone(() => this.#gone());
    if (!init.json && init.heartbeatMs > 0) {
      this.#timer = setTimeout(() => this.#open(), init.heartbeatMs);
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  /** Aborts when the client closes the response stream before the response (M26-16). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** @internal */
  get closed(): boolean {
    return this.#life.state === 'closed';
  }

  start(): Promise<void> {
    // Messages delivered inside start() are in the dispatch window: an error the server answers
    // synchronously (method not found) is a protocol-level refusal with its own HTTP status.
    this.#inDispatch = true;
    let started: Promise<void>;
    try {
      started = this.#life.start();
    } finally {
      this.#inDispatch = false;
    }
    if (this.#delivered) this.#endNotification();
    return started;
  }

  /** @internal Hands the exchange's message to the application (held until `start()`). */
  deliver(): void {
    this.#inDispatch = true;
    try {
      this.#life.deliver(this.#init.message, this.#init.extra);
    } finally {
      this.#inDispatch = false;
    }
    this.#delivered = true;
    this.#endNotification();
  }

  /** A notification has no answer to wait for: the exchange ends once it is handed over. */
  #endNotification(): void {
    if (this.requestId === undefined && this.#life.state === 'started') queueMicrotask(() => void this.close());
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const data = this.#life.encode(message, this.#init.maxMessageBytes);
    if (typeof data !== 'string') return Promise.reject(data);
    if ('result' in message || 'error' in message) {
      if (this.#answered || message.id !== this.requestId || this.requestId === undefined) {
        return Promise.reject(
          new TransportError(
            TransportErrorCode.InvalidMessage,
            `${TAG} no open request with id ${JSON.stringify(message.id)} to answer on this exchange`,
          ),
        );
      }
      this.#answered = true;
      this.#clearTimer();
      const sink = this.#sink;
      if (sink === undefined) {
        const status = 'error' in message ? statusOfEarlyError(message.error.code, this.#inDispatch) : 200;
        this.#init.ex.respond(status, this.#init.headers, data, 'application/json');
      } else {
        this.#init.sinks.delete(sink);
        sink.end(sseData(data));
      }
      queueMicrotask(() => void this.close());
      return Promise.resolve();
    }
    if ('id' in message) {
      return Promise.reject(
        new TransportError(
          TransportErrorCode.InvalidMessage,
          `${TAG} protocol ${this.protocolVersion} has no server-to-client requests (M26-4); ${message.method} cannot be sent`,
        ),
      );
    }
    const related = options?.relatedRequestId;
    // Notifications belong to their request's stream only (M26-13); JSON answers carry none.
    if (this.#answered || this.requestId === undefined || related !== this.requestId || this.#init.json) {
      return Promise.resolve();
    }
    this.#open().write(sseData(data));
    return Promise.resolve();
  }

  #open(): SseSink {
    if (this.#sink !== undefined) return this.#sink;
    this.#clearTimer();
    const sink = this.#init.ex.sse({ ...SSE_HEADERS, ...this.#init.headers });
    this.#sink = sink;
    this.#init.sinks.add(sink);
    sink.onabort = () => this.#gone();
    sink.flush();
    return sink;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The client went away before the response: cancellation (M26-16). */
  #gone(): void {
    if (this.#answered || this.closed) return;
    this.#answered = true;
    const reason = 'the client closed the response stream (M26-16)';
    this.#abort.abort(new TransportError(TransportErrorCode.Connection, `${TAG} ${reason}`));
    if (this.#life.state === 'started') {
      this.#life.deliver(
        {
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: this.requestId as RequestId, reason },
        },
        this.#init.extra,
      );
    }
    void this.close();
  }

  close(): Promise<void> {
    if (!this.#life.close()) return Promise.resolve();
    this.#clearTimer();
    const sink = this.#sink;
    if (sink !== undefined) this.#init.sinks.delete(sink);
    if (!this.#answered && this.requestId !== undefined) {
      // Closed by the application without an answer: the client still gets one.
      this.#answered = true;
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: this.requestId,
        error: { code: INTERNAL_ERROR, message: `${TAG} the server closed the exchange without answering the request` },
      });
      if (sink === undefined) {
        this.#init.ex.respond(500, this.#init.headers, body, 'application/json');
      } else {
        sink.end(sseData(body));
      }
    } else if (sink !== undefined && !sink.closed) {
      sink.end();
    }
    this.#init.onEnd(this);
    this.onclose?.();
    return Promise.resolve();
  }
}
