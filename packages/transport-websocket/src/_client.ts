/**
 * The client logic shared by the Node entry (on `ws`) and the browser entry (on the global
 * `WebSocket`). Browser-safe: no Node imports. Each entry supplies a {@link SocketFactory}.
 */
import {
  decodeMessage,
  DEFAULT_MAX_MESSAGE_BYTES,
  encodeMessage,
  MessageDelivery,
  reconnectDelay,
  resolveReconnect,
  toError,
  TransportError,
  TransportErrorCode,
} from '@mcp-transports/core';
import type {
  JSONRPCMessage,
  MessageExtraInfo,
  ReconnectOptions,
  Transport,
  TransportSendOptions,
} from '@mcp-transports/core';
import { closeError, CloseCode, DEFAULT_MAX_BUFFERED_BYTES, TAG } from './_shared.js';
import type { CloseInfo } from './_shared.js';

/** @internal What the shared client needs from one socket. */
export interface ClientSocket {
  readonly bufferedAmount: number;
  /** The UTF-8 byte length of `text` (natively where the platform can). */
  byteLength(text: string): number;
  /** The subprotocol the server selected (`''` for none). */
  readonly protocol: string;
  /** Resolves when the frame is handed to the network layer. */
  sendText(text: string): Promise<void>;
  /** Starts the closing handshake (or drops a socket still connecting). */
  closeWith(code: number, reason: string): void;
}

/**
 * @internal Events a socket reports, each naming the socket (events from a socket the transport
 * has replaced are ignored). `socketError` before `socketOpen` means the connection failed.
 * The transport itself receives them: no per-connection callback objects.
 */
export interface ClientSocketEvents {
  socketOpen(socket: ClientSocket): void;
  /**
   * A text frame, or `undefined` for a binary frame. `bytes` is the frame's size when the socket
   * knows it (and has already enforced `maxMessageBytes` on it); otherwise the text is measured.
   */
  socketMessage(socket: ClientSocket, text: string | undefined, bytes?: number): void;
  socketError(socket: ClientSocket, error: Error): void;
  socketClose(socket: ClientSocket, code: number, reason: string): void;
}

/**
 * @internal Opens one socket; `settings` is what the entry gave the transport for its sockets (a
 * plain argument rather than a closure per transport: an idle connection keeps no closure).
 */
export type SocketFactory = (
  url: string,
  protocols: readonly string[],
  events: ClientSocketEvents,
  settings: unknown,
) => ClientSocket;

/** Options both client entries take. */
export interface WebSocketClientOptions {
  /** Extra subprotocols to offer after `mcp`. @default [] */
  protocols?: string[];
  /**
   * A bearer token. The Node client sends it as `Authorization: Bearer <token>`; the browser client,
   * which cannot set headers, as the subprotocol `mcp.auth.<token>` (SEP-1288).
   * @default undefined
   */
  authToken?: string;
  /**
   * Reconnect after the connection drops, with backoff, jitter and a bounded budget (core's
   * policy). Off by default: a new socket is a new MCP session, so the application must
   * re-initialize — it is told through `onreconnect`.
   * @default false
   */
  reconnect?: ReconnectOptions | boolean;
  /** Largest incoming message, in bytes; larger → close 1009. Also caps `send()`. @default 16 MiB */
  maxMessageBytes?: number;
  /** High-water mark of bytes queued for the server; beyond it `send()` rejects `ERR_BACKPRESSURE`. @default 8 MiB */
  maxBufferedBytes?: number;
}

type State = 'new' | 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

/** Reconnect off (the default): one resolved policy shared by every transport. */
const NO_RECONNECT: Required<ReconnectOptions> = Object.freeze(resolveReconnect(false));

/**
 * What few connections ever need, made on first use: an idle connection carries one empty field
 * instead of six.
 */
class Rare {
  /** The pending reconnect attempt. */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  closeInfo: CloseInfo | undefined = undefined;
  delivery: MessageDelivery | undefined = undefined;
  closed: Promise<void> | undefined = undefined;
  resolveClosed: (() => void) | undefined = undefined;
  /** Why the current socket failed before opening (its first error). */
  failure: Error | undefined = undefined;
}

/** @internal The shared implementation; the entries export it as `WebSocketClientTransport`. */
export class WebSocketClientTransportBase implements Transport, ClientSocketEvents {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  /**
   * Fired after a dropped connection was re-established (only with `reconnect`). The server sees a
   * new connection: re-run `initialize` (e.g. `client.connect()` again on a fresh `Client`).
   */
  onreconnect?: ((attempt: number) => void) | undefined;
  sessionId?: string | undefined;

  readonly #url: string;
  readonly #protocols: readonly string[];
  readonly #open: SocketFactory;
  readonly #socketSettings: unknown;
  readonly #reconnect: Required<ReconnectOptions>;
  readonly #maxMessageBytes: number;
  readonly #maxBufferedBytes: number;
  #state: State = 'new';
  #socket: ClientSocket | undefined;
  #rare: Rare | undefined = undefined;
  /** The current attempt (1-based after a drop; 0 for the first connection). */
  #attempt = 0;
  /** Whether the current socket has opened. */
  #opened = false;
  /** The first connection's `start()` promise, settled by the first socket's outcome. */
  #resolveStart: (() => void) | undefined;
  #rejectStart: ((error: Error) => void) | undefined;

