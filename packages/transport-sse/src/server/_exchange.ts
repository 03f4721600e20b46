/**
 * One HTTP request/response, whatever carried it: a Node `(req, res)` pair or a Web `Request`
 * answered with a `Response`. The protocol code in the listener is written once against this
 * shape; each adapter stays thin so the Node path never builds Web `Request` objects (the SDK's
 * Node transport converts every request, which is most of its overhead).
 *
 * SSE responses are lazy for one turn of the event loop: when the first event comes that soon, the
 * headers go out with it, so a POST whose only event is its response costs one write (headers,
 * event and end together) instead of three.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MessageExtraInfo } from '@mcp-transports/core';

/** How much of a refused body is read and dropped, and for how long, before the socket is cut. */
const DISCARD_MAX_BYTES = 64 * 1024 * 1024;
const DISCARD_MAX_MS = 10_000;

/**
 * Reads and drops the rest of a refused (413) body. Closing a socket with unread data makes the
 * kernel send a reset, and a client still writing its body would then lose the 413 that was
 * already sent (what servers call a lingering close). A body far over the limit, or one that
 * trickles in for too long, gets the socket cut instead.
 */
function discardRest(req: IncomingMessage): void {
  let dropped = 0;
  const cut = (): void => {
    req.socket.destroy();
  };
  const timer = setTimeout(cut, DISCARD_MAX_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_MAX_BYTES) cut();
  });
  req.on('close', () => {
    clearTimeout(timer);
  });
  req.resume();
}

export type HeaderMap = Record<string, string>;

export type BodyResult = { ok: true; body: Uint8Array | string } | { ok: false; reason: 'too-large' | 'aborted' };

/** A server-sent-events response. */
export interface SseSink {
  /** Writes raw SSE text (one or more complete events). Returns `false` once the sink is closed. */
  write(text: string): boolean;
  /** Sends the headers now, if not sent yet (long-lived streams, heartbeats). */
  flush(): void;
  /** Ends the response, after an optional last chunk. Idempotent. */
  end(text?: string): void;
  /** `true` once ended locally or the client went away. */
  readonly closed: boolean;
  /** Fires once when the client goes away before `end()`. */
  onabort: (() => void) | undefined;
}

export interface Exchange {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** The raw query string, without `?` ('' when none). */
  readonly query: string;
  /** A request header by lowercase name. */
  header(name: string): string | undefined;
  /** Body already parsed by a framework (Express `express.json()`), when given. */
  readonly parsedBody: unknown;
  /** Reads the body, refusing more than `limit` bytes. */
  readBody(limit: number): Promise<BodyResult>;
  /** Sends a complete response; `type` is its `content-type` (saves the caller a header copy). */
  respond(status: number, headers: HeaderMap, body?: string, type?: string): void;
  /** Starts a lazy SSE response (status 200). */
  sse(headers: HeaderMap): SseSink;
  /** Whether the request arrived on a loopback address, when the adapter knows. */
  readonly loopback: boolean | undefined;
  /** What a message handler may learn of this request (`requestInfo`, `request`). */
  extra(): MessageExtraInfo;
  /** Calls `callback` once if the client goes away before the response is complete. */
  onGone(callback: () => void): void;
}

// ------------------------------------------------------------------------------------------------
// Node

const LOOPBACK_ADDRESS = /^(?:127\.|::1$|::ffff:127\.)/;

/** `headers` plus the `content-length` of `body` (a new object: header maps are shared). */
function withLength(headers: HeaderMap, body: string | undefined): HeaderMap {
  return { ...headers, 'content-length': body === undefined ? '0' : String(Buffer.byteLength(body)) };
}

export class NodeExchange implements Exchange {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly parsedBody: unknown;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;

  constructor(req: IncomingMessage, res: ServerResponse, parsedBody: unknown) {
    this.#req = req;
    this.#res = res;
    this.method = req.method ?? 'GET';
    // Express rewrites `req.url` under a mount point; `originalUrl` keeps what the client sent.
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const q = url.indexOf('?');
    this.path = q === -1 ? url : url.slice(0, q);
    this.query = q === -1 ? '' : url.slice(q + 1);
    this.parsedBody = parsedBody;
  }

  get loopback(): boolean | undefined {
    const local = this.#req.socket.localAddress;
    return local === undefined ? undefined : LOOPBACK_ADDRESS.test(local);
  }

