/**
 * JSON-RPC 2.0 message types as MCP uses them, their type guards, and the error codes.
 *
 * The types are structurally identical to the official SDK's (`@modelcontextprotocol/sdk` v1 and
 * the v2 packages): a message typed here can be passed to the SDK and back without casts.
 */

export const JSONRPC_VERSION = '2.0' as const;

/** A request id: a string or an integer. `0` and `""` are real ids; `null` is never one (JR-4, JR-5). */
export type RequestId = string | number;

/** Progress token carried in `params._meta.progressToken`. */
export type ProgressToken = string | number;

/** Parameters of a request or notification. `_meta` is reserved by MCP (JR-15). */
export interface MessageParams {
  [key: string]: unknown;
  _meta?: { [key: string]: unknown } | undefined;
}

/** A request: expects a response with the same id. */
export interface JSONRPCRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: MessageParams | undefined;
}

/** A notification: no id, no response (JR-12, JR-13). */
export interface JSONRPCNotification {
  jsonrpc: '2.0';
  method: string;
  params?: MessageParams | undefined;
}

/** A successful response. */
export interface JSONRPCResultResponse {
  jsonrpc: '2.0';
  id: RequestId;
  result: { [key: string]: unknown; _meta?: { [key: string]: unknown } | undefined };
}

/** The `error` member of an error response. Codes are integers (JR-11). */
export interface JSONRPCErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/**
 * An error response. `id` is absent when the request's id could not be read (JR-9, 2025-11-25).
 */
export interface JSONRPCErrorResponse {
  jsonrpc: '2.0';
  id?: RequestId | undefined;
  error: JSONRPCErrorObject;
}

export type JSONRPCResponse = JSONRPCResultResponse | JSONRPCErrorResponse;

/** Any single JSON-RPC message MCP exchanges. */
export type JSONRPCMessage = JSONRPCRequest | JSONRPCNotification | JSONRPCResultResponse | JSONRPCErrorResponse;

// ---------------------------------------------------------------------------------------------
// Error codes, as literal-typed constants.

/** Invalid JSON was received. */
export const PARSE_ERROR: -32700 = -32700;
/** The JSON sent is not a valid request object. */
export const INVALID_REQUEST: -32600 = -32600;
/** The method does not exist or is not available. */
export const METHOD_NOT_FOUND: -32601 = -32601;
/** Invalid method parameters. */
export const INVALID_PARAMS: -32602 = -32602;
/** Internal JSON-RPC error. */
export const INTERNAL_ERROR: -32603 = -32603;

/** MCP: the connection was closed (SDK `ErrorCode.ConnectionClosed`). */
export const CONNECTION_CLOSED: -32000 = -32000;
/** MCP: the request timed out (SDK `ErrorCode.RequestTimeout`). */
export const REQUEST_TIMEOUT: -32001 = -32001;
/** MCP: the resource was not found. */
export const RESOURCE_NOT_FOUND: -32002 = -32002;
/** MCP: URL elicitation required (2025-11-25). */
export const URL_ELICITATION_REQUIRED: -32042 = -32042;
/** MCP 2026-07-28: a request header does not match the body (M26-17, M26-21). */
export const HEADER_MISMATCH: -32020 = -32020;
/** MCP 2026-07-28: a required client capability is missing (M26-24). */
export const MISSING_REQUIRED_CLIENT_CAPABILITY: -32021 = -32021;
/** MCP 2026-07-28: unsupported protocol version (M26-18). */
export const UNSUPPORTED_PROTOCOL_VERSION: -32022 = -32022;

// ---------------------------------------------------------------------------------------------
// Type guards. They look at the shape only; `decodeMessage` is what validates untrusted input.

/** A request: has a `method` and an `id`. */
export function isJSONRPCRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message;
}

/** A notification: has a `method` and no `id`. */
export function isJSONRPCNotification(message: JSONRPCMessage): message is JSONRPCNotification {
  return 'method' in message && !('id' in message);
}

/** A successful response: has a `result`. */
export function isJSONRPCResultResponse(message: JSONRPCMessage): message is JSONRPCResultResponse {
  return 'result' in message;
}

/** An error response: has an `error`. */
export function isJSONRPCErrorResponse(message: JSONRPCMessage): message is JSONRPCErrorResponse {
  return 'error' in message;
}

/** Either kind of response. */
export function isJSONRPCResponse(message: JSONRPCMessage): message is JSONRPCResponse {
  return 'result' in message || 'error' in message;
}

/** An error response without an `id`, ready to send or to put in an HTTP body (SH-3, SH-11). */
export function createErrorResponse(
  code: number,
  message: string,
  id?: RequestId,
  data?: unknown,
): JSONRPCErrorResponse {
  const error: JSONRPCErrorObject = data === undefined ? { code, message } : { code, message, data };
  return id === undefined ? { jsonrpc: JSONRPC_VERSION, error } : { jsonrpc: JSONRPC_VERSION, id, error };
}
