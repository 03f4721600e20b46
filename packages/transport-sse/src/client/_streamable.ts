/**
 * The Streamable HTTP client (MCP 2025-03-26 … 2025-11-25, and 2026-07-28 per message), on any
 * {@link HttpRequester}: the Node entry gives it undici, the browser entry `fetch`. No Node imports here.
 *
 * The era is decided per message, not per connection: a message whose `params._meta` claims a
 * 2026-07-28+ protocol version (the SDK v2 Client stamps every request of a modern connection and
 * its `server/discover` probe), or any message after `setProtocolVersion()` named such a version,
 * is sent stateless (no session id, request metadata headers, no resumption). Everything else keeps
 * the 2025 behaviour byte for byte.
 */
import {
  MessageDelivery,
  createErrorResponse,
  decodeBatch,
  decodeMessage,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResponse,
  reconnectDelay,
  resolveReconnect,
  toError,
  TransportError,
  TransportErrorCode,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type ReconnectOptions,
  type RequestId,
  type Transport,
  type TransportSendOptions,
} from '@mcp-transports/core';
import { TAG, tooLarge, type HttpRequester, type HttpResponse } from './_http.js';
import {
  alreadyStartedError,
  baseHeaders,
  closedError,
  DEFAULT_MAX_BYTES,
  HTTPStatusError,
  InFlight,
  notStartedError,
  requestWithAuth,
  statusError,
  type HttpClientOptions,
} from './_options.js';
import { envelopeVersion, isModernVersion, modernHeaders, RESERVED_HEADERS } from './_modern.js';
import { SseParser } from './_sse-parser.js';

/** The SDK's `reconnectionOptions`, mapped onto {@link ReconnectOptions} (the growth factor is always 2). */
export interface StreamableHTTPReconnectionOptions {
  /** → `reconnect.maxDelayMs`. */
  maxReconnectionDelay?: number;
  /** → `reconnect.initialDelayMs`. */
  initialReconnectionDelay?: number;
  /** Ignored: the backoff doubles (with full jitter), as core's policy does for every transport. */
  reconnectionDelayGrowFactor?: number;
  /** → `reconnect.maxAttempts`. */
  maxRetries?: number;
}

export interface StreamableHTTPClientTransportOptions extends HttpClientOptions {
  /** Resume an existing session: sent as `Mcp-Session-Id` from the first request. */
  sessionId?: string | undefined;
  /** The protocol version to send as `MCP-Protocol-Version` until `setProtocolVersion()` is called. */
  protocolVersion?: string | undefined;
  /**
   * Reconnection of dropped SSE streams (resumed with `Last-Event-ID`): exponential backoff with
   * full jitter; a server `retry:` field overrides the delay. When the budget is spent the
   * transport closes (`onerror` gets the reason first). `false` turns reconnection off.
   * @default { maxAttempts: 10, initialDelayMs: 250, maxDelayMs: 30_000 }
   */
  reconnect?: ReconnectOptions | false | undefined;
  /** The SDK's reconnection option, for drop-in compatibility; `reconnect` wins when both are set. */
  reconnectionOptions?: StreamableHTTPReconnectionOptions | undefined;
  /**
   * On 404 for a request that carried a session id (the session expired or the server restarted),
   * replay the `initialize` request and `initialized` notification to get a new session, then
   * retry the request once (SH-46).
   * @default true
   */
  reinitializeOnExpiry?: boolean | undefined;
  /**
   * Open the standalone GET SSE stream once initialized, for server-initiated messages (SH-25).
   * A 405 answer is fine: the server has no such stream.
   * @default true
   */
  openGetStream?: boolean | undefined;
}

interface StreamContext {
  kind: 'post' | 'get';
  /** Session generation the stream belongs to; a re-initialize ends the older ones. */
  generation: number;
  lastEventId: string;
  retryMs?: number | undefined;
  /** The id given to a resumed response (the SDK's `replayMessageId`). */
  replayId?: RequestId | undefined;
  /** The stream has delivered something since it was (re)opened. */
  connected: boolean;
  onresumptiontoken?: ((token: string) => void) | undefined;
  onRequestStreamEnd?: (() => void) | undefined;
  requestSignal?: AbortSignal | undefined;
  /** A 2026-07-28 request stream: never resumed; ending without a response fails the request (M26-15). */
  modernId?: RequestId | undefined;
}

