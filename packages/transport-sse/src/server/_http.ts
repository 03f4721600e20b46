/**
 * Small HTTP helpers shared by the Streamable HTTP and legacy handlers: error bodies, media
 * types, SSE framing, and the DNS-rebinding and CORS rules.
 */
import { encodeMessage, type JSONRPCMessage } from '@mcp-transports/core';
import type { Exchange, HeaderMap } from './_exchange.js';

export const TAG = '[mcp-transports/sse]';

/** Every protocol revision this server speaks, newest first. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = [
  '2025-11-25',
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
  '2024-10-07',
];
/** What a request without `MCP-Protocol-Version` speaks (SH-51). */
export const DEFAULT_PROTOCOL_VERSION = '2025-03-26';

/** Generic server error code the SDK uses for transport-level refusals. */
export const SERVER_ERROR = -32000;
/** The SDK's code for an unknown or ended session. */
export const SESSION_NOT_FOUND = -32001;

/**
 * A JSON-RPC error body without `id` (SH-3, SH-11): the SDK's clients read `error.message` from
 * it, so a refused request always explains itself.
 */
export function errorBody(code: number, message: string): string {
  return `{"jsonrpc":"2.0","error":{"code":${code},"message":${JSON.stringify(message)}}}`;
}

export function sendError(
  ex: Exchange,
  status: number,
  code: number,
  message: string,
  headers: HeaderMap,
  extraHeaders?: HeaderMap,
): void {
  ex.respond(
    status,
    { ...headers, ...extraHeaders, 'content-type': 'application/json' },
    errorBody(code, `${TAG} ${message}`),
  );
}

/** Whether an `Accept` header lists `type` (or a wildcard covering it). No header accepts nothing. */
export function accepts(accept: string | undefined, type: 'application/json' | 'text/event-stream'): boolean {
  if (accept === undefined) return false;
  if (accept.includes(type)) return true;
  const slash = type.indexOf('/');
  return accept.includes('*/*') || accept.includes(`${type.slice(0, slash)}/*`);
}

/** `application/json`, optionally with parameters (`; charset=utf-8`), case-insensitive. */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const semi = value.indexOf(';');
  const type = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
  return type === 'application/json';
}

/** One SSE `message` event; `id` when the stream is resumable. */
export function sseEvent(message: JSONRPCMessage, id?: string): string {
  return sseData(encodeMessage(message), id);
}

/** One SSE `message` event from already-encoded JSON (which never holds a raw line break). */
export function sseData(data: string, id?: string): string {
  return id === undefined ? `event: message\ndata: ${data}\n\n` : `event: message\nid: ${id}\ndata: ${data}\n\n`;
}

export const SSE_HEADERS: HeaderMap = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  // nginx and friends buffer responses unless told not to; an SSE stream must flow (M26-14).
  'x-accel-buffering': 'no',
};

// ------------------------------------------------------------------------------------------------
// DNS rebinding (SH-2, SH-3, LS-1)

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return (colon === -1 ? host : host.slice(0, colon)).toLowerCase();
}

export interface RebindingRules {
  /** `'auto'`: on when the request arrived on a loopback address. */
  protection: boolean | 'auto';
  allowedHosts: readonly string[] | undefined;
  allowedOrigins: readonly string[] | undefined;
}

/**
 * Returns why the request must be refused with 403, or `undefined` when it passes.
 *
 * With protection on and no allow-lists, only loopback names pass as `Host` and as the `Origin`'s
 * host: a page on evil.example that rebinds its name to 127.0.0.1 sends `Host: evil.example`.
 * An explicit `allowedHosts` / `allowedOrigins` list always applies, whatever the bind address.
 */
export function checkRebinding(ex: Exchange, rules: RebindingRules): string | undefined {
  const on = rules.protection === 'auto' ? ex.loopback === true : rules.protection;
  const host = ex.header('host');
  if (rules.allowedHosts !== undefined) {
    if (host === undefined || !(rules.allowedHosts.includes(host) || rules.allowedHosts.includes(hostnameOf(host)))) {
      return `Host header ${JSON.stringify(host ?? '')} is not allowed`;
    }
  } else if (on && host !== undefined && !LOOPBACK_HOSTNAMES.has(hostnameOf(host))) {
    return `Host header ${JSON.stringify(host)} is not a loopback name (DNS-rebinding protection)`;
  }
  const origin = ex.header('origin');
  if (origin === undefined) return undefined;
  if (rules.allowedOrigins !== undefined) {
    return rules.allowedOrigins.includes(origin) ? undefined : `Origin ${JSON.stringify(origin)} is not allowed`;
  }
  if (!on) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).hostname;
  } catch {
    return `Origin ${JSON.stringify(origin)} is not a valid origin`;
  }
  return LOOPBACK_HOSTNAMES.has(originHost.toLowerCase())
    ? undefined
    : `Origin ${JSON.stringify(origin)} is not a loopback origin (DNS-rebinding protection)`;
}

// ------------------------------------------------------------------------------------------------
// CORS

export interface CorsOptions {
  /**
   * Origins allowed to call the endpoint from a browser: `'*'`, one origin, or a list.
   * @default '*'
   */
  origin?: string | readonly string[];
  /** Extra request headers to allow, besides the MCP ones. @default [] */
  allowHeaders?: readonly string[];
  /** How long a browser may cache the preflight, in seconds. @default 86400 */
  maxAge?: number;
}

const CORS_ALLOW_HEADERS = [
  'content-type',
  'accept',
  'authorization',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
  // 2026-07-28 request headers (M26-20); add `Mcp-Param-*` names a tool declares via `allowHeaders`.
  'mcp-method',
  'mcp-name',
];
const CORS_EXPOSE_HEADERS = 'mcp-session-id, mcp-protocol-version, www-authenticate';

export interface Cors {
  /** Headers for an ordinary response to this request (empty when the origin is not allowed). */
  headers(ex: Exchange): HeaderMap;
  /** Headers for a preflight answer. */
  preflight(ex: Exchange, allow: string): HeaderMap;
}

export function createCors(options: CorsOptions | true): Cors {
  const o = options === true ? {} : options;
  const origin = o.origin ?? '*';
  const allowHeaders = [...CORS_ALLOW_HEADERS, ...(o.allowHeaders ?? [])].join(', ');
  const maxAge = String(o.maxAge ?? 86_400);
  const allowOrigin = (ex: Exchange): string | undefined => {
    if (origin === '*') return '*';
    const requested = ex.header('origin');
    if (requested === undefined) return undefined;
    if (typeof origin === 'string') return origin === requested ? requested : undefined;
    return origin.includes(requested) ? requested : undefined;
  };
  return {
    headers(ex) {
      const allowed = allowOrigin(ex);
      if (allowed === undefined) return {};
      const headers: HeaderMap = {
        'access-control-allow-origin': allowed,
        'access-control-expose-headers': CORS_EXPOSE_HEADERS,
      };
      if (allowed !== '*') headers.vary = 'Origin';
      return headers;
    },
    preflight(ex, allow) {
      return {
        ...this.headers(ex),
        'access-control-allow-methods': allow,
        'access-control-allow-headers': allowHeaders,
        'access-control-max-age': maxAge,
      };
    },
  };
}
