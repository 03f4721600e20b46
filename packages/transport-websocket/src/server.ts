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
import type { JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions } from '@mcp-transports/core';
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { closeError, CloseCode, SENT, TAG } from './_shared.js';
import type { CloseInfo } from './_shared.js';

/** `WebSocket.OPEN`. */
const OPEN = 1;

/** Hands one of ws's socket events to the socket's transport (assigned in the transport's static block). */
let dispatch: (transport: WebSocketServerTransport, event: string | symbol, args: unknown[]) => boolean;

/**
 * @internal The listener's socket class (`ws`'s `WebSocket` option). It carries its transport and
 * hands it ws's events straight from `emit()`: an idle connection then costs no listener closures
 * and no entries in the socket's listener table (a hash table that grows with every event name).
 * The socket is private to its transport, so nothing else listens on it.
 */
export class ServerSocket extends WebSocket {
  transport: WebSocketServerTransport | undefined = undefined;

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const transport = this.transport;
    if (transport !== undefined && dispatch(transport, event, args)) return true;
    return super.emit(event, ...args);
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

/** One client connection on a {@link WebSocketListener}. */
export class WebSocketServerTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  readonly #socket: ServerSocket;
  /** Made on first read: a UUID string is ~400 bytes of heap until flattened, and most reads never come. */
  #sessionId: string | undefined;
  /** Built on the first message: an idle connection never pays for the URL and the object. */
  #extra: MessageExtraInfo | (() => MessageExtraInfo);
  readonly #settings: ServerConnectionSettings;
  #state: State = 'new';
  /** Messages that arrived before `start()`, delivered in order once started (bounded; made on the first). */
  #early: string[] | undefined;
  #delivery: MessageDelivery<MessageExtraInfo> | undefined;
  #closeInfo: CloseInfo | undefined;
  /** Made only when someone waits for the close (idle connections are many; keep them small). */
  #closed: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;
  /** @internal Set by the heartbeat: whether a pong (or any frame) arrived since the last ping. */
  alive = true;

  /** @internal Created by {@link WebSocketListener}. */
  constructor(socket: ServerSocket, extra: () => MessageExtraInfo, settings: ServerConnectionSettings) {
    this.#socket = socket;
    this.#extra = extra;
    this.#settings = settings;
    // Events flow from now on: a client may send before the application calls start().
    socket.transport = this;
  }

  static {
    dispatch = (transport, event, args) => {
      switch (event) {
        case 'message':
          transport.#onFrame(args[0] as Buffer, args[1] as boolean);
          return true;
        case 'pong':
          transport.alive = true;
          return true;
        case 'error':
          transport.#onSocketError(args[0] as Error & { code?: string });
          return true;
        case 'close':
          transport.#onSocketClose(args[0] as number, String(args[1]));
          return true;
        default:
          return false;
      }
    };
  }

  /** A random id for this connection (WebSocket has no MCP session header; this names the socket). */
  get sessionId(): string {
    if (this.#sessionId === undefined) {
      // randomUUID() builds its result by concatenation (13 string pieces); copy it into one flat string.
      this.#sessionId = Buffer.from(randomUUID(), 'latin1').toString('latin1');
    }
    return this.#sessionId;
  }

  /** Names the connection yourself (e.g. to match your logs); by default a random UUID. */
  set sessionId(id: string) {
    this.#sessionId = id;
  }

  /** The subprotocol selected at the upgrade: `mcp`, or `''` for a client that offered none. */
  get protocol(): string {
    return this.#socket.protocol;
  }

  /** How the connection ended, once it has. */
  get closeInfo(): CloseInfo | undefined {
    return this.#closeInfo;
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
    const early = this.#early;
    this.#early = undefined;
    if (early !== undefined) {
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
    this.#early = undefined;
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
    this.#closed ??= new Promise((resolve) => (this.#resolveClosed = resolve));
    return this.#closed;
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
      this.#early ??= [];
      if (this.#early.length >= this.#settings.maxEarlyMessages) {
        this.#report(
          new TransportError(
            TransportErrorCode.Backpressure,
            `${TAG} ${this.#settings.maxEarlyMessages} messages arrived before start(); closing (1008)`,
          ),
        );
        this.#socket.close(CloseCode.PolicyViolation, 'too many messages before the server started');
        return;
      }
      this.#early.push(text);
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
    let extra = this.#extra;
    if (typeof extra === 'function') this.#extra = extra = extra();
    const message = decoded.message;
    // Through core's MessageDelivery once a notification has come (made then, not per connection:
    // an idle connection stays small), so a notification's handler runs before the next message.
    if (this.#delivery === undefined && !('method' in message && !('id' in message))) {
      try {
        this.onmessage?.(message, extra);
      } catch (error) {
        this.#report(error);
      }
      return;
    }
    this.#delivery ??= new MessageDelivery(
      (m, x) => this.onmessage?.(m, x),
      (error) => {
        this.#report(error);
      },
    );
    this.#delivery.push(message, extra);
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
    this.#early = undefined;
    this.#closeInfo = { code, reason, local };
    if (!local) {
      const error = closeError(code, reason);
      // 1000/1001 from a client are a normal goodbye; anything else is worth a word.
      if (error !== undefined && code !== CloseCode.GoingAway) this.#report(error);
    }
    this.#resolveClosed?.();
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
