/**
 * The Node client, on `ws`: custom headers, `Authorization` for the token, a size cap enforced
 * before a frame is buffered (`maxPayload`), and a ping heartbeat.
 */
import { DEFAULT_MAX_MESSAGE_BYTES, TransportError, TransportErrorCode } from '@mcp-transports/core';
import { WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import { WebSocketClientTransportBase } from './_client.js';
import type { ClientSocket, ClientSocketEvents, WebSocketClientOptions } from './_client.js';
import { clientProtocols, DEFAULT_HEARTBEAT_MS, SENT, TAG } from './_shared.js';

export interface NodeWebSocketClientOptions extends WebSocketClientOptions {
  /** Extra headers for the upgrade request. @default {} */
  headers?: Record<string, string>;
  /**
   * Ping interval; if the server has not answered the previous ping, the connection is dropped
   * (then reconnect, or `onclose`). `0` disables. @default 30_000
   */
  heartbeatMs?: number;
  /** Give up on a connection attempt after this long, in ms. @default 10_000 */
  handshakeTimeoutMs?: number;
  /** How long `close()` waits for the server's close frame before dropping the socket, in ms. @default 2_000 */
  closeTimeoutMs?: number;
}

/** MCP client transport over WebSocket for Node (on `ws`). */
export class WebSocketClientTransport extends WebSocketClientTransportBase {
  constructor(url: string | URL, options: NodeWebSocketClientOptions = {}) {
    super(url, clientProtocols(options.protocols, undefined), options, openNodeSocket, socketSettings(options));
  }
}

function openNodeSocket(
  url: string,
  protocols: readonly string[],
  events: ClientSocketEvents,
  settings: unknown,
): ClientSocket {
  return new NodeClientSocket(url, protocols, events, settings as NodeSocketSettings);
}

/** Settings without headers, shared by every transport with the same numbers (bounded). */
const sharedSettings = new Map<string, NodeSocketSettings>();

function socketSettings(options: NodeWebSocketClientOptions): NodeSocketSettings {
  const maxPayload = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
  const headers: Record<string, string> = { ...options.headers };
  if (options.authToken !== undefined) headers.authorization = `Bearer ${options.authToken}`;
  const make = (): NodeSocketSettings => ({ headers, maxPayload, heartbeatMs, handshakeTimeoutMs, closeTimeoutMs });
  // Headers (credentials among them) are never shared: only a transport without any uses the cache.
  if (Object.keys(headers).length > 0) return make();
  const key = `${maxPayload},${heartbeatMs},${handshakeTimeoutMs},${closeTimeoutMs}`;
  let settings = sharedSettings.get(key);
  if (settings === undefined) {
    if (sharedSettings.size >= 64) sharedSettings.clear();
    settings = make();
    sharedSettings.set(key, settings);
  }
  return settings;
}

/** What every socket of one transport shares. */
interface NodeSocketSettings {
  headers: Record<string, string>;
  maxPayload: number;
  heartbeatMs: number;
  handshakeTimeoutMs: number;
  closeTimeoutMs: number;
}

/**
 * One connection: a `ws` socket that carries its own state, so its event handlers are shared
 * functions and an idle connection costs one object, not a dozen closures and two timers.
 */
class NodeClientSocket extends WebSocket implements ClientSocket {
  readonly events: ClientSocketEvents;
  readonly settings: NodeSocketSettings;
  /** Whether a pong (or any frame) arrived since the last ping. */
  alive = true;
  /** The server's refusal, read from its HTTP response, reported instead of ws's generic error. */
  refused: TransportError | undefined = undefined;
  handshakeTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(url: string, protocols: readonly string[], events: ClientSocketEvents, settings: NodeSocketSettings) {
    // ws only reads the list (a shared, frozen one by default).
    super(url, protocols as string[], {
      headers: settings.headers,
      maxPayload: settings.maxPayload,
      perMessageDeflate: false,
    });
    this.events = events;
    this.settings = settings;
    if (settings.handshakeTimeoutMs > 0) {
      // Our own timer rather than ws's `handshakeTimeout`, which leaves a spent timer on the socket for its life.
      this.handshakeTimer = setTimeout(onHandshakeTimeout, settings.handshakeTimeoutMs, this);
      this.handshakeTimer.unref();
    }
  }

  /**
   * ws reports everything through `emit()`: handle its events here rather than with six listeners
   * per connection (each event name also grows the socket's listener table, a hash table). The
   * socket is private to its transport, so nothing else listens on it.
   */
  // Named parameters, not `...args`: a rest array would be allocated for every message.
  override emit(event: string | symbol, a?: unknown, b?: unknown): boolean {
    switch (event) {
      case 'open':
        onOpen(this);
        return true;
      case 'message':
        onMessage(this, a as Buffer, b as boolean);
        return true;
      case 'pong':
        this.alive = true;
        return true;
      case 'error':
        onError(this, a as Error & { code?: string });
        return true;
      case 'close':
        onClose(this, a as number, b as Buffer);
        return true;
      case 'unexpected-response':
        onUnexpectedResponse(this, b as IncomingMessage);
        return true;
      default:
        // eslint-disable-next-line prefer-rest-params -- every argument, as given, for other events
        return super.emit(event, ...(Array.prototype.slice.call(arguments, 1) as unknown[]));
    }
  }

  byteLength(text: string): number {
    return Buffer.byteLength(text, 'utf8');
  }

  sendText(text: string): Promise<void> {
    if (this.readyState !== WebSocket.OPEN) {
      return Promise.reject(
        new TransportError(TransportErrorCode.Closed, `${TAG} send() while the connection is closing`),
      );
    }
    // Handed to the socket: ws frames and writes synchronously; a failed write closes the connection.
    this.send(text);
    return SENT;
  }

  closeWith(code: number, reason: string): void {
    if (this.readyState === WebSocket.CONNECTING) this.terminate();
    else {
      this.close(code, reason);
      // A server that never answers the close frame must not hold close() hostage.
      setTimeout(terminate, this.settings.closeTimeoutMs, this).unref();
    }
  }

  stopHandshakeTimer(): void {
    if (this.handshakeTimer === undefined) return;
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }
}

function terminate(socket: WebSocket): void {
  socket.terminate();
}

function onHandshakeTimeout(socket: NodeClientSocket): void {
  socket.handshakeTimer = undefined;
  if (socket.readyState !== WebSocket.CONNECTING) return;
  socket.refused ??= new TransportError(
    TransportErrorCode.Connection,
    `${TAG} the opening handshake timed out after ${socket.settings.handshakeTimeoutMs} ms`,
  );
  socket.terminate();
}

function onUnexpectedResponse(socket: NodeClientSocket, res: IncomingMessage): void {
  // A refusal is a real HTTP response (401, 403, …) with a JSON-RPC error body: read it for the message.
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => {
    const status = res.statusCode ?? 0;
    const body = Buffer.concat(chunks).toString('utf8');
    let detail = body;
    try {
      const parsed = JSON.parse(body) as { error?: { message?: unknown } };
      if (typeof parsed.error?.message === 'string') detail = parsed.error.message;
    } catch {
      // Not JSON: show the raw body.
      detail = body.slice(0, 200);
    }
    socket.refused = new TransportError(
      status === 401 || status === 403 ? TransportErrorCode.Refused : TransportErrorCode.Connection,
      `${TAG} the server refused the WebSocket upgrade with HTTP ${status}${detail === '' ? '' : `: ${detail}`}`,
    );
    socket.terminate();
  });
}

