/**
 * Decoding untrusted input into JSON-RPC messages, and encoding messages back.
 *
 * Validation follows JR-1..JR-14 and costs little on top of `JSON.parse`: a handful of property
 * checks on the top-level object, no schema walk of `params` or `result`.
 *
 * Leniencies, each because a real peer needs it:
 * - An error response with `"id": null` is accepted and delivered without an `id`: the official
 *   SDK's HTTP error bodies carry `"id": null` (JSON-RPC 2.0 §5 allows it; MCP's schema omits it).
 * - Unknown top-level members are kept, not rejected: peers add extensions.
 *
 * Prototype pollution: `JSON.parse` creates `__proto__` and `constructor` as plain own data
 * properties and never touches `Object.prototype`; nothing here merges parsed objects into others.
 */
import { decodeUtf8Strict } from './_utf8.js';
import { TransportError, TransportErrorCode } from './errors.js';
import { INVALID_REQUEST, PARSE_ERROR } from './jsonrpc.js';
import type { JSONRPCMessage, RequestId } from './jsonrpc.js';

export interface DecodeOptions {
  /**
   * Accept a JSON array of messages (a batch). Batches were allowed only by 2025-03-26 and removed
   * in 2025-06-18 (JR-14).
   * @default false
   */
  allowBatch?: boolean;
}

/** A decoded message, or the reason the input is not one. */
export type DecodeResult =
  { ok: true; message: JSONRPCMessage; error?: undefined } | { ok: false; message?: undefined; error: TransportError };

/** Decoded messages (one, or a batch when allowed), or the reason the input is not valid. */
export type DecodeBatchResult =
  | { ok: true; messages: JSONRPCMessage[]; batch: boolean; error?: undefined }
  | { ok: false; messages?: undefined; batch?: undefined; error: TransportError };

const TAG = '[mcp-transports/core]';

/**
 * Decodes one JSON-RPC message from a string or UTF-8 bytes.
 *
 * Never throws: malformed JSON yields `ERR_PARSE` (JSON-RPC -32700), a wrong shape yields
 * `ERR_INVALID_MESSAGE` (-32600) whose message says exactly what is wrong. A JSON array is refused
 * unless `allowBatch` is set; use {@link decodeBatch} to receive batches.
 */
export function decodeMessage(input: string | Uint8Array, options?: DecodeOptions): DecodeResult {
  const parsed = parseJson(input);
  if (parsed instanceof TransportError) return { ok: false, error: parsed };
  if (Array.isArray(parsed)) {
    return {
      ok: false,
      error: invalid(
        options?.allowBatch === true
          ? 'expected one message, got a batch; use decodeBatch() for batches'
          : 'JSON-RPC batches are not supported since MCP 2025-06-18 (JR-14)',
      ),
    };
  }
  return validateMessage(parsed);
}

/** Decodes one message or, with `allowBatch`, a non-empty array of messages. */
export function decodeBatch(input: string | Uint8Array, options?: DecodeOptions): DecodeBatchResult {
  const parsed = parseJson(input);
  if (parsed instanceof TransportError) return { ok: false, error: parsed };
  if (!Array.isArray(parsed)) {
    const single = validateMessage(parsed);
    return single.ok ? { ok: true, messages: [single.message], batch: false } : single;
  }
  if (options?.allowBatch !== true) {
    return { ok: false, error: invalid('JSON-RPC batches are not supported since MCP 2025-06-18 (JR-14)') };
  }
  if (parsed.length === 0) return { ok: false, error: invalid('a batch must not be empty') };
  const messages: JSONRPCMessage[] = [];
  for (let i = 0; i < parsed.length; i++) {
    const one = validateMessage(parsed[i]);
    if (!one.ok) {
      return { ok: false, error: invalid(`batch item ${i}: ${stripTag(one.error.message)}`, one.error.requestId) };
    }
    messages.push(one.message);
  }
  return { ok: true, messages, batch: true };
}

/**
 * Validates an already-parsed JSON value as one JSON-RPC message (for bodies parsed elsewhere).
 * The value is returned as is when valid, except that an error response's `"id": null` is removed.
 */
