/**
 * One HTTP endpoint that serves every MCP client: Streamable HTTP (2025-03-26 .. 2025-11-25,
 * with sessions or stateless) and the legacy HTTP+SSE transport (2024-11-05), from Node's
 * `(req, res)` or from a fetch-style `(Request) => Response` handler. Yields one `Transport` per
 * session through `onconnection`, so the application creates one MCP server per session.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  decodeBatch,
  DEFAULT_MAX_MESSAGE_BYTES,
  INVALID_REQUEST,
  MemoryEventStore,
  PARSE_ERROR,
  validateMessage,
  type AuthInfo,
  type EventStore,
  type JSONRPCMessage,
  type MemoryEventStoreOptions,
  type MessageExtraInfo,
  type Transport,
  type TransportListener,
} from '@mcp-transports/core';
import { FetchExchange, NodeExchange, type Exchange, type HeaderMap, type SseSink } from './_exchange.js';
import {
  accepts,
  checkRebinding,
  createCors,
  DEFAULT_PROTOCOL_VERSION,
  isJsonContentType,
  sendError,
  SERVER_ERROR,
  SESSION_NOT_FOUND,
  SSE_HEADERS,
  SUPPORTED_PROTOCOL_VERSIONS,
  TAG,
  type Cors,
  type CorsOptions,
  type RebindingRules,
} from './_http.js';
import { SSEServerTransport } from './legacy.js';
import { routeElsewhere, type SessionRouter } from './routing.js';
import { StreamableHTTPServerTransport } from './session.js';

/** What `authenticate` is told about a request. */
export interface AuthenticateRequest {
  /** The bearer token of the `Authorization` header, if any. */
  token: string | undefined;
  /** A request header by lowercase name. */
  header(name: string): string | undefined;
  method: string;
  path: string;
}

/** Paths of the legacy HTTP+SSE transport (2024-11-05). */
export interface LegacySseOptions {
  /** Where clients open the event stream. @default '/sse' */
  ssePath?: string;
  /** Where clients POST their messages (sent to them in the `endpoint` event). @default '/messages' */
  messagesPath?: string;
}

export interface StreamableHTTPListenerOptions {
  /**
   * Makes session ids. Pass `undefined` explicitly (the SDK's spelling) for stateless mode: no
   * sessions, every POST stands alone, GET and DELETE answer 405.
   * @default crypto.randomUUID (122 random bits, visible ASCII, SH-40, SH-41)
   */
  sessionIdGenerator?: (() => string) | undefined;
  /**
   * Stateless mode: `'shared'` connects one transport (one MCP server) for all requests and keeps
   * the clients' request ids apart; `'per-request'` yields a fresh transport per POST, closed once
   * answered. Setting it turns stateless mode on.
   * @default 'shared' when `sessionIdGenerator` is `undefined`, else off
   */
  stateless?: 'shared' | 'per-request' | undefined;
  /** Answer requests with one JSON body instead of an SSE stream. @default false */
  enableJsonResponse?: boolean;
  /** Stores SSE events for `Last-Event-ID` resumption (SH-24..SH-38). @default none */
  eventStore?: EventStore;
  /** `true` (or store limits) uses core's bounded `MemoryEventStore` when no `eventStore` is given. @default false */
  resumability?: boolean | MemoryEventStoreOptions;
  /** The `retry:` advice, in ms, sent with priming events and server-side stream closes. @default 1000 */
  retryMs?: number;
  /** Largest request body in bytes; over it → 413 with a JSON-RPC error. @default 16 MiB */
  maxMessageBytes?: number;
  /** Interval of the SSE keep-alive comment, in ms; 0 turns it off. @default 15000 */
  heartbeatMs?: number;
  /** A session with no request and no open stream for this long is closed; 0 never. @default 1800000 (30 min) */
  idleTimeoutMs?: number;
  /**
   * DNS-rebinding protection (Host and Origin checks, 403). `'auto'` turns it on for requests that
   * arrive on a loopback address (Node) or a loopback URL (fetch).
   * @default 'auto'
   */
  dnsRebindingProtection?: boolean | 'auto';
  /** Accepted `Host` values (`host` or `host:port`); when set, always enforced. @default loopback names */
  allowedHosts?: readonly string[];
  /** Accepted `Origin` values; when set, always enforced. @default loopback origins */
  allowedOrigins?: readonly string[];
  /** CORS for browser clients; `true` allows any origin. Preflights are answered only when set. @default off */
  cors?: boolean | CorsOptions;
  /**
   * Validates each request's credentials. Return the principal (delivered as `extra.authInfo`),
   * or `undefined` to refuse with 401; a thrown error also refuses. Sessions are bound to the
   * principal's `clientId`: another principal gets 403 on that session (SEC-4).
   * @default none (no authentication)
   */
  authenticate?: (request: AuthenticateRequest) => AuthInfo | undefined | Promise<AuthInfo | undefined>;
  /** `WWW-Authenticate` value sent with 401. @default 'Bearer' */
  wwwAuthenticate?: string;
  /** Legacy HTTP+SSE paths, or `false` to serve Streamable HTTP only. @default { ssePath: '/sse', messagesPath: '/messages' } */
  legacy?: false | LegacySseOptions;
  /** Protocol revisions accepted in `MCP-Protocol-Version`. @default 2025-11-25 .. 2024-10-07 */
  supportedProtocolVersions?: readonly string[];
  /** Called with each new session id (SDK compatibility). */
  onsessioninitialized?: (sessionId: string) => void;
  /** Called with each ended session id (SDK compatibility). */
  onsessionclosed?: (sessionId: string) => void;
  /**
   * Serve sessions across nodes: a request for a session another node holds is forwarded to it
   * (see `SessionRouter`). Sessionful Streamable HTTP only. @default none (no routing)
   */
  router?: SessionRouter;
}