/** JSON-RPC code for a request the transport had to fail (the stream broke, HTTP refused it). */
const INTERNAL_ERROR = -32603;
/** JSON-RPC code for a 2026-07-28 request refused with HTTP 4xx and no JSON-RPC error body. */
const INVALID_REQUEST = -32600;

const ACCEPT_BOTH = 'application/json, text/event-stream';

function isInitialize(message: JSONRPCMessage): message is JSONRPCRequest {
  return isJSONRPCRequest(message) && message.method === 'initialize';
}

function isInitialized(message: JSONRPCMessage): message is JSONRPCNotification {
  return isJSONRPCNotification(message) && message.method === 'notifications/initialized';
}

function mapReconnect(options: StreamableHTTPClientTransportOptions): ReconnectOptions | false | undefined {
  if (options.reconnect !== undefined) return options.reconnect;
  const sdk = options.reconnectionOptions;
  if (sdk === undefined) return undefined;
  return {
    ...(sdk.maxRetries === undefined ? {} : { maxAttempts: sdk.maxRetries }),
    ...(sdk.initialReconnectionDelay === undefined ? {} : { initialDelayMs: sdk.initialReconnectionDelay }),
    ...(sdk.maxReconnectionDelay === undefined ? {} : { maxDelayMs: sdk.maxReconnectionDelay }),
  };
}

export class StreamableHTTPClient implements Transport {
  /** One HTTP request per outgoing message: `requestSignal` in send options is honoured. */
  readonly hasPerRequestStream = true;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;

