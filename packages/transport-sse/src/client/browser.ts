/**
 * `@mcp-transports/sse/browser`: the client transports on the global `fetch`, for browsers, Deno,
 * Bun and edge runtimes. No Node built-ins and no undici (a test bundles this entry to check).
 */
import { fetchRequester, type FetchLike } from './_http.js';
import { StreamableHTTPClient, type StreamableHTTPClientTransportOptions } from './_streamable.js';

export type { FetchLike } from './_http.js';
export type { AuthProvider, HttpClientOptions, OAuthTokensProvider, UnauthorizedContext } from './_options.js';
export { HTTPStatusError } from './_options.js';
export type { StreamableHTTPClientTransportOptions, StreamableHTTPReconnectionOptions } from './_streamable.js';

function globalFetch(options: { fetch?: FetchLike | undefined }): FetchLike {
  // Bound late, so a polyfill installed after import is used; `fetch` must be called on globalThis.
  return options.fetch ?? ((url, init) => globalThis.fetch(url, init));
}

/** MCP Streamable HTTP client transport on `fetch` (same API as the Node entry, minus `dispatcher`). */
export class StreamableHTTPClientTransport extends StreamableHTTPClient {
  constructor(url: string | URL, options: StreamableHTTPClientTransportOptions = {}) {
    super(url, options, fetchRequester(globalFetch(options), options.requestInit));
  }
}
