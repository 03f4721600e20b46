/**
 * One error class for every transport, with a stable string `code` per failure kind, so callers
 * branch on `error.code` instead of parsing messages.
 */

/** Every failure kind a transport of this project can report. */
export const TransportErrorCode = {
  /** `send()` or another operation needs `start()` first. */
  NotStarted: 'ERR_NOT_STARTED',
  /** `start()` was called a second time. */
  AlreadyStarted: 'ERR_ALREADY_STARTED',
  /** The transport is closed (locally or by the peer); nothing more can be sent. */
  Closed: 'ERR_CLOSED',
  /** A message is larger than `maxMessageBytes`. */
  MessageTooLarge: 'ERR_MESSAGE_TOO_LARGE',
  /** Input is not valid JSON (JSON-RPC -32700). */
  ParseError: 'ERR_PARSE',
  /** Input is JSON but not a valid JSON-RPC 2.0 / MCP message (JSON-RPC -32600). */
  InvalidMessage: 'ERR_INVALID_MESSAGE',
  /** The medium failed: connection refused or lost, process exited, socket reset. */
  Connection: 'ERR_CONNECTION',
  /** Something took longer than its configured timeout. */
  Timeout: 'ERR_TIMEOUT',
  /** The peer refused us: authentication, Origin/Host check, protocol or version mismatch. */
  Refused: 'ERR_REFUSED',
  /** Too much is queued for a slow peer (the high-water mark was reached). */
  Backpressure: 'ERR_BACKPRESSURE',
  /** An event id given for resumption is unknown or was evicted: events may have been lost. */
  UnknownEvent: 'ERR_UNKNOWN_EVENT',
} as const;

export type TransportErrorCode = (typeof TransportErrorCode)[keyof typeof TransportErrorCode];

export interface TransportErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** The JSON-RPC error code that applies when this error is reported to a peer. */
  jsonRpcCode?: number;
  /** The id of the offending request, when it could be read (so the error response can carry it). */
  requestId?: string | number;
}

/**
 * The error every transport reports: through a rejected promise or through `onerror`.
 *
 * The message is tagged with its origin, e.g. `[mcp-transports/stdio] …`.
 */
export class TransportError extends Error {
  /** Stable, machine-readable failure kind. */
  readonly code: TransportErrorCode;
  /** The JSON-RPC error code that applies (-32700, -32600, …), when one does. */
  readonly jsonRpcCode: number | undefined;
  /** The id of the offending request, when one could be read. */
  readonly requestId: string | number | undefined;

  constructor(code: TransportErrorCode, message: string, options: TransportErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TransportError';
    this.code = code;
    this.jsonRpcCode = options.jsonRpcCode;
    this.requestId = options.requestId;
  }
}

/** Whether `value` is a {@link TransportError}, optionally of one code. Works across package copies. */
export function isTransportError(value: unknown, code?: TransportErrorCode): value is TransportError {
  if (!(value instanceof Error) || value.name !== 'TransportError') return false;
  const actual = (value as { code?: unknown }).code;
  return typeof actual === 'string' && (code === undefined || actual === code);
}

/**
 * Turns any thrown value into an `Error`: an `Error` is returned as is, anything else is wrapped
 * so `onerror` handlers always receive an `Error`.
 */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    // JSON.stringify throws on cycles and BigInt; String() never does.
    text = String(value);
  }
  return new Error(text, { cause: value });
}