export function validateMessage(value: unknown): DecodeResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: invalid(`a message must be a JSON object, got ${describe(value)}`) };
  }
  const m = value as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') {
    return { ok: false, error: invalid(`"jsonrpc" must be "2.0", got ${describe(m.jsonrpc)}`, readableId(m)) };
  }
  const hasId = 'id' in m;
  if ('method' in m) {
    if (typeof m.method !== 'string') {
      return { ok: false, error: invalid(`"method" must be a string, got ${describe(m.method)}`, readableId(m)) };
    }
    if (hasId && !isRequestId(m.id)) {
      // JR-4, JR-5: a request id is a string or an integer, never null.
      return { ok: false, error: invalid(`"id" must be a string or an integer, got ${describe(m.id)}`) };
    }
    if ('params' in m && (typeof m.params !== 'object' || m.params === null || Array.isArray(m.params))) {
      return {
        ok: false,
        error: invalid(
          `"params" must be an object (MCP uses named parameters), got ${describe(m.params)}`,
          readableId(m),
        ),
      };
    }
    if ('result' in m || 'error' in m) {
      return {
        ok: false,
        error: invalid('a request or notification must not carry "result" or "error"', readableId(m)),
      };
    }
    return { ok: true, message: m as unknown as JSONRPCMessage };
  }
  const hasResult = 'result' in m;
  const hasError = 'error' in m;
  if (hasResult && hasError) {
    return { ok: false, error: invalid('a response must not carry both "result" and "error" (JR-8)', readableId(m)) };
  }
  if (hasResult) {
    if (!isRequestId(m.id)) {
      return { ok: false, error: invalid(`a result response needs a string or integer "id", got ${describe(m.id)}`) };
    }
    if (typeof m.result !== 'object' || m.result === null || Array.isArray(m.result)) {
      return { ok: false, error: invalid(`"result" must be an object, got ${describe(m.result)}`, m.id) };
    }
    return { ok: true, message: m as unknown as JSONRPCMessage };
  }
  if (hasError) {
    if (hasId && m.id !== null && !isRequestId(m.id)) {
      return {
        ok: false,
        error: invalid(`an error response's "id" must be a string or an integer, got ${describe(m.id)}`),
      };
    }
    const e = m.error;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) {
      return { ok: false, error: invalid(`"error" must be an object, got ${describe(e)}`, readableId(m)) };
    }
    const { code, message } = e as Record<string, unknown>;
    if (!Number.isInteger(code)) {
      return {
        ok: false,
        error: invalid(`"error.code" must be an integer (JR-11), got ${describe(code)}`, readableId(m)),
      };
    }
    if (typeof message !== 'string') {
      return { ok: false, error: invalid(`"error.message" must be a string, got ${describe(message)}`, readableId(m)) };
    }
    // Leniency: the SDK's HTTP error bodies say `"id": null`; deliver them as id-less errors.
    if (hasId && m.id === null) delete m.id;
    return { ok: true, message: m as unknown as JSONRPCMessage };
  }
  return {
    ok: false,
    error: invalid('not a request, notification or response: no "method", "result" or "error"', readableId(m)),
  };
}

/**
 * Encodes one message (or a batch) as compact JSON. The result never contains a raw line break:
 * `JSON.stringify` escapes `\n` and `\r` inside strings, so it is safe for newline framing (ST-4).
 * Throws `ERR_INVALID_MESSAGE` for values JSON cannot represent (a `BigInt`, a cycle).
 */
export function encodeMessage(message: JSONRPCMessage | readonly JSONRPCMessage[]): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(message);
  } catch (cause) {
    throw new TransportError(TransportErrorCode.InvalidMessage, `${TAG} cannot encode message: ${String(cause)}`, {
      cause,
      jsonRpcCode: INVALID_REQUEST,
    });
  }
  if (typeof text !== 'string') {
    throw new TransportError(TransportErrorCode.InvalidMessage, `${TAG} cannot encode message: not a JSON value`, {
      jsonRpcCode: INVALID_REQUEST,
    });
  }
  return text;
}

/** Whether `value` is a legal request id: a string or an integer (`0` and `""` included). */
export function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || Number.isInteger(value);
}

function parseJson(input: string | Uint8Array): unknown {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = decodeUtf8Strict(input);
    } catch (cause) {
      return new TransportError(TransportErrorCode.ParseError, `${TAG} message is not valid UTF-8 (JR-1)`, {
        cause,
        jsonRpcCode: PARSE_ERROR,
      });
    }
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    return new TransportError(
      TransportErrorCode.ParseError,
      `${TAG} malformed JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause, jsonRpcCode: PARSE_ERROR },
    );
  }
}

function invalid(reason: string, requestId?: RequestId): TransportError {
  return new TransportError(TransportErrorCode.InvalidMessage, `${TAG} invalid JSON-RPC message: ${reason}`, {
    jsonRpcCode: INVALID_REQUEST,
    ...(requestId === undefined ? {} : { requestId }),
  });
}

function readableId(m: Record<string, unknown>): RequestId | undefined {
  return isRequestId(m.id) ? m.id : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string "${value.slice(0, 40)}…"` : `"${value}"`;
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'nothing';
  return `a${typeof value === 'object' ? 'n' : ''} ${typeof value}`;
}

function stripTag(message: string): string {
  return message.startsWith(TAG) ? message.slice(TAG.length + 1) : message;
}
