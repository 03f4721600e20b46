/**
 * `@mcp-transports/sse/browser`: the client transports on the global `fetch`, for browsers, Deno,
 * Bun and edge runtimes. No Node built-ins and no undici (a test bundles this entry to check).
 */
import type { Transport } from '@mcp-transports/core';
import { FallbackClient, type FallbackClientTransportOptions } from './_fallback.js';
import { fetchRequester, type FetchLike, type HttpRequester } from './_http.js';
import { SSEClient, type SSEClientTransportOptions } from './_legacy.js';
import { StreamableHTTPClient, type StreamableHTTPClientTransportOptions } from './_streamable.js';

export type { FallbackClientTransportOptions, TransportKind } from './_fallback.js';
export type { FetchLike } from './_http.js';
export type { SSEClientTransportOptions } from './_legacy.js';
export type { AuthProvider, HttpClientOptions, OAuthTokensProvider, UnauthorizedContext } from './_options.js';
export { HTTPStatusError } from './_options.js';
export type { StreamableHTTPClientTransportOptions, StreamableHTTPReconnectionOptions } from './_streamable.js';

function requester(options: SSEClientTransportOptions): HttpRequester {
  // Bound late, so a polyfill installed after import is used; `fetch` must be called on globalThis.
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  return fetchRequester(fetchFn, options.requestInit);
}

/** MCP Streamable HTTP client transport on `fetch` (same API as the Node entry, minus `dispatcher`). */
export class StreamableHTTPClientTransport extends StreamableHTTPClient {
  constructor(url: string | URL, options: StreamableHTTPClientTransportOptions = {}) {
    super(url, options, requester(options));
  }
}

/** The deprecated 2024-11-05 HTTP+SSE client transport on `fetch`. */
export class SSEClientTransport extends SSEClient {
  constructor(url: string | URL, options: SSEClientTransportOptions = {}) {
    super(url, options, requester(options));
  }
}

/** Streamable HTTP first; on 400/404/405 for `initialize`, the legacy HTTP+SSE transport (SH-54). */
export class FallbackClientTransport extends FallbackClient {
  constructor(url: string | URL, options: FallbackClientTransportOptions = {}) {
    super(
      () => new StreamableHTTPClientTransport(url, options),
      () => new SSEClientTransport(options.sseUrl ?? url, options),
    );
  }
}

/** Connects `client` (an SDK `Client`) with {@link FallbackClientTransport} and returns the transport. */
export async function connectWithFallback(
  client: { connect(transport: Transport): Promise<void> },
  url: string | URL,
  options?: FallbackClientTransportOptions,
): Promise<FallbackClientTransport> {
  const transport = new FallbackClientTransport(url, options);
  await client.connect(transport);
  return transport;
}
