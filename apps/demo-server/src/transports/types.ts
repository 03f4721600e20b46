import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

/** Makes one MCP server for one client session. */
export type ServerFactory = () => McpServer;

/** Where a running medium can be reached, e.g. `{ medium: 'streamable-http', url: 'http://127.0.0.1:3000/mcp' }`. */
export interface Endpoint {
  readonly medium: string;
  readonly url: string;
}

/** One medium being served: its endpoints, a way to stop it, and a promise that settles when it stops. */
export interface Served {
  readonly endpoints: readonly Endpoint[];
  /** Settles when the medium stopped by itself (stdio: stdin ended) or after `close()`. */
  readonly closed: Promise<void>;
  /** Closes every session (each SDK server with it) and stops accepting. Idempotent. */
  close(): Promise<void>;
}

/** Browser access to a network medium. */
export interface OriginOptions {
  /**
   * Origins of web pages allowed to connect (exact match). Given: the Origin check accepts exactly
   * these and, on HTTP, CORS answers them. Absent: the package defaults (loopback origins, no CORS).
   */
  readonly allowedOrigins?: readonly string[];
}
