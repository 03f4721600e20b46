/**
 * The Node client, on `ws`: custom headers, `Authorization` for the token, a size cap enforced
 * before a frame is buffered (`maxPayload`), and a ping heartbeat.
 */
import { DEFAULT_MAX_MESSAGE_BYTES, TransportError, TransportErrorCode } from '@mcp-transports/core';
import { WebSocket } from 'ws';
import { WebSocketClientTransportBase } from './_client.js';
import type { ClientSocket, ClientSocketEvents, WebSocketClientOptions } from './_client.js';
import { clientProtocols, DEFAULT_HEARTBEAT_MS, TAG } from './_shared.js';

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
    const headers: Record<string, string> = { ...options.headers };
    if (options.authToken !== undefined) headers.authorization = `Bearer ${options.authToken}`;
    const maxPayload = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const handshakeTimeout = options.handshakeTimeoutMs ?? 10_000;
    const closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
    super(url, clientProtocols(options.protocols, undefined), options, (target, protocols, events) =>
      openNodeSocket(target, protocols, events, { headers, maxPayload, heartbeatMs, handshakeTimeout, closeTimeoutMs }),
    );
  }
}

function openNodeSocket(
  url: string,
  protocols: string[],
  events: ClientSocketEvents,
  options: {
    headers: Record<string, string>;
    maxPayload: number;
    heartbeatMs: number;
    handshakeTimeout: number;
    closeTimeoutMs: number;
  },
): ClientSocket {
  const ws = new WebSocket(url, protocols, {
    headers: options.headers,
    maxPayload: options.maxPayload,
    perMessageDeflate: false,
    handshakeTimeout: options.handshakeTimeout,
  });
  let refused: TransportError | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let alive = true;
  ws.on('unexpected-response', (_req, res) => {
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
      refused = new TransportError(
        status === 401 || status === 403 ? TransportErrorCode.Refused : TransportErrorCode.Connection,
        `${TAG} the server refused the WebSocket upgrade with HTTP ${status}${detail === '' ? '' : `: ${detail}`}`,
      );
      ws.terminate();
    });
  });
  ws.on('open', () => {
    if (options.heartbeatMs > 0) {
      heartbeat = setInterval(() => {
        if (!alive) {
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, options.heartbeatMs);
      heartbeat.unref();
    }
    events.open();
  });
  ws.on('pong', () => (alive = true));
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    alive = true;
    events.message(isBinary ? undefined : data.toString('utf8'));
  });
  ws.on('error', (error: Error & { code?: string }) => {
    if (refused !== undefined) {
      events.error(refused);
      return;
    }
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      events.error(
        new TransportError(
          TransportErrorCode.MessageTooLarge,
          `${TAG} a message exceeds maxMessageBytes (${options.maxPayload}); closing (1009)`,
          { cause: error },
        ),
      );
      return;
    }
    events.error(new TransportError(TransportErrorCode.Connection, `${TAG} ${error.message}`, { cause: error }));
  });
  ws.on('close', (code: number, reason: Buffer) => {
    if (heartbeat !== undefined) clearInterval(heartbeat);
    events.close(code, reason.toString('utf8'));
  });
  return {
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    get protocol() {
      return ws.protocol;
    },
    send(text) {
      if (ws.readyState !== WebSocket.OPEN) {
        return Promise.reject(
          new TransportError(TransportErrorCode.Closed, `${TAG} send() while the connection is closing`),
        );
      }
      // Handed to the socket: ws frames and writes synchronously; a failed write closes the connection.
      ws.send(text);
      return Promise.resolve();
    },
    close(code, reason) {
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else {
        ws.close(code, reason);
        // A server that never answers the close frame must not hold close() hostage.
        setTimeout(() => {
          ws.terminate();
        }, options.closeTimeoutMs).unref();
      }
    },
  } satisfies ClientSocket;
}