function onOpen(socket: NodeClientSocket): void {
  socket.stopHandshakeTimer();
  if (socket.settings.heartbeatMs > 0) heartbeatFor(socket.settings.heartbeatMs).add(socket);
  socket.events.socketOpen(socket);
}

function onMessage(socket: NodeClientSocket, data: Buffer, isBinary: boolean): void {
  socket.alive = true;
  // ws has enforced maxPayload on the frame: its byte count spares the transport a walk over the text.
  socket.events.socketMessage(socket, isBinary ? undefined : data.toString('utf8'), data.length);
}

function onError(socket: NodeClientSocket, error: Error & { code?: string }): void {
  if (socket.refused !== undefined) {
    socket.events.socketError(socket, socket.refused);
    return;
  }
  if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    socket.events.socketError(
      socket,
      new TransportError(
        TransportErrorCode.MessageTooLarge,
        `${TAG} a message exceeds maxMessageBytes (${socket.settings.maxPayload}); closing (1009)`,
        { cause: error },
      ),
    );
    return;
  }
  socket.events.socketError(
    socket,
    new TransportError(TransportErrorCode.Connection, `${TAG} ${error.message}`, { cause: error }),
  );
}

function onClose(socket: NodeClientSocket, code: number, reason: Buffer): void {
  socket.stopHandshakeTimer();
  if (socket.settings.heartbeatMs > 0) heartbeats.get(socket.settings.heartbeatMs)?.delete(socket);
  socket.events.socketClose(socket, code, reason.toString('utf8'));
}

/**
 * One ping timer per interval for every open socket in the process (a client that opens many
 * connections pays for one timer, not one each): a socket that has not answered the previous
 * ping is dropped, which closes it (then reconnect, or `onclose`).
 */
class Heartbeat {
  readonly #ms: number;
  readonly #sockets = new Set<NodeClientSocket>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  add(socket: NodeClientSocket): void {
    this.#sockets.add(socket);
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.#beat();
    }, this.#ms);
    this.#timer.unref();
  }

  delete(socket: NodeClientSocket): void {
    if (!this.#sockets.delete(socket) || this.#sockets.size > 0) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #beat(): void {
    for (const socket of this.#sockets) {
      if (!socket.alive) {
        socket.terminate();
        continue;
      }
      socket.alive = false;
      socket.ping();
    }
  }
}

const heartbeats = new Map<number, Heartbeat>();

function heartbeatFor(ms: number): Heartbeat {
  let heartbeat = heartbeats.get(ms);
  if (heartbeat === undefined) {
    heartbeat = new Heartbeat(ms);
    heartbeats.set(ms, heartbeat);
  }
  return heartbeat;
}