  header(name: string): string | undefined {
    const value = this.#req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  readBody(limit: number): Promise<BodyResult> {
    const req = this.#req;
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      discardRest(req);
      return Promise.resolve({ ok: false, reason: 'too-large' });
    }
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      // Three listeners that stay until the request is gone (no off() calls), each a no-op once
      // the body is settled; the 'error' one also keeps a late socket error from going unhandled.
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > limit) {
          done = true;
          resolve({ ok: false, reason: 'too-large' });
          discardRest(req);
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (done) return;
        done = true;
        resolve({ ok: true, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size) });
      });
      req.on('error', () => {
        if (done) return;
        done = true;
        resolve({ ok: false, reason: 'aborted' });
      });
    });
  }

  respond(status: number, headers: HeaderMap, body?: string, type?: string): void {
    const res = this.#res;
    if (res.headersSent || res.writableEnded) return;
    // A known length: one plain write instead of chunked framing (a writev of four buffers).
    // Passed in writeHead's object, not with setHeader: one setHeader call moves writeHead onto
    // its slow path, which re-validates and copies every header through setHeader.
    const all = withLength(headers, body);
    if (type !== undefined) all['content-type'] = type;
    res.writeHead(status, all);
    res.end(body);
  }

  sse(headers: HeaderMap): SseSink {
    return new NodeSseSink(this.#req, this.#res, headers);
  }

  onGone(callback: () => void): void {
    const res = this.#res;
    // `on`, not `once`: 'close' fires once per response, and `once` wraps every listener.
    res.on('close', () => {
      if (!res.writableFinished) callback();
    });
  }

  extra(): MessageExtraInfo {
    const req = this.#req;
    const host = req.headers.host ?? 'localhost';
    const url = req.url ?? '/';
    let parsed: URL | undefined;
    return {
      requestInfo: {
        headers: req.headers,
        // Built only when a handler asks: most never do, and `new URL` is not free.
        get url(): URL | undefined {
          if (parsed === undefined) {
            try {
              parsed = new URL(url, `http://${host}`);
            } catch {
              // A Host header that is no valid authority leaves the URL unknown rather than failing.
              return undefined;
            }
          }
          return parsed;
        },
      },
    };
  }
}

/** Sinks opened this turn of the event loop; one `setImmediate` flushes them all. */
let unflushed: NodeSseSink[] = [];

function flushSoon(sink: NodeSseSink): void {
  if (unflushed.length === 0) setImmediate(flushUnflushed);
  unflushed.push(sink);
}

function flushUnflushed(): void {
  const sinks = unflushed;
  unflushed = [];
  for (const sink of sinks) sink.flush();
}

class NodeSseSink implements SseSink {
  onabort: (() => void) | undefined;
  #closed = false;
  #headersSent = false;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #headers: HeaderMap;

