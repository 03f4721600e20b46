/**
 * The deprecated HTTP+SSE client (MCP 2024-11-05): a GET opens an SSE stream whose first event,
 * `endpoint`, names the URL to POST messages to (LS-5, LS-6); server messages arrive as `message`
 * events (LS-7). There is no resumption in this revision: when the stream ends the transport closes.
 */
import {
  decodeMessage,
  MessageDelivery,
  toError,
  TransportError,
  TransportErrorCode,
  type JSONRPCMessage,
  type Transport,
  type TransportSendOptions,
} from '@mcp-transports/core';
import { TAG, tooLarge, type HttpRequester, type HttpResponse } from './_http.js';
import {
  alreadyStartedError,
  baseHeaders,
  closedError,
  DEFAULT_MAX_BYTES,
  InFlight,
  notStartedError,
  requestWithAuth,
  statusError,
  type HttpClientOptions,
} from './_options.js';
import { SseParser } from './_sse-parser.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: Error) => void;
}

/** `Promise.withResolvers()`, which Node 20 lacks. */
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Options of the legacy client: the shared HTTP options (headers, auth, fetch, size limit). */
export type SSEClientTransportOptions = HttpClientOptions;

export class SSEClient implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;

  readonly #url: URL;
  readonly #http: HttpRequester;
  readonly #options: SSEClientTransportOptions;
  readonly #baseHeaders: Record<string, string>;
  readonly #maxBytes: number;
  readonly #inflight = new InFlight();
  #started = false;
  #closed = false;
  #endpoint: URL | undefined;
  #protocolVersion: string | undefined;

  constructor(url: string | URL, options: SSEClientTransportOptions, http: HttpRequester) {
    this.#url = new URL(url);
    this.#http = http;
    this.#options = options;
    this.#baseHeaders = baseHeaders(options);
    this.#maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_BYTES;
  }

  /** The URL messages are POSTed to, once the server's `endpoint` event arrived. */
  get endpoint(): URL | undefined {
    return this.#endpoint;
  }

  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
  }

  /** Opens the SSE stream and waits for the `endpoint` event (LS-5). */
  async start(): Promise<void> {
    if (this.#started) throw alreadyStartedError('SSEClientTransport');
    if (this.#closed) throw closedError('start()');
    this.#started = true;
    const hold = this.#inflight.hold();
    let response: HttpResponse;
    try {
      response = await requestWithAuth(
        this.#http,
        this.#options,
        { method: 'GET', url: this.#url, signal: hold.signal },
        () => this.#headers({ accept: 'text/event-stream' }),
      );
    } catch (error) {
      hold.release();
      throw this.#wrap(error, 'GET');
    }
    const type = (response.header('content-type') ?? '').toLowerCase();
    if (response.status !== 200 || !type.startsWith('text/event-stream')) {
      hold.release();
      throw await statusError(response, 'GET', this.#url);
    }
    const endpoint = deferred<URL>();
    void this.#consume(response, hold.release, endpoint);
    try {
      this.#endpoint = await endpoint.promise;
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!this.#started || this.#endpoint === undefined) throw notStartedError();
    if (this.#closed) throw closedError('send()');
    const hold = this.#inflight.hold(options?.requestSignal);
    try {
      const response = await requestWithAuth(
        this.#http,
        this.#options,
        { method: 'POST', url: this.#endpoint, body: JSON.stringify(message), signal: hold.signal },
        () => this.#headers({ 'content-type': 'application/json', ...options?.headers }),
      );
      if (response.status < 200 || response.status >= 300) throw await statusError(response, 'POST', this.#endpoint);
      await response.dump();
    } catch (error) {
      throw this.#wrap(error, 'POST', options?.requestSignal);
    } finally {
      hold.release();
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#inflight.abortAll(closedError('request aborted by close()'));
    this.onclose?.();
    return Promise.resolve();
  }

  async #consume(response: HttpResponse, release: () => void, endpoint: Deferred<URL>): Promise<void> {
    // An object, not a `let`: TypeScript does not see assignments made inside the parser callback.
    const state = { gotEndpoint: false };
    const delivery = new MessageDelivery(
      (message) => this.onmessage?.(message),
      (error) => this.onerror?.(toError(error)),
    );
    const parser = new SseParser({
      maxEventBytes: this.#maxBytes,
      onEvent: (event) => {
        if (event.event === 'endpoint') {
          if (state.gotEndpoint) return;
          state.gotEndpoint = true;
          let url: URL;
          try {
            url = new URL(event.data, this.#url);
          } catch (error) {
            endpoint.reject(this.#refused(`the endpoint event "${event.data}" is not a URL`, error));
            return;
          }
          // The POST target must stay on the origin we connected to: a hostile or confused server
          // must not make us send the session's messages elsewhere.
          if (url.origin !== this.#url.origin) {
            endpoint.reject(this.#refused(`the endpoint ${url.origin} is not on the origin ${this.#url.origin}`));
            return;
          }
          endpoint.resolve(url);
          return;
        }
        if (event.event !== 'message') return;
        const decoded = decodeMessage(event.data);
        if (!decoded.ok) {
          this.onerror?.(decoded.error);
          return;
        }
        // In order; a progress notification in the same chunk as its result reaches the SDK first.
        delivery.push(decoded.message, undefined);
      },
      onOversize: () => this.onerror?.(tooLarge(this.#maxBytes, 'SSE event')),
    });
    let failure: unknown;
    try {
      for await (const chunk of response.chunks()) {
        parser.push(chunk);
        if (this.#closed) break;
      }
      parser.end();
    } catch (error) {
      failure = error;
    } finally {
      release();
    }
    const reason = new TransportError(
      TransportErrorCode.Connection,
      `${TAG} the SSE stream of ${this.#url.href} ended${failure === undefined ? '' : `: ${toError(failure).message}`}`,
      failure === undefined ? {} : { cause: failure },
    );
    if (!state.gotEndpoint) {
      endpoint.reject(reason);
      return;
    }
    // The 2024-11-05 transport has no resumption: the session is over.
    if (!this.#closed) {
      this.onerror?.(reason);
      await this.close();
    }
  }

  #headers(extra: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = { ...this.#baseHeaders };
    if (this.#protocolVersion !== undefined) headers['mcp-protocol-version'] = this.#protocolVersion;
    return Object.assign(headers, extra);
  }

  #refused(message: string, cause?: unknown): TransportError {
    return new TransportError(TransportErrorCode.Refused, `${TAG} ${message}`, cause === undefined ? {} : { cause });
  }

  #wrap(error: unknown, method: string, signal?: AbortSignal): Error {
    if (this.#closed) return closedError(`${method} aborted`);
    if (signal?.aborted === true) return toError(signal.reason);
    if (error instanceof TransportError) return error;
    const cause = toError(error);
    return new TransportError(
      TransportErrorCode.Connection,
      `${TAG} ${method} ${this.#url.href} failed: ${cause.message}`,
      {
        cause,
      },
    );
  }
}
