/**
 * MCP 2026-07-28 (stateless Streamable HTTP) on the client side: which messages belong to that
 * era and the per-message headers they carry. Shared constants live here (client side), so the
 * server half of the package can import them without the two halves editing one file.
 */
import { isJSONRPCNotification, isJSONRPCRequest, type JSONRPCMessage } from '@mcp-transports/core';

/** The first protocol revision of the stateless era. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';
/** The `_meta` key every 2026-07-28 request carries its protocol version under (M26-1). */
export const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
/** The `=?base64?…?=` sentinel for header values that are not plain printable ASCII (M26-20). */
export const BASE64_PREFIX = '=?base64?';
export const BASE64_SUFFIX = '?=';

/**
 * Headers derived from the body, which a caller's per-request `headers` may not override: a
 * disagreement with the body is exactly what the server rejects with −32020 (M26-17, M26-20).
 */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'content-type',
  'mcp-protocol-version',
  'mcp-method',
  'mcp-name',
  'mcp-session-id',
]);

/** The params field `Mcp-Name` mirrors, per method (M26-20). */
const NAME_SOURCE: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
};

/** Revision ids are ISO dates, so a string comparison orders them. */
export function isModernVersion(version: string | undefined): boolean {
  return version !== undefined && version >= MODERN_PROTOCOL_VERSION;
}

/** The protocol version a request claims in `params._meta`, if it claims one. */
export function envelopeVersion(message: JSONRPCMessage): string | undefined {
  if (!isJSONRPCRequest(message) && !isJSONRPCNotification(message)) return undefined;
  const meta = (message.params as { _meta?: Record<string, unknown> } | undefined)?._meta;
  const version = meta?.[PROTOCOL_VERSION_META_KEY];
  return typeof version === 'string' ? version : undefined;
}

function needsBase64(value: string): boolean {
  if (value !== value.trim()) return true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== 9 && (c < 0x20 || c > 0x7e)) return true;
  }
  return false;
}

/**
 * An HTTP field value for `value`: printable ASCII with no edge whitespace passes through, anything
 * else becomes `=?base64?{base64 of the UTF-8}?=` (M26-20, M26-21).
 */
export function encodeHeaderValue(value: string): string {
  if (!needsBase64(value)) return value;
  let binary = '';
  for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
  return `${BASE64_PREFIX}${btoa(binary)}${BASE64_SUFFIX}`;
}

/** The inverse of {@link encodeHeaderValue}; `undefined` for a malformed sentinel. */
export function decodeHeaderValue(value: string): string | undefined {
  if (!value.startsWith(BASE64_PREFIX) || !value.endsWith(BASE64_SUFFIX)) return value;
  const encoded = value.slice(BASE64_PREFIX.length, value.length - BASE64_SUFFIX.length);
  try {
    const binary = atob(encoded);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The request metadata headers of one 2026-07-28 POST (M26-12, M26-17, M26-20): the protocol
 * version (the body's claim wins over the connection's), `Mcp-Method`, and `Mcp-Name` where the
 * method has one.
 */
export function modernHeaders(message: JSONRPCMessage, version: string): Record<string, string> {
  const headers: Record<string, string> = { 'mcp-protocol-version': version };
  if (!isJSONRPCRequest(message) && !isJSONRPCNotification(message)) return headers;
  headers['mcp-method'] = message.method;
  const field = Object.hasOwn(NAME_SOURCE, message.method) ? NAME_SOURCE[message.method] : undefined;
  if (field !== undefined) {
    const value = message.params?.[field];
    if (typeof value === 'string') headers['mcp-name'] = encodeHeaderValue(value);
  }
  return headers;
}