const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const EMPTY: HeaderMap = Object.freeze({});

type Session = StreamableHTTPServerTransport;

/**
 * Serves MCP over HTTP. Mount `handleNode` (node:http, Express, Fastify) or `handleFetch` (Bun,
 * Deno, Hono, edge) on the MCP endpoint; set `onconnection` to connect a server per session.
 */
export class StreamableHTTPListener implements TransportListener {
  onconnection?: ((transport: Transport) => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;

  readonly #sessions = new Map<string, Session>();
  readonly #legacy = new Map<string, SSEServerTransport>();
  readonly #sinks = new Set<SseSink>();
  readonly #stateless: 'shared' | 'per-request' | undefined;
  readonly #generate: () => string;
  readonly #json: boolean;
  readonly #store: EventStore | undefined;
  readonly #retryMs: number;
  readonly #max: number;
  readonly #heartbeatMs: number;
  readonly #idleMs: number;
  readonly #rules: RebindingRules;
  readonly #cors: Cors | undefined;
  readonly #authenticate: StreamableHTTPListenerOptions['authenticate'];
  readonly #wwwAuthenticate: string;
  readonly #ssePath: string | undefined;
  readonly #messagesPath: string | undefined;
  readonly #versions: readonly string[];
  readonly #allow: string;
  readonly #options: StreamableHTTPListenerOptions;
  #shared: Session | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #reaper: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: StreamableHTTPListenerOptions = {}) {
    this.#options = options;
    const statelessBySpelling = 'sessionIdGenerator' in options && options.sessionIdGenerator === undefined;
    this.#stateless = options.stateless ?? (statelessBySpelling ? 'shared' : undefined);
    const generate = options.sessionIdGenerator ?? (() => crypto.randomUUID());
    const router = options.router;
    this.#generate = router === undefined ? generate : () => router.sessionId(generate());
    router?.attach((request) => this.handleFetch(request));
    this.#json = options.enableJsonResponse ?? false;
    const resumability = options.resumability ?? false;
    this.#store =
      options.eventStore ??
      (resumability === false ? undefined : new MemoryEventStore(resumability === true ? {} : resumability));
    this.#retryMs = options.retryMs ?? 1000;
    this.#max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.#heartbeatMs = options.heartbeatMs ?? 15_000;
    this.#idleMs = options.idleTimeoutMs ?? 30 * 60_000;
    this.#rules = {
      protection: options.dnsRebindingProtection ?? 'auto',
      allowedHosts: options.allowedHosts,
      allowedOrigins: options.allowedOrigins,
    };
    this.#cors = options.cors === undefined || options.cors === false ? undefined : createCors(options.cors);
    this.#authenticate = options.authenticate;
    this.#wwwAuthenticate = options.wwwAuthenticate ?? 'Bearer';
    const legacy = options.legacy ?? {};
    this.#ssePath = legacy === false ? undefined : (legacy.ssePath ?? '/sse');
    this.#messagesPath = legacy === false ? undefined : (legacy.messagesPath ?? '/messages');
    this.#versions = options.supportedProtocolVersions ?? SUPPORTED_PROTOCOL_VERSIONS;
    const methods = this.#stateless === undefined ? 'GET, POST, DELETE' : 'POST';
    this.#allow = this.#cors === undefined ? methods : `${methods}, OPTIONS`;
  }

  /** Open sessions (Streamable HTTP and legacy). */
  get sessionCount(): number {
    return this.#sessions.size + this.#legacy.size;
  }

  /**
   * Handles one Node request. `parsedBody` is a body a framework already parsed (Express
   * `express.json()`); otherwise the body is read here, within `maxMessageBytes`.
   */
  handleNode(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    const ex = new NodeExchange(req, res, parsedBody);
    return this.#handle(ex).catch((error: unknown) => this.#fail(ex, error));
  }

  /** Handles one fetch-style request (Bun, Deno, Hono, Cloudflare Workers, Node's `Request`). */
  handleFetch(request: Request): Promise<Response> {
    const ex = new FetchExchange(request);
    this.#handle(ex).catch((error: unknown) => this.#fail(ex, error));
    return ex.response;
  }

  /** Closes every session (each fires its own `onclose`), then answers 503 to anything new. */
  close(): Promise<void> {
    this.#closed = true;
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    if (this.#reaper !== undefined) clearInterval(this.#reaper);
    this.#heartbeat = undefined;
    this.#reaper = undefined;
    const all: Promise<void>[] = [];
    for (const session of [...this.#sessions.values()]) all.push(session.close());
    for (const session of [...this.#legacy.values()]) all.push(session.close());
    if (this.#shared !== undefined) all.push(this.#shared.close());
    return Promise.all(all).then(() => undefined);
  }

  #fail(ex: Exchange, error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.onerror?.(err);
    sendError(ex, 500, SERVER_ERROR, `internal error: ${err.message}`, EMPTY);
  }

  async #handle(ex: Exchange): Promise<void> {
    const cors = this.#cors?.headers(ex) ?? EMPTY;
    if (this.#closed) {
      sendError(ex, 503, SERVER_ERROR, 'the server is shutting down', cors);
      return;
    }
    const refusal = checkRebinding(ex, this.#rules);
    if (refusal !== undefined) {
      sendError(ex, 403, SERVER_ERROR, refusal, cors);
      return;
    }
    const method = ex.method;
    if (method === 'OPTIONS' && this.#cors !== undefined) {
      ex.respond(204, this.#cors.preflight(ex, this.#allow));
      return;
    }
    if (this.#ssePath !== undefined && (ex.path === this.#ssePath || ex.path === this.#messagesPath)) {
      await this.#handleLegacy(ex, cors);
      return;
    }
    if (method !== 'POST' && (this.#stateless !== undefined || (method !== 'GET' && method !== 'DELETE'))) {
      sendError(ex, 405, SERVER_ERROR, `method ${method} is not allowed here`, cors, { allow: this.#allow });
      return;
    }
    const router = this.#options.router;
    if (router !== undefined && this.#stateless === undefined) {
      if (await routeElsewhere(router, ex, (id) => this.#sessions.has(id), this.#max, cors)) return;
    }
    let authInfo: AuthInfo | undefined;
    if (this.#authenticate !== undefined) {
      authInfo = await this.#auth(ex, cors);
      if (authInfo === undefined) return;
    }
    if (method === 'POST') await this.#post(ex, cors, authInfo);
    else if (method === 'GET') await this.#get(ex, cors, authInfo);
    else await this.#delete(ex, cors, authInfo);
  }

  /** Runs `authenticate`; answers 401 and returns `undefined` when it refuses. */
  async #auth(ex: Exchange, cors: HeaderMap): Promise<AuthInfo | undefined> {
    const authorization = ex.header('authorization');
    const token = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    let info: AuthInfo | undefined;
    let reason = token === undefined ? 'missing bearer token' : 'invalid token';
    try {
      info = await (this.#authenticate as NonNullable<StreamableHTTPListenerOptions['authenticate']>)({
        token,
        header: (name) => ex.header(name),
        method: ex.method,
        path: ex.path,
      });
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    if (info === undefined) {
      sendError(ex, 401, SERVER_ERROR, `unauthorized: ${reason}`, cors, { 'www-authenticate': this.#wwwAuthenticate });
    }
    return info;
  }

  /** Reads and decodes a POST body; answers the error and returns `undefined` when it is bad. */
  async #readMessages(
    ex: Exchange,
    cors: HeaderMap,
  ): Promise<{ messages: JSONRPCMessage[]; batch: boolean } | undefined> {
    if (ex.parsedBody !== undefined) {
      const parsed = ex.parsedBody;
      const items = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
      if (items.length === 0) {
        sendError(ex, 400, INVALID_REQUEST, 'invalid JSON-RPC message: a batch must not be empty', cors);
        return undefined;
      }
      const messages: JSONRPCMessage[] = [];
      for (const item of items) {
        const one = validateMessage(item);
        if (!one.ok) {
          sendError(ex, 400, INVALID_REQUEST, one.error.message, cors);
          return undefined;
        }
        messages.push(one.message);
      }
      return { messages, batch: Array.isArray(parsed) };
    }
    const body = await ex.readBody(this.#max);
    if (!body.ok) {
      if (body.reason === 'too-large') {
        sendError(ex, 413, INVALID_REQUEST, `request body is larger than ${this.#max} bytes (maxMessageBytes)`, cors);
      }
      return undefined;
    }
    const decoded = decodeBatch(body.body, { allowBatch: true });
    if (!decoded.ok) {
      const code = decoded.error.jsonRpcCode ?? PARSE_ERROR;
      sendError(ex, 400, code, decoded.error.message, cors);
      return undefined;
    }
    return { messages: decoded.messages, batch: decoded.batch };
  }

  #extra(ex: Exchange, authInfo: AuthInfo | undefined): MessageExtraInfo {
    const extra = ex.extra();
    if (authInfo !== undefined) extra.authInfo = authInfo;
    return extra;
  }

  /** Checks `MCP-Protocol-Version` (SH-49..SH-52); answers 400 and returns `undefined` when unsupported. */
  #version(ex: Exchange, cors: HeaderMap, session: Session | undefined): string | undefined {
    const header = ex.header('mcp-protocol-version');
    if (header === undefined) return session?.protocolVersion ?? DEFAULT_PROTOCOL_VERSION;
    const supported = session?.supportedVersions ?? this.#versions;
    if (supported.includes(header)) return header;
    sendError(
      ex,
      400,
      SERVER_ERROR,
      `unsupported MCP-Protocol-Version ${JSON.stringify(header)} (supported: ${supported.join(', ')})`,
      cors,
    );
    return undefined;
  }

  /** Finds the session a request names; answers 400/403/404 and returns `undefined` when it cannot. */
  #session(ex: Exchange, cors: HeaderMap, authInfo: AuthInfo | undefined): Session | undefined {
    const id = ex.header('mcp-session-id');
    if (id === undefined) {
      sendError(ex, 400, SERVER_ERROR, 'Mcp-Session-Id header is required (SH-44)', cors);
      return undefined;
    }
    const session = this.#sessions.get(id);
    if (session === undefined || session.closed) {
      sendError(ex, 404, SESSION_NOT_FOUND, 'session not found (unknown or ended); initialize a new one', cors);
      return undefined;
    }
    if (session.principal !== authInfo?.clientId) {
      sendError(ex, 403, SERVER_ERROR, 'the session belongs to another principal (SEC-4)', cors);
      return undefined;
    }
    return session;
  }

  async #post(ex: Exchange, cors: HeaderMap, authInfo: AuthInfo | undefined): Promise<void> {
    const accept = ex.header('accept');
    if (!accepts(accept, 'application/json') || !accepts(accept, 'text/event-stream')) {
      sendError(ex, 406, SERVER_ERROR, 'Accept must list both application/json and text/event-stream (SH-8)', cors);
      return;
    }
    if (!isJsonContentType(ex.header('content-type'))) {
      sendError(ex, 415, SERVER_ERROR, 'Content-Type must be application/json', cors);
      return;
    }
    const read = await this.#readMessages(ex, cors);
    if (read === undefined) return;
    const { messages, batch } = read;
    let initialize: JSONRPCMessage | undefined;
    for (const m of messages) if ('method' in m && m.method === 'initialize' && 'id' in m) initialize = m;
    if (initialize !== undefined && messages.length > 1) {
      sendError(ex, 400, INVALID_REQUEST, 'initialize must be sent alone, not in a batch', cors);
      return;
    }
    if (this.#stateless !== undefined) {
      const version = initialize === undefined ? this.#version(ex, cors, undefined) : initVersion(initialize);
      if (version === undefined || !this.#batchAllowed(ex, cors, batch, version)) return;
      const session = this.#statelessTransport();
      session.post(
        ex,
        messages,
        batch,
        version,
        cors,
        cors === EMPTY ? SSE_HEADERS : { ...SSE_HEADERS, ...cors },
        this.#extra(ex, authInfo),
      );
      return;
    }
    if (initialize !== undefined) {
      const existing = ex.header('mcp-session-id');
      if (existing !== undefined) {
        const live = this.#sessions.has(existing);
        sendError(
          ex,
          live ? 400 : 404,
          live ? INVALID_REQUEST : SESSION_NOT_FOUND,
          live ? 'the session is already initialized' : 'session not found (unknown or ended); initialize a new one',
          cors,
        );
        return;
      }
      const session = this.#open(authInfo);
      if (session === undefined) {
        sendError(ex, 500, SERVER_ERROR, 'no onconnection handler accepts sessions', cors);
        return;
      }
      const version = initVersion(initialize);
      session.protocolVersion = version;
      const headers = { ...cors, 'mcp-session-id': session.sessionId as string };
      session.post(ex, messages, false, version, headers, { ...SSE_HEADERS, ...headers }, this.#extra(ex, authInfo));
      return;
    }
    const session = this.#session(ex, cors, authInfo);
    if (session === undefined) return;
    const version = this.#version(ex, cors, session);
    if (version === undefined || !this.#batchAllowed(ex, cors, batch, version)) return;
    const [headers, sseHeaders] = this.#sessionHeaders(session, cors);
    session.post(ex, messages, batch, version, headers, sseHeaders, this.#extra(ex, authInfo));
  }

  /** Response headers for a session; built once per session when no CORS headers vary per request. */
  #sessionHeaders(session: Session, cors: HeaderMap): [HeaderMap, HeaderMap] {
    if (cors === EMPTY && session.headers !== undefined) return session.headers;
    const headers = { ...cors, 'mcp-session-id': session.sessionId as string };
    const pair: [HeaderMap, HeaderMap] = [headers, { ...SSE_HEADERS, ...headers }];
    if (cors === EMPTY) session.headers = pair;
    return pair;
  }

  /** Batches exist only in 2025-03-26 (JR-14). */
  #batchAllowed(ex: Exchange, cors: HeaderMap, batch: boolean, version: string): boolean {
    if (!batch || version <= '2025-03-26') return true;
    sendError(ex, 400, INVALID_REQUEST, `JSON-RPC batches are not supported in protocol ${version} (JR-14)`, cors);
    return false;
  }

  async #get(ex: Exchange, cors: HeaderMap, authInfo: AuthInfo | undefined): Promise<void> {
    if (!accepts(ex.header('accept'), 'text/event-stream')) {
      sendError(ex, 406, SERVER_ERROR, 'Accept must list text/event-stream (SH-26)', cors);
      return;
    }
    const session = this.#session(ex, cors, authInfo);
    if (session === undefined || this.#version(ex, cors, session) === undefined) return;
    const [headers, sseHeaders] = this.#sessionHeaders(session, cors);
    await session.get(ex, headers, sseHeaders, ex.header('last-event-id'));
  }

  async #delete(ex: Exchange, cors: HeaderMap, authInfo: AuthInfo | undefined): Promise<void> {
    const session = this.#session(ex, cors, authInfo);
    if (session === undefined || this.#version(ex, cors, session) === undefined) return;
    await session.close();
    ex.respond(200, cors);
  }

  #open(authInfo: AuthInfo | undefined): Session | undefined {
    if (this.onconnection === undefined) return undefined;
    const sessionId = this.#generate();
    if (!VISIBLE_ASCII.test(sessionId)) {
      throw new Error(
        `${TAG} sessionIdGenerator returned ${JSON.stringify(sessionId)}: use visible ASCII only (SH-41)`,
      );
    }
    const session = this.#newTransport(sessionId, false);
    session.principal = authInfo?.clientId;
    this.#sessions.set(sessionId, session);
    this.#startTimers();
    this.onconnection(session);
    this.#options.onsessioninitialized?.(sessionId);
    return session;
  }

  #newTransport(sessionId: string | undefined, perRequest: boolean): Session {
    return new StreamableHTTPServerTransport({
      sessionId,
      eventStore: this.#store,
      enableJsonResponse: this.#json,
      retryMs: this.#retryMs,
      maxMessageBytes: this.#max,
      rewriteIds: this.#stateless === 'shared',
      closeWhenDone: perRequest,
      sinks: this.#sinks,
      onEnd: (t) => {
        if (t.sessionId === undefined) {
          if (this.#shared === t) this.#shared = undefined;
          return;
        }
        if (this.#sessions.get(t.sessionId) === t) this.#sessions.delete(t.sessionId);
        this.#options.onsessionclosed?.(t.sessionId);
      },
    });
  }

  #statelessTransport(): Session {
    if (this.#stateless === 'shared' && this.#shared !== undefined) return this.#shared;
    const transport = this.#newTransport(undefined, this.#stateless === 'per-request');
    if (this.#stateless === 'shared') this.#shared = transport;
    this.#startTimers();
    this.onconnection?.(transport);
    return transport;
  }

  // ----------------------------------------------------------------------------------------------
  // Legacy HTTP+SSE (2024-11-05)

  async #handleLegacy(ex: Exchange, cors: HeaderMap): Promise<void> {
    const isStream = ex.path === this.#ssePath;
    const expected = isStream ? 'GET' : 'POST';
    if (ex.method !== expected) {
      sendError(ex, 405, SERVER_ERROR, `method ${ex.method} is not allowed here`, cors, { allow: expected });
      return;
    }
    let authInfo: AuthInfo | undefined;
    if (this.#authenticate !== undefined) {
      authInfo = await this.#auth(ex, cors);
      if (authInfo === undefined) return;
    }
    if (isStream) {
      if (!accepts(ex.header('accept'), 'text/event-stream')) {
        sendError(ex, 406, SERVER_ERROR, 'Accept must list text/event-stream', cors);
        return;
      }
      if (this.onconnection === undefined) {
        sendError(ex, 500, SERVER_ERROR, 'no onconnection handler accepts sessions', cors);
        return;
      }
      const sessionId = this.#generate();
      const sink = ex.sse({ ...SSE_HEADERS, ...cors });
      const session = new SSEServerTransport({
        sessionId,
        sink,
        endpoint: `${this.#messagesPath as string}?sessionId=${encodeURIComponent(sessionId)}`,
        maxMessageBytes: this.#max,
        sinks: this.#sinks,
        onEnd: (t) => {
          if (this.#legacy.get(t.sessionId) === t) this.#legacy.delete(t.sessionId);
        },
      });
      session.principal = authInfo?.clientId;
      this.#legacy.set(sessionId, session);
      this.#startTimers();
      this.onconnection(session);
      return;
    }
    const sessionId = new URLSearchParams(ex.query).get('sessionId');
    if (sessionId === null) {
      sendError(ex, 400, SERVER_ERROR, 'the sessionId query parameter is required', cors);
      return;
    }
    const session = this.#legacy.get(sessionId);
    if (session === undefined || session.closed) {
      sendError(ex, 404, SESSION_NOT_FOUND, 'session not found (unknown or ended)', cors);
      return;
    }
    if (session.principal !== authInfo?.clientId) {
      sendError(ex, 403, SERVER_ERROR, 'the session belongs to another principal (SEC-4)', cors);
      return;
    }
    if (!isJsonContentType(ex.header('content-type'))) {
      sendError(ex, 415, SERVER_ERROR, 'Content-Type must be application/json', cors);
      return;
    }
    const read = await this.#readMessages(ex, cors);
    if (read === undefined) return;
    ex.respond(202, cors);
    session.receive(read.messages, this.#extra(ex, authInfo));
  }

  // ----------------------------------------------------------------------------------------------
  // Timers: one heartbeat for every stream, one reaper for every session.

  #startTimers(): void {
    if (this.#closed) return;
    if (this.#heartbeat === undefined && this.#heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => {
        // A comment line: clients ignore it, proxies see traffic, and lazy POST streams get
        // their headers out so a slow handler does not trip a client's header timeout.
        for (const sink of this.#sinks) if (!sink.write(': keepalive\n\n')) this.#sinks.delete(sink);
      }, this.#heartbeatMs);
      unref(this.#heartbeat);
    }
    if (this.#reaper === undefined && this.#idleMs > 0) {
      this.#reaper = setInterval(() => this.#reap(), Math.max(50, Math.min(this.#idleMs / 2, 60_000)));
      unref(this.#reaper);
    }
  }

  #reap(): void {
    const cutoff = Date.now() - this.#idleMs;
    for (const session of [...this.#sessions.values()]) {
      if (session.lastActivity < cutoff && session.openStreams === 0) void session.close();
    }
  }
}

function initVersion(initialize: JSONRPCMessage): string {
  const v = (initialize as { params?: { protocolVersion?: unknown } }).params?.protocolVersion;
  return typeof v === 'string' ? v : DEFAULT_PROTOCOL_VERSION;
}

function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
