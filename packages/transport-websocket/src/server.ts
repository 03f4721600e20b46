/**
 * The server side of one WebSocket connection: one JSON-RPC message per text frame.
 *
 * Created by {@link WebSocketListener} for each accepted upgrade; the application receives it in
 * `listener.onconnection` and hands it to an MCP server (`server.connect(transport)`).
 */
import {
  createErrorResponse,
  decodeMessage,
  encodeMessage,
  MessageDelivery,
  toError,
  TransportError,
  TransportErrorCode,
} from '@mcp-transports/core';
import type { AuthInfo, JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions } from '@mcp-transports/core';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { WebSocket } from 'ws';
import { closeError, CloseCode, SENT, TAG } from './_shared.js';
import type { CloseInfo } from './_shared.js';

/** `WebSocket.OPEN`. */
const OPEN = 1;

/** Hands one of ws's socket events to the socket's transport (assigned in the transport's static block). */
let dispatch: (transport: WebSocketServerTransport, event: string | symbol, a: unknown, b: unknown) => boolean;

/**
 * @internal The listener's socket class (`ws`'s `WebSocket` option). It carries its transport and
 * hands it ws's events straight from `emit()`: an idle connection then costs no listener closures
 * and no entries in the socket's listener table (a hash table that grows with every event name).
 * The socket is private to its transport, so nothing else listens on it.
 */
export class ServerSocket extends WebSocket {
  transport: WebSocketServerTransport | undefined = undefined;

  // Named parameters, not `...args`: a rest array would be allocated for every message.
  override emit(event: string | symbol, a?: unknown, b?: unknown): boolean {
    const transport = this.transport;
    if (transport !== undefined && dispatch(transport, event, a, b)) return true;
    // eslint-disable-next-line prefer-rest-params -- every argument, as given, for other events
    return super.emit(event, ...(Array.prototype.slice.call(arguments, 1) as unknown[]));
  }
}

/** @internal Settings the listener passes to each connection. */
export interface ServerConnectionSettings {
  maxMessageBytes: number;
  maxBufferedBytes: number;
  maxEarlyMessages: number;
  /** Where errors go when the transport has no `onerror` yet (the listener's `onerror`). */
  fallbackError: (error: Error) => void;
  /** Called once the connection has closed, after `onclose` (the listener forgets it). */
  closed: (transport: WebSocketServerTransport) => void;
  /** How long `close()` waits for the peer's close frame before dropping the socket. */
  closeTimeoutMs: number;
}

type State = 'new' | 'started' | 'closing' | 'closed';

/**
 * @internal Upgrade headers that connections from one kind of client repeat word for word but for
 * the handshake nonce (`sec-websocket-key`): one copy shared by all of them, from which each
 * connection's `extra.requestInfo.headers` is built (in the original order) on its first message.
 * An idle connection then keeps only its nonce rather than a headers object (~100 bytes).
 */
export class HeaderTemplate {
  readonly #names: readonly string[];
  /** `undefined` marks the nonce's place. */
  readonly #values: readonly (string | undefined)[];

  constructor(names: readonly string[], values: readonly (string | undefined)[]) {
    this.#names = names;
    this.#values = values;
  }

  build(nonce: string | undefined): IncomingHttpHeaders {
    const headers: IncomingHttpHeaders = {};
    const names = this.#names;
    const values = this.#values;
    for (let i = 0; i < names.length; i++) headers[names[i] as string] = values[i] ?? nonce;
    return headers;
  }
}

/**
 * What few connections ever need, made on first use: an idle connection carries one empty field
 * instead of six (each field is 8 bytes on every one of 10,000 connections).
 */
class Rare {
  /** A UUID string is ~400 bytes of heap until flattened, and most connections are never asked. */
  sessionId: string | undefined = undefined;
  /** Messages that arrived before `start()`, delivered in order once started (bounded). */
  early: string[] | undefined = undefined;
  delivery: MessageDelivery<MessageExtraInfo> | undefined = undefined;
  closeInfo: CloseInfo | undefined = undefined;
  /** Made only when someone waits for the close. */
  closed: Promise<void> | undefined = undefined;
  resolveClosed: (() => void) | undefined = undefined;
}