  constructor(req: IncomingMessage, res: ServerResponse, headers: HeaderMap) {
    this.#req = req;
    this.#res = res;
    this.#headers = headers;
    res.on('close', () => {
      if (this.#closed) return;
      this.#closed = true;
      this.onabort?.();
    });
    // Headers wait for the first event, but no longer than this turn of the event loop: a fast
    // handler's whole answer goes out in one write, and a slow one's client still sees the
    // stream open at once (a client whose send() awaits the headers must not wait on the handler).
    flushSoon(this);
  }

  get closed(): boolean {
    return this.#closed;
  }

  #head(): void {
    if (this.#headersSent) return;
    this.#headersSent = true;
    // A stream may stay open for hours: no socket inactivity timeout applies to it.
    this.#req.socket.setTimeout(0);
    this.#res.writeHead(200, this.#headers);
  }

  write(text: string): boolean {
    if (this.#closed) return false;
    this.#head();
    this.#res.write(text);
    return true;
  }

  flush(): void {
    if (this.#closed || this.#headersSent) return;
    this.#head();
    this.#res.flushHeaders();
  }

  end(text?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#headersSent) {
      // The whole stream is known (typically one event, the response): send it with a length,
      // headers and body in one write.
      this.#headersSent = true;
      this.#res.writeHead(200, withLength(this.#headers, text));
      this.#res.end(text);
      return;
    }
    this.#res.end(text);
  }
}

// ------------------------------------------------------------------------------------------------
// Fetch (Web Request / Response)

const encoder = new TextEncoder();
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i;

export class FetchExchange implements Exchange {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly parsedBody: undefined = undefined;
  /** Resolves with the response once the protocol code has chosen one. */
  readonly response: Promise<Response>;
  readonly #request: Request;
  readonly #host: string;
  #resolve!: (response: Response) => void;
  #answered = false;

  constructor(request: Request) {
    this.#request = request;
    this.method = request.method;
    const url = new URL(request.url);
    this.path = url.pathname;
    this.query = url.search.length > 0 ? url.search.slice(1) : '';
    this.#host = url.host;
    this.response = new Promise((resolve) => (this.#resolve = resolve));
  }

  get loopback(): boolean {
    return LOOPBACK_HOST.test(this.#host);
  }

  header(name: string): string | undefined {
    return this.#request.headers.get(name) ?? undefined;
  }

  async readBody(limit: number): Promise<BodyResult> {
    const declared = Number(this.#request.headers.get('content-length'));
    if (declared > limit) return { ok: false, reason: 'too-large' };
    const body = this.#request.body;
    if (body === null) return { ok: true, body: '' };
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limit) {
          await reader.cancel();
          return { ok: false, reason: 'too-large' };
        }
        chunks.push(value);
      }
    } catch {
      // The client went away mid-body; there is nobody to answer.
      return { ok: false, reason: 'aborted' };
    }
    if (chunks.length === 1) return { ok: true, body: chunks[0] as Uint8Array };
    const all = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      all.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return { ok: true, body: all };
  }

  /** Answers with `response` unless an answer was chosen already. */
  answer(response: Response): void {
    if (this.#answered) return;
    this.#answered = true;
    this.#resolve(response);
  }

  respond(status: number, headers: HeaderMap, body?: string, type?: string): void {
    this.answer(
      new Response(body ?? null, {
        status,
        headers: type === undefined ? headers : { ...headers, 'content-type': type },
      }),
    );
  }

  sse(headers: HeaderMap): SseSink {
    return new FetchSseSink(this, headers, this.#request.signal);
  }

  onGone(callback: () => void): void {
    const signal = this.#request.signal;
    if (signal.aborted) {
      callback();
      return;
    }
    signal.addEventListener('abort', callback, { once: true });
  }

  extra(): MessageExtraInfo {
    const request = this.#request;
    let headers: Record<string, string> | undefined;
    let url: URL | undefined;
    return {
      request,
      requestInfo: {
        get headers(): Record<string, string> {
          if (headers === undefined) {
            const all: Record<string, string> = {};
            request.headers.forEach((value, name) => {
              all[name] = value;
            });
            headers = all;
          }
          return headers;
        },
        get url(): URL {
          return (url ??= new URL(request.url));
        },
      },
    };
  }
}

class FetchSseSink implements SseSink {
  onabort: (() => void) | undefined;
  #closed = false;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  readonly #exchange: FetchExchange;
  readonly #headers: HeaderMap;

  constructor(exchange: FetchExchange, headers: HeaderMap, signal: AbortSignal) {
    this.#exchange = exchange;
    this.#headers = headers;
    signal.addEventListener('abort', () => this.#abort(), { once: true });
    // As on Node: the answer is held back for this turn only (no setImmediate on every runtime).
    setTimeout(() => this.flush(), 0);
  }

  get closed(): boolean {
    return this.#closed;
  }

  #abort(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onabort?.();
  }

  #open(): ReadableStreamDefaultController<Uint8Array> {
    if (this.#controller !== undefined) return this.#controller;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
      },
      cancel: () => this.#abort(),
    });
    this.#controller = controller;
    this.#exchange.answer(new Response(stream, { status: 200, headers: this.#headers }));
    return controller;
  }

  write(text: string): boolean {
    if (this.#closed) return false;
    this.#open().enqueue(encoder.encode(text));
    return true;
  }

  flush(): void {
    if (!this.#closed) this.#open();
  }

  end(text?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#controller === undefined) {
      // Nothing streamed yet: answer with a plain body, no stream machinery at all.
      this.#exchange.answer(new Response(text ?? '', { status: 200, headers: this.#headers }));
      return;
    }
    if (text !== undefined) this.#controller.enqueue(encoder.encode(text));
    this.#controller.close();
  }
}
