/**
 * The browser entry: the same client API on the platform's global `WebSocket` — no Node built-ins,
 * no `ws`. Also runs in Deno, Bun, Cloudflare Workers and Node >= 22 (global `WebSocket`).
 *
 * Browsers cannot set headers on the upgrade request, so `authToken` travels as the subprotocol
 * `mcp.auth.<token>` (SEP-1288), and browsers answer the server's pings themselves: the server's
 * heartbeat detects a dead browser, while the browser learns of a dead server when the OS does.
 */
import { TransportError, TransportErrorCode, utf8ByteLength } from '@mcp-transports/core';
import { WebSocketClientTransportBase } from './_client.js';
import type { ClientSocket, ClientSocketEvents, WebSocketClientOptions } from './_client.js';
import { clientProtocols, SENT, TAG } from './_shared.js';

export type { WebSocketClientOptions } from './_client.js';
export type { CloseInfo } from './_shared.js';
export { AUTH_SUBPROTOCOL_PREFIX, CloseCode, SUBPROTOCOL } from './_shared.js';

/** Characters allowed in a subprotocol (an RFC 7230 token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** MCP client transport over WebSocket for browsers and other runtimes with a global `WebSocket`. */
export class WebSocketClientTransport extends WebSocketClientTransportBase {
  constructor(url: string | URL, options: WebSocketClientOptions = {}) {
    if (options.authToken !== undefined && !TOKEN.test(options.authToken)) {
      throw new TypeError(
        `${TAG} authToken cannot travel as a subprotocol: it may contain only letters, digits and !#$%&'*+-.^_\`|~ (base64url JWTs qualify)`,
      );
    }
    super(url, clientProtocols(options.protocols, options.authToken), options, openBrowserSocket, undefined);
  }
}

function openBrowserSocket(url: string, protocols: readonly string[], events: ClientSocketEvents): ClientSocket {
  const ws = new globalThis.WebSocket(url, protocols as string[]);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => {
    events.socketOpen(socket);
  };
  ws.onmessage = (event: MessageEvent) => {
    events.socketMessage(socket, typeof event.data === 'string' ? event.data : undefined);
  };
  ws.onerror = () => {
    // Browsers hide the cause (refused upgrade, DNS, TLS) from scripts on purpose.
    events.socketError(socket, new TransportError(TransportErrorCode.Connection, `${TAG} WebSocket error on ${url}`));
  };
  ws.onclose = (event: CloseEvent) => {
    events.socketClose(socket, event.code, event.reason);
  };
  const socket = {
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    get protocol() {
      return ws.protocol;
    },
    byteLength: utf8ByteLength,
    sendText(text) {
      try {
        ws.send(text);
      } catch (error) {
        return Promise.reject(
          new TransportError(TransportErrorCode.Connection, `${TAG} send failed`, { cause: error }),
        );
      }
      // Handed to the browser, which queues it (visible in bufferedAmount) and sends it in order.
      return SENT;
    },
    closeWith(code, reason) {
      ws.close(code, reason);
    },
  } satisfies ClientSocket;
  return socket;
}