/** One client connection on a {@link WebSocketListener}. */
export class WebSocketServerTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  readonly #socket: ServerSocket;
  readonly #settings: ServerConnectionSettings;
  #state: State = 'new';
  /**
   * What `extra` is built from on the first message (an idle connection never pays for the URL and
   * the object). Plain fields rather than a closure: a closure and its context cost ~110 bytes.
   */
  readonly #headers: IncomingHttpHeaders | HeaderTemplate;
  /** With a shared {@link HeaderTemplate}: this connection's `sec-websocket-key`. */
  readonly #nonce: string | undefined;
  readonly #target: string;
  readonly #authInfo: AuthInfo | undefined;
  #extra: MessageExtraInfo | undefined = undefined;
  #rare: Rare | undefined = undefined;
  /** @internal Set by the heartbeat: whether a pong (or any frame) arrived since the last ping. */
  alive = true;

  /** @internal Created by {@link WebSocketListener}. */
  constructor(
    socket: ServerSocket,
    headers: IncomingHttpHeaders | HeaderTemplate,
    nonce: string | undefined,
    target: string,
    authInfo: AuthInfo | undefined,
    settings: ServerConnectionSettings,
  ) {
    this.#socket = socket;
    this.#headers = headers;
    this.#nonce = nonce;
    this.#target = target;
    this.#authInfo = authInfo;
    this.#settings = settings;
    // Events flow from now on: a client may send before the application calls start().
    socket.transport = this;
  }

  static {
    dispatch = (transport, event, a, b) => {
      switch (event) {
        case 'message':
          transport.#onFrame(a as Buffer, b as boolean);
          return true;
        case 'pong':
          transport.alive = true;
          return true;
        case 'error':
          transport.#onSocketError(a as Error & { code?: string });
          return true;
        case 'close':
          transport.#onSocketClose(a as number, String(b));
          return true;
        default:
          return false;
      }
    };
  }

  /** A random id for this connection (WebSocket has no MCP session header; this names the socket). */
  get sessionId(): string {
    const rare = this.#more();
    // randomUUID() builds its result by concatenation (13 string pieces); copy it into one flat string.
    rare.sessionId ??= Buffer.from(randomUUID(), 'latin1').toString('latin1');
    return rare.sessionId;
  }

  /** Names the connection yourself (e.g. to match your logs); by default a random UUID. */
  set sessionId(id: string) {
    this.#more().sessionId = id;
  }

  /** The subprotocol selected at the upgrade: `mcp`, or `''` for a client that offered none. */
  get protocol(): string {
    return this.#socket.protocol;
  }

  /** How the connection ended, once it has. */
  get closeInfo(): CloseInfo | undefined {
    return this.#rare?.closeInfo;
  }

  start(): Promise<void> {
    if (this.#state !== 'new') {
      return Promise.reject(
        this.#state === 'started'
          ? new TransportError(
              TransportErrorCode.AlreadyStarted,
              `${TAG} WebSocketServerTransport already started; the SDK's connect() calls start() for you, so do not call it yourself`,
            )
          : new TransportError(TransportErrorCode.Closed, `${TAG} WebSocketServerTransport is closed`),
      );
    }
    this.#state = 'started';
    const early = this.#rare?.early;
    if (early !== undefined) {
      (this.#rare as Rare).early = undefined;
      // Deliver after start() returns, so the caller's own setup after `await start()` runs first.
      queueMicrotask(() => {
        for (const text of early) this.#deliver(text);
      });
    }
    return Promise.resolve();
  }

  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.#state !== 'started') {
      return Promise.reject(
        this.#state === 'new'
          ? new TransportError(TransportErrorCode.NotStarted, `${TAG} send() before start()`)
          : new TransportError(TransportErrorCode.Closed, `${TAG} send() after the connection closed`),
      );
    }
    let text: string;
    try {
      text = encodeMessage(message);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    return this.#write(text);
  }

  close(): Promise<void> {
    return this.closeWith(CloseCode.Normal, '');
  }

  /** @internal Closes with a given code (the listener uses 1001 on shutdown); resolves once closed. */
  closeWith(code: number, reason: string): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') return this.#whenClosed();
    this.#state = 'closing';
    if (this.#rare !== undefined) this.#rare.early = undefined;
    this.#socket.close(code, reason);
    // A peer that never answers the close frame must not hold close() hostage.
    const timer = setTimeout(() => {
      this.#socket.terminate();
    }, this.#settings.closeTimeoutMs);
    timer.unref();
    return this.#whenClosed().finally(() => {
      clearTimeout(timer);
    });
  }

  /** @internal Heartbeat: drops a peer that missed a pong; `onclose` fires. */
  terminate(): void {
    this.#socket.terminate();
  }

  /** @internal Heartbeat: sends a ping. */
  ping(): void {
    this.#socket.ping();
  }

  #whenClosed(): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    const rare = this.#more();
    rare.closed ??= new Promise((resolve) => (rare.resolveClosed = resolve));
    return rare.closed;
  }

  #more(): Rare {
    return (this.#rare ??= new Rare());
  }

  #write(text: string): Promise<void> {
    const max = this.#settings.maxMessageBytes;
    // A string's UTF-16 length bounds its UTF-8 length from below; count exactly only when close,
    // natively (a 50 MB message: ~10 ms, where a JavaScript loop over its characters takes ~130 ms).
    const bytes = text.length * 3 > max ? Buffer.byteLength(text, 'utf8') : text.length;
    if (bytes > max) {
      return Promise.reject(
        new TransportError(
          TransportErrorCode.MessageTooLarge,
          `${TAG} message of ${bytes} bytes exceeds maxMessageBytes (${max}); the peer would close with 1009`,
        ),
      );
    }
    const socket = this.#socket;
    const queued = socket.bufferedAmount;
    if (queued > 0 && queued + bytes > this.#settings.maxBufferedBytes) {
      // A slow reader: refuse rather than grow memory without bound.
      return Promise.reject(
        new TransportError(
          TransportErrorCode.Backpressure,
          `${TAG} the peer is not reading: ${queued} bytes already queued (maxBufferedBytes ${this.#settings.maxBufferedBytes})`,
        ),
      );
    }
    if (socket.readyState !== OPEN) {
      return Promise.reject(
        new TransportError(TransportErrorCode.Closed, `${TAG} send() while the connection is closing`),
      );
    }
    // Handed to the socket: ws frames the text and writes it synchronously (no compression here).
    // Write failures surface as the connection's close (onerror + onclose), like a dropped peer.
    socket.send(text);
    return SENT;
  }

  #onFrame(data: Buffer, isBinary: boolean): void {
    this.alive = true;
    if (this.#state === 'closing' || this.#state === 'closed') return;
    if (isBinary) {
      this.#report(
        new TransportError(
          TransportErrorCode.InvalidMessage,
          `${TAG} binary frame refused (1003): MCP over WebSocket is text only`,
        ),
      );
      this.#socket.close(CloseCode.UnsupportedData, 'binary frames are not supported; send JSON-RPC as text');
      return;
    }
    // ws has already checked the frame is valid UTF-8 (it closes with 1007 otherwise).
    const text = data.toString('utf8');
    if (this.#state === 'new') {
      const early = (this.#more().early ??= []);
      if (early.length >= this.#settings.maxEarlyMessages) {
        this.#report(
          new TransportError(
            TransportErrorCode.Backpressure,
            `${TAG} ${this.#settings.maxEarlyMessages} messages arrived before start(); closing (1008)`,
          ),
        );
        this.#socket.close(CloseCode.PolicyViolation, 'too many messages before the server started');
        return;
      }
      early.push(text);
      return;
    }
    this.#deliver(text);
  }

  #deliver(text: string): void {
    if (this.#state !== 'started') return;
    const decoded = decodeMessage(text);
    if (!decoded.ok) {
      // Non-fatal (TC-5): report, answer the peer with the JSON-RPC error, keep the connection.
      const error = decoded.error;
      this.#report(error);
      const reply = createErrorResponse(error.jsonRpcCode ?? -32600, error.message, error.requestId);
      this.#write(encodeMessage(reply)).catch((e: unknown) => {
        this.#report(e);
      });
      return;
    }
    const extra = (this.#extra ??= this.#makeExtra());
    const message = decoded.message;
    // Through core's MessageDelivery once a notification has come (made then, not per connection:
    // an idle connection stays small), so a notification's handler runs before the next message.
    let delivery = this.#rare?.delivery;
    if (delivery === undefined && !('method' in message && !('id' in message))) {
      try {
        this.onmessage?.(message, extra);
      } catch (error) {
        this.#report(error);
      }
      return;
    }
    delivery ??= this.#more().delivery = new MessageDelivery(
      (m, x) => this.onmessage?.(m, x),
      (error) => {
        this.#report(error);
      },
    );
    delivery.push(message, extra);
  }

  #makeExtra(): MessageExtraInfo {
    const headers = this.#headers instanceof HeaderTemplate ? this.#headers.build(this.#nonce) : this.#headers;
    const extra: MessageExtraInfo = {
      requestInfo: { headers, url: new URL(this.#target, `http://${headers.host ?? 'localhost'}`) },
    };
    if (this.#authInfo !== undefined) extra.authInfo = this.#authInfo;
    return extra;
  }

  #onSocketError(error: Error & { code?: string }): void {
    // ws reports a protocol violation here, then closes the connection itself.
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.#report(
        new TransportError(
          TransportErrorCode.MessageTooLarge,
          `${TAG} message exceeds maxMessageBytes (${this.#settings.maxMessageBytes}); closing (1009)`,
          { cause: error },
        ),
      );
      return;
    }
    this.#report(new TransportError(TransportErrorCode.Connection, `${TAG} ${error.message}`, { cause: error }));
  }

  #onSocketClose(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    // Only closeWith() moves to 'closing': this side asked for the close.
    const local = this.#state === 'closing';
    this.#state = 'closed';
    const rare = this.#more();
    rare.early = undefined;
    rare.closeInfo = { code, reason, local };
    if (!local) {
      const error = closeError(code, reason);
      // 1000/1001 from a client are a normal goodbye; anything else is worth a word.
      if (error !== undefined && code !== CloseCode.GoingAway) this.#report(error);
    }
    rare.resolveClosed?.();
    const onclose = this.onclose;
    if (onclose !== undefined) {
      try {
        onclose();
      } catch (error) {
        this.#report(error);
      }
    }
    this.#settings.closed(this);
  }

  #report(error: unknown): void {
    const onerror = this.onerror ?? this.#settings.fallbackError;
    try {
      onerror(toError(error));
    } catch (e) {
      // A throwing onerror must not break the socket's event loop; surface it asynchronously.
      queueMicrotask(() => {
        throw toError(e);
      });
    }
  }
}
