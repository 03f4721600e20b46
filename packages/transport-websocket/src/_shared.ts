/**
 * What the server, the Node client and the browser client share. Browser-safe: no Node imports.
 */
import { TransportError, TransportErrorCode } from '@mcp-transports/core';

export const TAG = '[mcp-transports/websocket]';

/** The subprotocol every MCP WebSocket speaks (SDK v1 `WebSocketClientTransport`, SEP-1288). */
export const SUBPROTOCOL = 'mcp';

/**
 * Prefix of the subprotocol that carries a bearer token (`mcp.auth.<token>`), for browsers, which
 * cannot set an `Authorization` header on the upgrade request (SEP-1288). Never selected by the
 * server: the token must not be echoed back.
 */
export const AUTH_SUBPROTOCOL_PREFIX = 'mcp.auth.';

/** Close codes this package sends or interprets (RFC 6455 §7.4.1). */
export const CloseCode = {
  /** Normal closure: `close()` on either side. */
  Normal: 1000,
  /** The server is shutting down (`listener.close()`). */
  GoingAway: 1001,
  /** A binary frame: MCP over WebSocket is text only. */
  UnsupportedData: 1003,
  /** No close frame was received: the connection dropped (or a missed heartbeat). */
  Abnormal: 1006,
  /** A policy violation: too many messages before `start()`. */
  PolicyViolation: 1008,
  /** A message larger than `maxMessageBytes`. */
  MessageTooBig: 1009,
  /** The server hit an unexpected condition. */
  InternalError: 1011,
} as const;

export const DEFAULT_HEARTBEAT_MS: number = 30_000;

/**
 * What `send()` returns once a frame is handed to the socket. One settled promise shared by every
 * send: a settled promise cannot change, and a pipelined burst then allocates one promise fewer per
 * message.
 */
export const SENT: Promise<void> = Promise.resolve();
export const DEFAULT_MAX_BUFFERED_BYTES: number = 8 * 1024 * 1024;

/** How a connection ended: the close code and reason as received, and what they mean. */
export interface CloseInfo {
  /** The WebSocket close code (1000 normal, 1006 dropped, …). */
  code: number;
  /** The close reason text the peer sent, if any. */
  reason: string;
  /** Whether this side asked for the close (`close()`), as opposed to the peer or the network. */
  local: boolean;
}

/**
 * Turns a close the application did not ask for into a clear error, or `undefined` for a normal
 * close. Reported through `onerror` just before `onclose`, so a user sees why the session ended.
 */
export function closeError(code: number, reason: string): TransportError | undefined {
  const said = reason === '' ? '' : `: ${reason}`;
  switch (code) {
    case CloseCode.Normal:
      return undefined;
    case CloseCode.GoingAway:
      return new TransportError(TransportErrorCode.Connection, `${TAG} the peer is going away (1001)${said}`);
    case CloseCode.UnsupportedData:
      return new TransportError(
        TransportErrorCode.InvalidMessage,
        `${TAG} the peer refused a binary frame (1003)${said}; MCP over WebSocket is text only`,
      );
    case CloseCode.PolicyViolation:
      return new TransportError(
        TransportErrorCode.Refused,
        `${TAG} the peer closed for a policy violation (1008)${said}`,
      );
    case CloseCode.MessageTooBig:
      return new TransportError(
        TransportErrorCode.MessageTooLarge,
        `${TAG} a message exceeded the peer's size limit (1009)${said}`,
      );
    case CloseCode.Abnormal:
      return new TransportError(
        TransportErrorCode.Connection,
        `${TAG} the connection dropped without a close frame (1006)${said}`,
      );
    default:
      return new TransportError(TransportErrorCode.Connection, `${TAG} the connection closed with code ${code}${said}`);
  }
}

/** The default offer, shared by every client that adds nothing (sockets only read it). */
const MCP_ONLY: readonly string[] = Object.freeze([SUBPROTOCOL]);

/** The subprotocol list a client offers: `mcp` first, then the token (if any), then extra ones. */
export function clientProtocols(extra: readonly string[] | undefined, token: string | undefined): readonly string[] {
  if (token === undefined && (extra === undefined || extra.length === 0)) return MCP_ONLY;
  const list = [SUBPROTOCOL];
  if (token !== undefined) list.push(AUTH_SUBPROTOCOL_PREFIX + token);
  for (const p of extra ?? []) if (!list.includes(p)) list.push(p);
  return list;
}
