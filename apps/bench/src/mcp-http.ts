/**
 * What the HTTP suites send: the Streamable HTTP request headers, the initialize and ping bodies,
 * opening one session, and what the load generator (load/http-load.ts) answers.
 */

export const MCP_HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
  'mcp-protocol-version': '2025-06-18',
};

export const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } },
});

export const INITIALIZED = '{"jsonrpc":"2.0","method":"notifications/initialized"}';

/** A ping whose `__ID__` the load generator replaces with a fresh id. */
export const PING = '{"jsonrpc":"2.0","id":__ID__,"method":"ping"}';

/** The load generator's answer for one job. */
export interface LoadResult {
  elapsedMs: number;
  p50: number;
  p99: number;
  errors: number;
  /** What went wrong, by HTTP status or error code (`{ "502": 2, "ECONNRESET": 1 }`). */
  errorKinds: Record<string, number>;
}

/** `3 errors (ECONNRESET 2, 502 1)`, or nothing when there were none. */
export function describeErrors(errors: number, kinds: Record<string, number>): string | undefined {
  if (errors === 0) return undefined;
  const parts = Object.entries(kinds).map(([kind, n]) => `${kind} ${n}`);
  return `${errors} errors${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** Opens one session at `url` (initialize, then initialized); returns the headers that carry it. */
export async function initializeSession(url: string): Promise<Record<string, string>> {
  const response = await fetch(url, { method: 'POST', headers: MCP_HEADERS, body: INIT });
  await response.text();
  const sessionId = response.headers.get('mcp-session-id');
  if (sessionId === null) throw new Error(`no session id from ${url}`);
  const headers = { ...MCP_HEADERS, 'mcp-session-id': sessionId };
  await fetch(url, { method: 'POST', headers, body: INITIALIZED }).then((r) => r.text());
  return headers;
}