  readonly #url: URL;
  readonly #http: HttpRequester;
  readonly #options: StreamableHTTPClientTransportOptions;
  readonly #baseHeaders: Record<string, string>;
  readonly #maxBytes: number;
  readonly #reconnect: Required<ReconnectOptions>;
  readonly #inflight = new InFlight();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #delivery = new MessageDelivery(
    (message) => this.onmessage?.(message),
    (error) => this.#report(toError(error)),
  );
  #started = false;
  #closed = false;
  #closeReason: Error | undefined;
  #sessionId: string | undefined;
  #protocolVersion: string | undefined;
  #initialize: JSONRPCRequest | undefined;
  #initialized: JSONRPCNotification | undefined;
  #reinit: Promise<void> | undefined;
  #generation = 0;
  #getActive = false;
  #getAbort: (() => void) | undefined;

  constructor(url: string | URL, options: StreamableHTTPClientTransportOptions, http: HttpRequester) {
    this.#url = new URL(url);
    this.#http = http;
    this.#options = options;
    this.#baseHeaders = baseHeaders(options);
    this.#maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_BYTES;
    this.#reconnect = resolveReconnect(mapReconnect(options));
    this.#sessionId = options.sessionId;
    this.#protocolVersion = options.protocolVersion;
  }

  /** The session id the server assigned (SH-39), sent on every later request (SH-43). */
  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  /** The negotiated protocol version, sent as `MCP-Protocol-Version` (SH-49). */
  get protocolVersion(): string | undefined {
    return this.#protocolVersion;
  }

  /** Why the transport closed itself (reconnect budget spent, re-initialize refused), if it did. */
  get closeReason(): Error | undefined {
    return this.#closeReason;
  }

  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
  }

  start(): Promise<void> {
    if (this.#started) return Promise.reject(alreadyStartedError('StreamableHTTPClientTransport'));
    if (this.#closed) return Promise.reject(closedError('start()'));
    this.#started = true;
    return Promise.resolve();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!this.#started) throw notStartedError();
    if (this.#closed) throw closedError('send()');
    if (options?.resumptionToken !== undefined) {
      if (this.#isModern(message)) throw noResumption();
      await this.#resume(
        {
          kind: 'post',
          generation: this.#generation,
          lastEventId: options.resumptionToken,
          replayId: isJSONRPCRequest(message) ? message.id : undefined,
          connected: false,
          onresumptiontoken: options.onresumptiontoken,
          onRequestStreamEnd: options.onRequestStreamEnd,
          requestSignal: options.requestSignal,
        },
        0,
      );
      return;
    }
    if (isJSONRPCResponse(message) && isModernVersion(this.#protocolVersion)) {
      // M26-12: in 2026-07-28 servers send no requests, so a client has nothing to answer.
      throw new TransportError(
        TransportErrorCode.InvalidMessage,
        `${TAG} a 2026-07-28 client must not send JSON-RPC responses (M26-12)`,
      );
    }
    if (isInitialize(message)) this.#initialize = message;
    else if (isInitialized(message)) this.#initialized = message;
    await this.#post(message, options);
  }

  /** Resumes a stream from an event id (the SDK's `resumeStream`): a GET with `Last-Event-ID`. */
  async resumeStream(lastEventId: string, options?: { onresumptiontoken?: (token: string) => void }): Promise<void> {
    if (!this.#started) throw notStartedError();
    if (this.#closed) throw closedError('resumeStream()');
    if (isModernVersion(this.#protocolVersion)) throw noResumption();
    await this.#resume(
      {
        kind: 'post',
        generation: this.#generation,
        lastEventId,
        connected: false,
        onresumptiontoken: options?.onresumptiontoken,
      },
      0,
    );
  }

  /** Ends the session with an HTTP DELETE (SH-47); a 405 (the server does not allow it) is fine (SH-48). */
  async terminateSession(): Promise<void> {
    const sessionId = this.#sessionId;
    if (sessionId === undefined) return;
    if (this.#closed) throw closedError('terminateSession()');
    this.#generation++;
    this.#getAbort?.();
    this.#getActive = false;
    const hold = this.#inflight.hold();
    try {
      const response = await this.#fetch('DELETE', {}, undefined, hold.signal);
      if (response.status !== 405 && response.status !== 404 && (response.status < 200 || response.status >= 300)) {
        throw await this.#statusError(response, 'DELETE');
      }
      await response.dump();
      this.#sessionId = undefined;
    } catch (error) {
      throw this.#wrap(error, 'DELETE');
    } finally {
      hold.release();
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#inflight.abortAll(closedError('request aborted by close()'));
    this.onclose?.();
    return Promise.resolve();
  }

  // -- POST --------------------------------------------------------------------------------

  async #post(message: JSONRPCMessage, options: TransportSendOptions | undefined, mayReinit = true): Promise<void> {
    const version = envelopeVersion(message) ?? this.#protocolVersion;
    const modern = isModernVersion(version);
    // 2026-07-28 has no session (M26-1): none is sent, none is adopted, none can expire.
    const sentSession = modern ? undefined : this.#sessionId;
    const signal = options?.requestSignal;
    const hold = signal === undefined ? this.#inflight.shared : this.#inflight.hold(signal);
    let handedOver = false;
    let expired = false;
    try {
      const extra: Record<string, string> = { accept: ACCEPT_BOTH, 'content-type': 'application/json' };
      if (options?.headers !== undefined) Object.assign(extra, callerHeaders(options.headers));
      // M26-12, M26-17, M26-20: the request metadata headers, derived from the body on every POST.
      if (modern && version !== undefined) Object.assign(extra, modernHeaders(message, version));
      const response = await this.#fetch('POST', extra, JSON.stringify(message), hold.signal, modern);
      const sessionId = response.header('mcp-session-id');
      if (sessionId !== undefined && !modern) this.#sessionId = sessionId;
      const { status } = response;
      if (status === 202) {
        await response.dump();
        if (isInitialized(message)) this.#startGetStream();
        return;
      }
      if (
        status === 404 &&
        mayReinit &&
        sentSession !== undefined &&
        this.#options.reinitializeOnExpiry !== false &&
        this.#initialize !== undefined &&
        !isInitialize(message)
      ) {
        await response.dump();
        expired = true;
      } else if (modern && isJSONRPCRequest(message) && status >= 400 && status < 500 && !PASS_THROUGH.has(status)) {
        // A 2026-07-28 refusal (−32020, −32022, −32601 …, M26-17..19): the request's answer.
        this.#deliver(await this.#refusal(response, message.id));
      } else if (status < 200 || status >= 300) {
        throw await this.#statusError(response, 'POST');
      } else {
        const type = (response.header('content-type') ?? '').toLowerCase();
        if (type.startsWith('text/event-stream')) {
          handedOver = true;
          void this.#consume(
            response,
            {
              kind: 'post',
              generation: this.#generation,
              lastEventId: '',
              connected: true,
              onresumptiontoken: options?.onresumptiontoken,
              onRequestStreamEnd: options?.onRequestStreamEnd,
              requestSignal: options?.requestSignal,
              modernId: modern && isJSONRPCRequest(message) ? message.id : undefined,
            },
            hold.release,
            0,
          );
          return;
        }
        if (type.startsWith('application/json')) {
          const decoded = decodeBatch(await response.text(this.#maxBytes), { allowBatch: true });
          if (!decoded.ok) throw decoded.error;
          for (const reply of decoded.messages) this.#deliver(reply);
          return;
        }
        await response.dump();
        if (isJSONRPCRequest(message)) {
          throw new TransportError(
            TransportErrorCode.InvalidMessage,
            `${TAG} the server answered a request with Content-Type "${type}"; expected application/json or text/event-stream (SH-12)`,
          );
        }
      }
    } catch (error) {
      throw this.#wrap(error, 'POST', options?.requestSignal);
    } finally {
      if (!handedOver) {
        hold.release();
        if (!expired && options?.requestSignal?.aborted !== true) options?.onRequestStreamEnd?.();
      }
    }
    if (!expired) return;
    // The session is gone (SH-45): start a new one and send the message again, once (SH-46).
    try {
      await this.#reinitialize(sentSession);
    } catch (error) {
      throw this.#wrap(error, 'POST initialize');
    }
    await this.#post(message, options, false);
  }

  // -- SSE streams -------------------------------------------------------------------------

  /** Reads one SSE stream to its end, then resumes it when it ended before its time. Never rejects. */
  async #consume(response: HttpResponse, ctx: StreamContext, release: () => void, attempt: number): Promise<void> {
    // An object, not a `let`: TypeScript does not see assignments made inside the parser callbacks.
    const seen = { response: false };
    let failure: unknown;
    const parser = new SseParser({
      maxEventBytes: this.#maxBytes,
      onEvent: (event) => {
        ctx.connected = true;
        // Only `message` events carry JSON-RPC; an empty data field is a priming event (SH-14).
        if (event.event !== 'message' || event.data === '') return;
        const decoded = decodeMessage(event.data);
        if (!decoded.ok) {
          this.#report(decoded.error);
          return;
        }
        let message = decoded.message;
        if (isJSONRPCResponse(message)) {
          seen.response = true;
          if (ctx.replayId !== undefined) message = { ...message, id: ctx.replayId };
        }
        this.#deliver(message);
      },
      onRetry: (ms) => {
        ctx.retryMs = ms;
      },
      onLastEventId: (id) => {
        ctx.lastEventId = id;
        ctx.connected = true;
        ctx.onresumptiontoken?.(id);
      },
      onOversize: () => this.#report(tooLarge(this.#maxBytes, 'SSE event')),
    });
    parser.lastEventId = ctx.lastEventId;
    try {
      for await (const chunk of response.chunks()) {
        parser.push(chunk);
        if (this.#closed || ctx.generation !== this.#generation) break;
      }
      parser.end();
    } catch (error) {
      failure = error;
    } finally {
      release();
    }
    if (this.#closed || ctx.requestSignal?.aborted === true) return;
    if (ctx.modernId !== undefined) {
      // M26-15: no Last-Event-ID resumption in 2026-07-28. The request is lost; fail it now rather
      // than leave the caller to its timeout. Re-issuing it (with a new id) is the caller's call.
      if (!seen.response)
        this.#failRequest(
          ctx.modernId,
          lostResponse('2026-07-28 streams cannot be resumed (M26-15): re-issue the request with a new id', failure),
        );
      ctx.onRequestStreamEnd?.();
      return;
    }
    if (ctx.generation !== this.#generation) {
      if (ctx.kind === 'get') return;
      if (!seen.response) this.#report(lostResponse('the session was re-initialized', failure));
      ctx.onRequestStreamEnd?.();
      return;
    }
    if (ctx.kind === 'post' && seen.response) {
      ctx.onRequestStreamEnd?.();
      return;
    }
    if (ctx.kind === 'post' && ctx.lastEventId === '') {
      this.#report(lostResponse('the server sent no event id, so it cannot be resumed', failure));
      ctx.onRequestStreamEnd?.();
      return;
    }
    // Ended before its time: resume with Last-Event-ID (SH-35, SH-38), or poll (SH-15).
    if (ctx.kind === 'get') this.#getAbort = undefined;
    this.#scheduleResume(ctx, ctx.connected ? 0 : attempt + 1, failure);
  }

  #scheduleResume(ctx: StreamContext, attempt: number, cause: unknown): void {
    if (this.#closed) return;
    if (attempt >= this.#reconnect.maxAttempts) {
      const reason = cause === undefined ? 'the stream ended' : toError(cause).message;
      this.#fail(
        new TransportError(
          TransportErrorCode.Connection,
          `${TAG} gave up reconnecting the SSE stream after ${attempt} attempt(s): ${reason}`,
          { cause },
        ),
      );
      return;
    }
    // SH-17: a server `retry:` wins over the computed backoff.
    const delay = reconnectDelay(attempt, this.#reconnect, ctx.retryMs);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#resume(ctx, attempt);
    }, delay);
    this.#timers.add(timer);
  }

  /** Opens (or re-opens) an SSE stream with GET. Never rejects: failures are retried within budget. */
  async #resume(ctx: StreamContext, attempt: number): Promise<void> {
    if (this.#closed || (ctx.kind === 'get' && ctx.generation !== this.#generation)) return;
    ctx.connected = false;
    const sentSession = this.#sessionId;
    const hold = this.#inflight.hold(ctx.requestSignal);
    let response: HttpResponse;
    try {
      response = await this.#fetch(
        'GET',
        ctx.lastEventId === ''
          ? { accept: 'text/event-stream' }
          : { accept: 'text/event-stream', 'last-event-id': ctx.lastEventId },
        undefined,
        hold.signal,
      );
    } catch (error) {
      hold.release();
      if (this.#isClosed() || ctx.requestSignal?.aborted === true) return;
      this.#scheduleResume(ctx, attempt + 1, error);
      return;
    }
    const type = (response.header('content-type') ?? '').toLowerCase();
    if (response.status === 200 && type.startsWith('text/event-stream')) {
      if (ctx.kind === 'get') this.#getAbort = hold.abort;
      void this.#consume(response, ctx, hold.release, attempt);
      return;
    }
    const error = await this.#statusError(response, 'GET');
    hold.release();
    if (ctx.kind === 'get' && response.status === 405) {
      // SH-27: the server offers no standalone stream. Not an error.
      this.#getActive = false;
      return;
    }
    if (response.status === 404 && sentSession !== undefined && this.#options.reinitializeOnExpiry !== false) {
      // The session is gone (expired, or the server restarted): start a new one (SH-46), which
      // opens a new GET stream; a resumed response stream of the old session is lost.
      if (ctx.kind === 'get') this.#getActive = false;
      else this.#report(lostResponse('the session expired', error));
      try {
        await this.#reinitialize(sentSession);
      } catch (reinitError) {
        this.#fail(this.#wrap(reinitError, 'POST'));
      }
      return;
    }
    if (ctx.kind === 'get' && attempt === 0 && response.status >= 400 && response.status < 500) {
      // The very first GET was refused for a reason retrying will not fix.
      this.#getActive = false;
      this.#report(error);
      return;
    }
    this.#scheduleResume(ctx, attempt + 1, error);
  }

  #startGetStream(): void {
    if (this.#options.openGetStream === false || this.#getActive || this.#closed) return;
    this.#getActive = true;
    void this.#resume({ kind: 'get', generation: this.#generation, lastEventId: '', connected: false }, 0);
  }

  // -- session expiry ----------------------------------------------------------------------

  /** Replays `initialize` + `initialized` for a new session; concurrent callers share one attempt. */
  #reinitialize(expired: string | undefined): Promise<void> {
    if (this.#reinit !== undefined) return this.#reinit;
    if (this.#sessionId !== expired) return Promise.resolve();
    const initialize = this.#initialize;
    if (initialize === undefined) return Promise.reject(closedError('re-initialize'));
    this.#reinit = this.#replayInitialize(initialize).finally(() => {
      this.#reinit = undefined;
    });
    return this.#reinit;
  }

  async #replayInitialize(initialize: JSONRPCRequest): Promise<void> {
    this.#generation++;
    this.#getAbort?.();
    this.#getAbort = undefined;
    this.#getActive = false;
    this.#sessionId = undefined;
    const hold = this.#inflight.hold();
    try {
      const response = await this.#fetch(
        'POST',
        { accept: ACCEPT_BOTH, 'content-type': 'application/json' },
        JSON.stringify(initialize),
        hold.signal,
      );
      if (response.status < 200 || response.status >= 300) throw await this.#statusError(response, 'POST initialize');
      this.#sessionId = response.header('mcp-session-id');
      // The SDK's Client already has its initialize result: this one is checked, not delivered.
      const result = await this.#readResponse(response, initialize.id);
      if (result === undefined || !('result' in result)) {
        throw new TransportError(TransportErrorCode.Refused, `${TAG} the server refused to re-initialize the session`);
      }
    } finally {
      hold.release();
    }
    if (this.#initialized !== undefined) await this.#post(this.#initialized, undefined, false);
  }

  /** The response with `id` from a JSON or SSE body. */
  async #readResponse(response: HttpResponse, id: RequestId): Promise<JSONRPCMessage | undefined> {
    const type = (response.header('content-type') ?? '').toLowerCase();
    if (type.startsWith('application/json')) {
      const decoded = decodeBatch(await response.text(this.#maxBytes), { allowBatch: true });
      if (!decoded.ok) throw decoded.error;
      return decoded.messages.find((m) => isJSONRPCResponse(m) && m.id === id);
    }
    let found: JSONRPCMessage | undefined;
    const parser = new SseParser({
      maxEventBytes: this.#maxBytes,
      onEvent: (event) => {
        if (event.event !== 'message' || event.data === '') return;
        const decoded = decodeMessage(event.data);
        if (decoded.ok && isJSONRPCResponse(decoded.message) && decoded.message.id === id) found = decoded.message;
      },
    });
    for await (const chunk of response.chunks()) {
      parser.push(chunk);
      if (found !== undefined) break;
    }
    return found;
  }

  // -- plumbing ----------------------------------------------------------------------------

  #fetch(
    method: 'GET' | 'POST' | 'DELETE',
    extra: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
    modern = false,
  ): Promise<HttpResponse> {
    return requestWithAuth(this.#http, this.#options, { method, url: this.#url, body, signal }, () =>
      this.#headers(extra, modern),
    );
  }

  #headers(extra: Record<string, string>, modern: boolean): Record<string, string> {
    const headers: Record<string, string> = { ...this.#baseHeaders };
    if (this.#sessionId !== undefined && !modern) headers['mcp-session-id'] = this.#sessionId;
    if (this.#protocolVersion !== undefined) headers['mcp-protocol-version'] = this.#protocolVersion;
    return Object.assign(headers, extra);
  }

  /** Whether `message` goes out in the 2026-07-28 era. */
  #isModern(message: JSONRPCMessage): boolean {
    return isModernVersion(envelopeVersion(message) ?? this.#protocolVersion);
  }

  /**
   * The answer to a 2026-07-28 request refused with HTTP 4xx: the JSON-RPC error in the body (its
   * id is the request's, or null when the server could not read one), else an error of our own
   * naming the status. Either way the caller's request settles — and an SDK v2 Client probing with
   * `server/discover` reads any such answer as "not a 2026 server" and falls back (M26-10).
   */
  async #refusal(response: HttpResponse, id: RequestId): Promise<JSONRPCMessage> {
    let text = '';
    try {
      text = await response.text(REFUSAL_BYTES);
    } catch {
      // Unreadable or too long: the status alone answers.
    }
    const decoded = text === '' ? undefined : decodeMessage(text);
    if (decoded?.ok === true && isJSONRPCResponse(decoded.message) && 'error' in decoded.message) {
      const sent = (decoded.message as { id?: RequestId | null }).id;
      if (sent === undefined || sent === null || sent === id) return { ...decoded.message, id };
    }
    return createErrorResponse(
      INVALID_REQUEST,
      `${TAG} POST ${this.#url.href} answered HTTP ${response.status}${text === '' ? '' : `: ${text.trim().slice(0, 200)}`}`,
      id,
      { httpStatus: response.status },
    );
  }

  /** Settles a request the transport cannot complete, and tells `onerror` why. */
  #failRequest(id: RequestId, error: TransportError): void {
    this.#report(error);
    this.#deliver(createErrorResponse(INTERNAL_ERROR, error.message, id, { transportError: error.code }));
  }

  #statusError(response: HttpResponse, method: string): Promise<HTTPStatusError> {
    return statusError(response, method, this.#url);
  }

  #wrap(error: unknown, method: string, signal?: AbortSignal): Error {
    if (this.#closed) return closedError(`${method} aborted`);
    // Aborted by the caller: their reason, untouched.
    if (signal?.aborted === true) return toError(signal.reason);
    if (error instanceof TransportError) return error;
    const cause = toError(error);
    if (cause.name === 'AbortError' || cause.name === 'TimeoutError') return cause;
    return new TransportError(
      TransportErrorCode.Connection,
      `${TAG} ${method} ${this.#url.href} failed: ${cause.message}`,
      {
        cause,
      },
    );
  }

  /** `#closed`, read through a call: TypeScript would keep its narrowing across an `await`. */
  #isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Every incoming message goes through core's `MessageDelivery`: in order, and a progress
   * notification parsed in the same chunk as its result reaches the SDK's handler first (the SDK
   * runs notification handlers a microtask late but settles a response at once). A throwing
   * handler is reported and must not kill the stream the next message arrives on.
   */
  #deliver(message: JSONRPCMessage): void {
    this.#delivery.push(message, undefined);
  }

  #report(error: Error): void {
    this.onerror?.(error);
  }

  /** Fatal: report the reason, then close. */
  #fail(error: Error): void {
    if (this.#closed) return;
    this.#closeReason = error;
    this.#report(error);
    void this.close();
  }
}

function lostResponse(why: string, cause: unknown): TransportError {
  return new TransportError(
    TransportErrorCode.Connection,
    `${TAG} a response stream ended before its response, and ${why}`,
    cause === undefined ? {} : { cause },
  );
}

/** A caller's per-request headers, lower-cased, minus the ones the transport derives ({@link RESERVED_HEADERS}). */
function callerHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!RESERVED_HEADERS.has(lower)) result[lower] = value;
  }
  return result;
}

/** Statuses a 2026-07-28 request still throws for: auth (the SDK's auth flow) and size. */
const PASS_THROUGH: ReadonlySet<number> = new Set([401, 403, 413]);
/** How much of a refusal body is read for its JSON-RPC error. */
const REFUSAL_BYTES = 64 * 1024;

function noResumption(): TransportError {
  return new TransportError(
    TransportErrorCode.InvalidMessage,
    `${TAG} 2026-07-28 has no stream resumption (M26-15): re-issue the request with a new id instead`,
  );
}