  /** @internal */
  constructor(
    url: string | URL,
    protocols: readonly string[],
    options: WebSocketClientOptions,
    open: SocketFactory,
    socketSettings: unknown,
  ) {
    this.#url = url.toString();
    this.#protocols = protocols;
    this.#open = open;
    this.#socketSettings = socketSettings;
    const reconnect = options.reconnect ?? false;
    this.#reconnect = reconnect === false ? NO_RECONNECT : resolveReconnect(reconnect === true ? undefined : reconnect);
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  }

  /** The subprotocol the server selected: `mcp`, or `''` if it selected none. */
  get protocol(): string {
    return this.#socket?.protocol ?? '';
  }

  /** How the connection ended (code, reason, who closed), once it has. */
  get closeInfo(): CloseInfo | undefined {
    return this.#rare?.closeInfo;
  }

  #more(): Rare {
    return (this.#rare ??= new Rare());
  }

  /** Connects. Rejects (and `onclose` fires) when the first connection fails; it is not retried. */
  start(): Promise<void> {
    if (this.#state !== 'new') {
      return Promise.reject(
        this.#state === 'closed' || this.#state === 'closing'
          ? new TransportError(TransportErrorCode.Closed, `${TAG} WebSocketClientTransport is closed`)
          : new TransportError(
              TransportErrorCode.AlreadyStarted,
              `${TAG} WebSocketClientTransport already started; the SDK's connect() calls start() for you, so do not call it yourself`,
            ),
      );
    }
    this.#state = 'connecting';
    return new Promise((resolve, reject) => {
      this.#resolveStart = resolve;
      this.#rejectStart = reject;
      this.#connect(0);
    });
  }

  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    const socket = this.#socket;
    if (this.#state !== 'open' || socket === undefined) {
      return Promise.reject(this.#notOpen());
    }
    let text: string;
    try {
      text = encodeMessage(message);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    const max = this.#maxMessageBytes;
    // The UTF-16 length bounds the UTF-8 length from below: count exactly only when close.
    const bytes = text.length * 3 > max ? socket.byteLength(text) : text.length;
    if (bytes > max) {
      return Promise.reject(
        new TransportError(
          TransportErrorCode.MessageTooLarge,
          `${TAG} message of ${bytes} bytes exceeds maxMessageBytes (${max}); the server would close with 1009`,
        ),
      );
    }
    const queued = socket.bufferedAmount;
    if (queued > 0 && queued + bytes > this.#maxBufferedBytes) {
      return Promise.reject(
        new TransportError(
          TransportErrorCode.Backpressure,
          `${TAG} the server is not reading: ${queued} bytes already queued (maxBufferedBytes ${this.#maxBufferedBytes})`,
        ),
      );
    }
    return socket.sendText(text);
  }

  /** Closes with 1000 and waits for the close to complete. Idempotent; `onclose` fires once. */
  close(): Promise<void> {
    switch (this.#state) {
      case 'closed':
      case 'closing':
        return this.#whenClosed();
      case 'new':
        this.#finish({ code: CloseCode.Normal, reason: '', local: true }, undefined);
        return this.#whenClosed();
      default:
        break;
    }
    this.#state = 'closing';
    if (this.#rare?.timer !== undefined) clearTimeout(this.#rare.timer);
    const socket = this.#socket;
    if (socket === undefined) {
      // Waiting between reconnect attempts: nothing to close.
      this.#finish({ code: CloseCode.Normal, reason: '', local: true }, undefined);
    } else {
      socket.closeWith(CloseCode.Normal, '');
    }
    return this.#whenClosed();
  }

  #whenClosed(): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    const rare = this.#more();
    rare.closed ??= new Promise((resolve) => (rare.resolveClosed = resolve));
    return rare.closed;
  }

  #connect(attempt: number): void {
    this.#attempt = attempt;
    this.#opened = false;
    if (this.#rare !== undefined) this.#rare.failure = undefined;
    this.#socket = this.#open(this.#url, this.#protocols, this, this.#socketSettings);
  }

  /** @internal */
  socketOpen(socket: ClientSocket): void {
    if (this.#socket !== socket) return;
    if (this.#state === 'closing') {
      socket.closeWith(CloseCode.Normal, '');
      return;
    }
    this.#opened = true;
    this.#state = 'open';
    const resolve = this.#resolveStart;
    this.#resolveStart = this.#rejectStart = undefined;
    resolve?.();
    if (this.#attempt > 0) this.#fireReconnect(this.#attempt);
  }

  /** @internal */
  socketMessage(socket: ClientSocket, text: string | undefined, bytes?: number): void {
    if (this.#socket === socket) this.#onMessage(socket, text, bytes);
  }

  /** @internal */
  socketError(socket: ClientSocket, error: Error): void {
    if (this.#socket !== socket) return;
    if (!this.#opened) this.#more().failure ??= error;
    else this.#report(error);
  }

  /** @internal */
  socketClose(socket: ClientSocket, code: number, reason: string): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    const local = this.#state === 'closing';
    if (!this.#opened) {
      const error =
        this.#rare?.failure ??
        new TransportError(TransportErrorCode.Connection, `${TAG} connection to ${this.#url} failed (${code})`);
      const reject = this.#rejectStart;
      if (reject !== undefined || local) {
        // The first connection failed (or close() was called meanwhile): no retry.
        this.#resolveStart = this.#rejectStart = undefined;
        this.#finish({ code, reason, local }, undefined);
        reject?.(error);
        return;
      }
      this.#retry(this.#attempt + 1, error);
      return;
    }
    const info: CloseInfo = { code, reason, local };
    const error = local ? undefined : closeError(code, reason);
    if (!local && this.#reconnect.maxAttempts > 0 && code !== CloseCode.Normal) {
      this.#more().closeInfo = info;
      if (error !== undefined) this.#report(error);
      this.#state = 'reconnecting';
      this.#retry(1, undefined);
      return;
    }
    this.#finish(info, error);
  }

  /** Schedules reconnect attempt `attempt` (1-based), or gives up when the budget is spent. */
  #retry(attempt: number, lastError: Error | undefined): void {
    if (attempt > this.#reconnect.maxAttempts) {
      const error = new TransportError(
        TransportErrorCode.Connection,
        `${TAG} gave up reconnecting to ${this.#url} after ${this.#reconnect.maxAttempts} attempts${lastError === undefined ? '' : `: ${lastError.message}`}`,
        { cause: lastError },
      );
      this.#finish(this.#rare?.closeInfo ?? { code: CloseCode.Abnormal, reason: '', local: false }, error);
      return;
    }
    this.#state = 'reconnecting';
    const rare = this.#more();
    rare.timer = setTimeout(
      () => {
        rare.timer = undefined;
        if (this.#state !== 'reconnecting') return;
        this.#connect(attempt);
      },
      reconnectDelay(attempt - 1, this.#reconnect),
    );
  }

  #onMessage(socket: ClientSocket, text: string | undefined, bytes: number | undefined): void {
    if (this.#state !== 'open') return;
    if (text === undefined) {
      this.#report(
        new TransportError(
          TransportErrorCode.InvalidMessage,
          `${TAG} binary frame refused (1003): MCP over WebSocket is text only`,
        ),
      );
      socket.closeWith(CloseCode.UnsupportedData, 'binary frames are not supported; send JSON-RPC as text');
      return;
    }
    const max = this.#maxMessageBytes;
    if (
      bytes === undefined ? text.length > max || (text.length * 3 > max && socket.byteLength(text) > max) : bytes > max
    ) {
      // The browser cannot cap a frame before it arrives; the Node entry's `ws` does (maxPayload).
      this.#report(
        new TransportError(
          TransportErrorCode.MessageTooLarge,
          `${TAG} message exceeds maxMessageBytes (${max}); closing (1009)`,
        ),
      );
      socket.closeWith(CloseCode.MessageTooBig, 'message too big');
      return;
    }
    const decoded = decodeMessage(text);
    if (!decoded.ok) {
      this.#report(decoded.error);
      return;
    }
    const message = decoded.message;
    // Through core's MessageDelivery once a notification has come (made then, not per connection),
    // so a progress notification read with its result reaches the SDK's handler first.
    let delivery = this.#rare?.delivery;
    if (delivery === undefined && !('method' in message && !('id' in message))) {
      try {
        this.onmessage?.(message);
      } catch (error) {
        this.#report(error);
      }
      return;
    }
    delivery ??= this.#more().delivery = new MessageDelivery(
      (m) => this.onmessage?.(m),
      (error) => {
        this.#report(error);
      },
    );
    delivery.push(message, undefined);
  }

  #notOpen(): TransportError {
    switch (this.#state) {
      case 'new':
        return new TransportError(TransportErrorCode.NotStarted, `${TAG} send() before start()`);
      case 'connecting':
        return new TransportError(TransportErrorCode.NotStarted, `${TAG} send() before start() resolved`);
      case 'reconnecting':
        return new TransportError(
          TransportErrorCode.Connection,
          `${TAG} the connection dropped and is being re-established; wait for onreconnect and re-initialize`,
        );
      default:
        return new TransportError(TransportErrorCode.Closed, `${TAG} send() after the connection closed`);
    }
  }

  #finish(info: CloseInfo, error: Error | undefined): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const rare = this.#more();
    rare.closeInfo = info;
    this.#socket = undefined;
    if (error !== undefined) this.#report(error);
    rare.resolveClosed?.();
    const onclose = this.onclose;
    if (onclose === undefined) return;
    try {
      onclose();
    } catch (e) {
      this.#report(e);
    }
  }

  #fireReconnect(attempt: number): void {
    try {
      this.onreconnect?.(attempt);
    } catch (error) {
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    const onerror = this.onerror;
    if (onerror === undefined) return;
    try {
      onerror(toError(error));
    } catch (e) {
      queueMicrotask(() => {
        throw toError(e);
      });
    }
  }
}
