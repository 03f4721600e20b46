/**
 * `@mcp-transports/sse/client`: MCP clients over HTTP for Node, on undici (keep-alive pooling).
 * The same API on `fetch`, with no Node imports, is `@mcp-transports/sse/browser`.
 */
import type { Dispatcher } from 'undici';
import { fetchRequester } from './_http.js';
import { StreamableHTTPClient, type StreamableHTTPClientTransportOptions as BaseOptions } from './_streamable.js';
import { undiciRequester } from './_undici.js';

export type { FetchLike } from './_http.js';
export type { AuthProvider, HttpClientOptions, OAuthTokensProvider, UnauthorizedContext } from './_options.js';
export { HTTPStatusError } from './_options.js';
export type { StreamableHTTPReconnectionOptions } from './_streamable.js';

/** Node options: everything the browser client takes, plus the undici `dispatcher`. */
export interface StreamableHTTPClientTransportOptions extends BaseOptions {
  /**
   * The undici dispatcher (an `Agent`, `Pool`, `ProxyAgent`, …) for every request. Ignored when
   * `fetch` is given.
   * @default undici's global dispatcher (a keep-alive Agent)
   */
  dispatcher?: Dispatcher | undefined;
}

/**
 * MCP Streamable HTTP client transport (2025-03-26 … 2025-11-25), a drop-in for the SDK's
 * `StreamableHTTPClientTransport`: `client.connect(new StreamableHTTPClientTransport(url))`.
 */
export class StreamableHTTPClientTransport extends StreamableHTTPClient {
  constructor(url: string | URL, options: StreamableHTTPClientTransportOptions = {}) {
    super(
      url,
      options,
      options.fetch === undefined
        ? undiciRequester(options.dispatcher)
        : fetchRequester(options.fetch, options.requestInit),
    );
  }
}
