/**
 * The `Transport` contract: structurally identical to the official MCP SDK's `Transport`
 * (`@modelcontextprotocol/sdk` 1.32 and the v2 `@modelcontextprotocol/client` / `server`
 * packages, including v2's optional members). An instance can be handed to the SDK's
 * `Client.connect()` / `McpServer.connect()` with no adapter; type-level tests prove it.
 */
import type { JSONRPCMessage, RequestId } from './jsonrpc.js';

/** Information about a validated access token (the SDK's `AuthInfo`). */
export interface AuthInfo {
  /** The access token. */
  token: string;
  /** The client id associated with this token. */
  clientId: string;
  /** Scopes associated with this token. */
  scopes: string[];
  /** When the token expires, in seconds since the epoch. */
  expiresAt?: number;
  /** The RFC 8707 resource server identifier this token is valid for. */
  resource?: URL;
  /** URL of the RFC 9728 Protected Resource Metadata document of the server that accepted it (SDK v2). */
  resourceMetadataUrl?: string;
  /** Anything else the authenticator wants handlers to see. */
  extra?: Record<string, unknown>;
}

/** Header map as the SDK v1 exposes it: lowercase names, repeated headers as arrays. */
export type IsomorphicHeaders = Record<string, string | string[] | undefined>;

/** What an HTTP-based transport knows of the request that carried a message (SDK v1 shape). */
export interface RequestInfo {
  /** The request's headers. */
  headers: IsomorphicHeaders;
  /** The full URL of the request. */
  url?: URL;
}

/** Protocol-era classification of a message made at the edge (SDK v2). */
export interface MessageClassification {
  /** `legacy` for the 2025-11-25 family of revisions, `modern` for 2026-07-28 and later. */
  era: 'legacy' | 'modern';
  /** The exact protocol revision, when known. */
  revision?: string;
}

/**
 * Extra information delivered with an incoming message. Carries the members of both SDK majors:
 * `requestInfo` (v1) and `request` (v2).
 */
export interface MessageExtraInfo {
  /** The original HTTP request (SDK v2). */
  request?: globalThis.Request;
  /** Headers and URL of the HTTP request that carried the message (SDK v1). */
  requestInfo?: RequestInfo;
  /** Protocol-era classification (SDK v2). */
  classification?: MessageClassification;
  /** The authenticated principal, when the transport authenticates. */
  authInfo?: AuthInfo;
  /** Closes the SSE stream of this request so the client reconnects (polling, SH-15). */
  closeSSEStream?: () => void;
  /** Closes the standalone GET SSE stream so the client reconnects (SH-30). */
  closeStandaloneSSEStream?: () => void;
}

/** Options for one `send()`; identical to the SDK's `TransportSendOptions`. */
export type TransportSendOptions = {
  /** The incoming request this outgoing message belongs to (routes it to that request's stream). */
  relatedRequestId?: RequestId | undefined;
  /** Resumption token to continue an interrupted long-running request, where supported. */
  resumptionToken?: string | undefined;
  /** Called when the resumption token changes, so the caller can persist it. */
  onresumptiontoken?: ((token: string) => void) | undefined;
  /**
   * Aborts THIS message's underlying request, for transports with one request per message
   * (Streamable HTTP). Shared-channel transports (stdio, WebSocket, in-memory) ignore it.
   */
  requestSignal?: AbortSignal | undefined;
  /** Fired when this message's per-request stream ends for any reason but `requestSignal`. */
  onRequestStreamEnd?: (() => void) | undefined;
  /** Extra HTTP headers for THIS message's request (e.g. `Mcp-Param-*`, 2026-07-28). */
  headers?: Readonly<Record<string, string>> | undefined;
};

/**
 * A bidirectional channel for JSON-RPC messages between an MCP client and server.
 *
 * Lifecycle, the same on every medium (the conformance suite checks each rule, `TC-n`):
 * 1. `start()` is called once, after the callbacks are set; a second call rejects
 *    (`ERR_ALREADY_STARTED`).
 * 2. `send()` before `start()` or after `close()` rejects (`ERR_NOT_STARTED`, `ERR_CLOSED`); it
 *    never throws synchronously.
 * 3. Messages arrive in the order they were sent, each exactly once while the connection lives.
 * 4. `close()` is idempotent; `onclose` fires exactly once per transport, whoever closed it
 *    (local `close()`, peer gone, process exit, network drop).
 * 5. `onerror` reports non-fatal trouble (a malformed line, an oversized message) and the
 *    transport goes on; fatal trouble closes it.
 * 6. Every buffer is bounded; an oversized or malformed message gets a typed error and later
 *    messages are still delivered.
 * 7. A transport never calls `process.exit` and never writes to stdout except as the stdio wire.
 */
export interface Transport {
  /**
   * Starts the transport: connects, spawns, or begins reading. Call it once, after setting the
   * callbacks, or messages may be lost. The SDK's `connect()` calls it for you.
   */
  start(): Promise<void>;
  /**
   * Sends one message. Resolves when the message is handed to the medium (not when the peer has
   * read it). Rejects, never throws, when not started, closed, or the message cannot be sent.
   */
  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void>;
  /** Closes the transport and releases its resources. Idempotent; fires `onclose` once. */
  close(): Promise<void>;
  /**
   * `true` when the transport opens one underlying request per outbound request (Streamable
   * HTTP) and so honours `requestSignal`. Shared-channel transports leave it `undefined`.
   */
  readonly hasPerRequestStream?: boolean;
  /** Fires exactly once when the transport closes, for any reason. */
  onclose?: (() => void) | undefined;
  /** Non-fatal trouble; the transport goes on. Does NOT mean the transport closed. */
  onerror?: ((error: Error) => void) | undefined;
  /** Each incoming message, in order, with what the medium knows about it. */
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  /** The session id, for transports that have sessions. */
  sessionId?: string | undefined;
  /** Told the negotiated protocol version once `initialize` completes. */
  setProtocolVersion?: ((version: string) => void) | undefined;
  /** Told the protocol versions the server supports, for header validation (SDK v2). */
  setSupportedProtocolVersions?: ((versions: string[]) => void) | undefined;
}

/**
 * A server that accepts many clients (HTTP, WebSocket, Redis) yields one `Transport` per client
 * session, so the application creates one MCP server per session:
 * `listener.onconnection = (transport) => createServer().connect(transport)`.
 */
export interface TransportListener {
  /** A new client session: its server-side transport, not yet started. */
  onconnection?: ((transport: Transport) => void) | undefined;
  /** Trouble that belongs to no single session (a refused upgrade, a backplane hiccup). */
  onerror?: ((error: Error) => void) | undefined;
  /** Closes every open session (each fires its own `onclose`), then stops accepting. */
  close(): Promise<void>;
}
