/**
 * `@mcp-transports/sse/client`: MCP clients over HTTP for Node, on undici (keep-alive pooling).
 * The same API on `fetch`, with no Node imports, is `@mcp-transports/sse/browser`.
 */
import type { Transport } from '@mcp-transports/core';
import type { Dispatcher } from 'undici';
import { FallbackClient, type FallbackClientTransportOptions as BaseFallbackOptions } from './_fallback.js';
import { fetchRequester, type HttpRequester } from './_http.js';
import { SSEClient, type SSEClientTransportOptions as BaseSSEOptions } from './_legacy.js';
import { StreamableHTTPClient, type StreamableHTTPClientTransportOptions as BaseOptions } from './_streamable.js';
import { undiciRequester } from './_undici.js';

export type { TransportKind } from './_fallback.js';
export type { FetchLike } from './_http.js';
export type { AuthProvider, HttpClientOptions, OAuthTokensProvider, UnauthorizedContext } from './_options.js';
export { HTTPStatusError } from './_options.js';
export type { StreamableHTTPReconnectionOptions } from './_streamable.js';

/** The Node-only option: which undici dispatcher carries the requests. */
export interface NodeHttpOptions {
  /**
   * The undici dispatcher (an `Agent`, `Pool`, `ProxyAgent`, …) for every request. Ignored when
   * `fetch` is given.
   * @default undici's global dispatcher (a keep-alive Agent)
   */
  dispatcher?: Dispatcher | undefined;
}

export interface StreamableHTTPClientTransportOptions extends BaseOptions, NodeHttpOptions {}
export interface SSEClientTransportOptions extends BaseSSEOptions, NodeHttpOptions {}
export interface FallbackClientTransportOptions extends BaseFallbackOptions, NodeHttpOptions {}

function requester(options: BaseSSEOptions & NodeHttpOptions): HttpRequester {
  return options.fetch === undefined
    ? undiciRequester(options.dispatcher)
    : fetchRequester(options.fetch, options.requestInit);
}

/**
 * MCP Streamable HTTP client transport (2025-03-26 … 2025-11-25), a drop-in for the SDK's
 * `StreamableHTTPClientTransport`: `await client.connect(new StreamableHTTPClientTransport(url))`.
 */
export class StreamableHTTPClientTransport extends StreamableHTTPClient {
  constructor(url: string | URL, options: StreamableHTTPClientTransportOptions = {}) {
    super(url, options, requester(options));
  }
}

/** The deprecated 2024-11-05 HTTP+SSE client transport, a drop-in for the SDK's `SSEClientTransport`. */
export class SSEClientTransport extends SSEClient {
  constructor(url: string | URL, options: SSEClientTransportOptions = {}) {
    super(url, options, requester(options));
  }
}

/**
 * Streamable HTTP first; on 400/404/405 for `initialize`, the legacy HTTP+SSE transport (SH-54).
 * `transport.kind` says which one is in use after `connect()`.
 */
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
