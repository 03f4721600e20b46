/**
 * Accepts MCP clients over WebSocket and yields one {@link WebSocketServerTransport} per
 * connection: standalone on a port (`listen()`), or on an existing `http.Server` (`attach()`),
 * where only `upgrade` events are handled, so Streamable HTTP can serve the same path.
 */
import { createServer, STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  createErrorResponse,
  DEFAULT_MAX_MESSAGE_BYTES,
  toError,
  TransportError,
  TransportErrorCode,
} from '@mcp-transports/core';
import type { AuthInfo, Transport, TransportListener } from '@mcp-transports/core';
import { WebSocketServer } from 'ws';
import type { Server as WsServer } from 'ws';
import {
  AUTH_SUBPROTOCOL_PREFIX,
  CloseCode,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_MAX_BUFFERED_BYTES,
  SUBPROTOCOL,
  TAG,
} from './_shared.js';
import { HeaderTemplate, ServerSocket, WebSocketServerTransport } from './server.js';
import type { ServerConnectionSettings } from './server.js';

/** What the `authenticate` hook is given for each upgrade request. */
export interface AuthenticateRequest {
  /**
   * The bearer token: from `Authorization: Bearer <token>`, else from a `mcp.auth.<token>`
   * subprotocol (browsers cannot set headers), else `undefined`.
   */
  token: string | undefined;
  /** The upgrade request (headers, URL, remote address). */
  request: IncomingMessage;
}

/**
 * Decides whether an upgrade may proceed. Return the caller's `AuthInfo` to accept (it is
 * delivered as `extra.authInfo` with every message of the connection); return `undefined` or throw
 * to refuse with 401. Throw an error with `status: 403` to refuse with 403 instead.
 */
export type Authenticate = (request: AuthenticateRequest) => AuthInfo | undefined | Promise<AuthInfo | undefined>;

export interface WebSocketListenerOptions {
  /** Largest incoming message (one text frame), in bytes; larger → close 1009. Also caps `send()`. @default 16 MiB */
  maxMessageBytes?: number;
  /** High-water mark of bytes queued for a slow reader; beyond it `send()` rejects `ERR_BACKPRESSURE`. @default 8 MiB */
  maxBufferedBytes?: number;
  /** Ping interval; a peer that has not answered the previous ping is dropped. `0` disables. @default 30_000 */
  heartbeatMs?: number;
  /** Messages held for a connection whose transport has not started; beyond → close 1008. @default 1024 */
  maxEarlyMessages?: number;
  /**
   * Accepted `Host` header values (`host` or `host:port`). When given, always checked.
   * @default loopback names (`localhost`, `127.0.0.1`, `[::1]`, any port) when protection is on
   */
  allowedHosts?: string[];
  /**
   * Accepted `Origin` header values (`'*'` for any). A request without `Origin` (not a browser) is
   * always accepted. When given, always checked.
   * @default loopback origins when protection is on
   */
  allowedOrigins?: string[];
  /** DNS-rebinding protection (Host and Origin checks). @default on when bound to a loopback address */
  dnsRebindingProtection?: boolean;
  /** The auth hook, run at the upgrade. @default none: every client is accepted */
  authenticate?: Authenticate;
  /** How long `close()` waits for a peer's close frame before dropping the socket, in ms. @default 2_000 */
  closeTimeoutMs?: number;
}

export interface ListenOptions {
  /** @default 0 (an ephemeral port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default '/mcp' */
  path?: string;
}

export interface AttachOptions {
  /** The path served; may be the Streamable HTTP endpoint's path. @default '/mcp' */
  path?: string;
}

/** Where a standalone listener listens. */
export interface ListeningAddress {
  host: string;
  port: number;
  /** `ws://host:port/path` */
  url: string;
}

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Accepts WebSocket clients; one {@link WebSocketServerTransport} per connection. */
export class WebSocketListener implements TransportListener {
  /** A new connection: its transport, not yet started. Hand it to an MCP server's `connect()`. */
  onconnection?: ((transport: Transport) => void) | undefined;
  /** Refused upgrades and other trouble that belongs to no connection. */
  onerror?: ((error: Error) => void) | undefined;

  readonly #options: WebSocketListenerOptions;
  readonly #settings: ServerConnectionSettings;
  readonly #wss: WsServer<typeof ServerSocket>;
  readonly #connections = new Set<WebSocketServerTransport>();
  #server: Server | undefined;
  #ownsServer = false;
  #path = '/mcp';
  #protection: boolean | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: WebSocketListenerOptions = {}) {
    this.#options = options;
    const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.#settings = {
      maxMessageBytes,
      maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      maxEarlyMessages: options.maxEarlyMessages ?? 1024,
      closeTimeoutMs: options.closeTimeoutMs ?? 2_000,
      fallbackError: (error) => {
        this.#report(error);
      },
      closed: (transport) => {
        this.#connections.delete(transport);
      },
    };
    this.#wss = new WebSocketServer<typeof ServerSocket>({
      WebSocket: ServerSocket,
      noServer: true,
      clientTracking: false,
      maxPayload: maxMessageBytes,
      perMessageDeflate: false,
      // Select `mcp` when offered; the upgrade handler has already refused lists without it.
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
  }

  /** Open connections. */
  get connections(): ReadonlySet<Transport> {
    return this.#connections;
  }

  /** Starts a standalone HTTP server that accepts WebSocket upgrades on `path` (426 for plain HTTP). */
  async listen(options: ListenOptions = {}): Promise<ListeningAddress> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer((req, res) => {
      const body = JSON.stringify(createErrorResponse(-32000, `${TAG} this endpoint speaks MCP over WebSocket only`));
      res.writeHead(426, { 'content-type': 'application/json', upgrade: 'websocket', connection: 'Upgrade' }).end(body);
      req.resume();
    });
    this.attach(server, options.path === undefined ? {} : { path: options.path });
    this.#ownsServer = true;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { host: address.address, port: address.port, url: `ws://${urlHost}:${address.port}${this.#path}` };
  }

  /**
   * Serves WebSocket upgrades on `path` of an existing server. Only `upgrade` events are handled:
   * plain HTTP requests (Streamable HTTP on the same path) are left to the server's other handlers.
   */
  attach(server: Server, options: AttachOptions = {}): void {
    if (this.#server !== undefined) throw new Error(`${TAG} this listener is already attached to a server`);
    if (this.#closing !== undefined) throw new Error(`${TAG} this listener is closed`);
    this.#server = server;
    this.#path = options.path ?? '/mcp';
    server.on('upgrade', this.#onUpgrade);
    const ms = this.#options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    if (ms > 0) {
      // One timer for every connection: 10,000 idle clients cost one interval, not 10,000.
      this.#heartbeat = setInterval(() => {
        this.#beat();
      }, ms);
      this.#heartbeat.unref();
    }
  }

  /** Closes every connection with 1001 and waits for each; then stops accepting (and listening, if standalone). */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    const server = this.#server;
    server?.off('upgrade', this.#onUpgrade);
    await Promise.all([...this.#connections].map((t) => t.closeWith(CloseCode.GoingAway, 'server shutting down')));
    if (server !== undefined && this.#ownsServer) {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
    }
  }

  #isClosing(): boolean {
    return this.#closing !== undefined;
  }

  #beat(): void {
    for (const transport of this.#connections) {
      if (!transport.alive) {
        transport.terminate();
        continue;
      }
      transport.alive = false;
      transport.ping();
    }
  }

  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const pathname = query === -1 ? url : url.slice(0, query);
    if (pathname !== this.#path) {
      // Another upgrade handler may own that path; answer only when nobody else can.
      if (this.#server?.listenerCount('upgrade') === 1)
        refuse(socket, 404, `${TAG} no WebSocket endpoint at ${pathname}`);
      return;
    }
    // Until ws takes the socket over (it adds its own handler then): a shared handler, so it retains nothing.
    socket.on('error', this.#onSocketError);
    this.#upgrade(req, socket, head).catch((error: unknown) => {
      this.#report(error);
      refuse(socket, 500, `${TAG} internal error during the upgrade`);
    });
  };

  readonly #onSocketError = (error: Error): void => {
    this.#report(
      new TransportError(TransportErrorCode.Connection, `${TAG} socket error: ${error.message}`, { cause: error }),
    );
  };

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (this.#closing !== undefined) {
      this.#refuse(socket, 503, 'the server is shutting down');
      return;
    }
    const denied = this.#checkHostAndOrigin(req);
    if (denied !== undefined) {
      this.#refuse(socket, 403, denied);
      return;
    }
    const offered = parseProtocols(req.headers['sec-websocket-protocol']);
    if (offered.length > 0 && !offered.includes(SUBPROTOCOL)) {
      this.#refuse(socket, 400, `subprotocol "${SUBPROTOCOL}" required; offered: ${offered.join(', ')}`);
      return;
    }
    let authInfo: AuthInfo | undefined;
    const authenticate = this.#options.authenticate;
    if (authenticate !== undefined) {
      const token =
        bearerToken(req.headers.authorization) ??
        offered.find((p) => p.startsWith(AUTH_SUBPROTOCOL_PREFIX))?.slice(AUTH_SUBPROTOCOL_PREFIX.length);
      try {
        authInfo = await authenticate({ token, request: req });
      } catch (error) {
        const status = (error as { status?: unknown } | null)?.status === 403 ? 403 : 401;
        this.#refuse(socket, status, toError(error).message);
        return;
      }
      if (authInfo === undefined) {
        this.#refuse(
          socket,
          401,
          token === undefined ? 'authentication required: send a bearer token' : 'invalid token',
        );
        return;
      }
      // close() may have been called while the hook ran.
      if (this.#isClosing()) {
        this.#refuse(socket, 503, 'the server is shutting down');
        return;
      }
    }
    const template = headerTemplate(req.rawHeaders);
    const headers = template ?? compactHeaders(req.headers);
    const nonce = template === undefined ? undefined : req.headers['sec-websocket-key'];
    const target = shareValue(req.url ?? '/');
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', this.#onSocketError);
      this.#accept(ws, headers, nonce, target, authInfo);
    });
  }

  // Kept apart from #upgrade so nothing per connection keeps the upgrade request alive (closures
  // share their scope: one that outlives the upgrade would retain `req`, `head`, …).
  #accept(
    ws: ServerSocket,
    headers: IncomingHttpHeaders | HeaderTemplate,
    nonce: string | undefined,
    target: string,
    authInfo: AuthInfo | undefined,
  ): void {
    const transport = new WebSocketServerTransport(ws, headers, nonce, target, authInfo, this.#settings);
    this.#connections.add(transport);
    if (this.#isClosing()) {
      void transport.closeWith(CloseCode.GoingAway, 'server shutting down');
      return;
    }
    try {
      this.onconnection?.(transport);
    } catch (error) {
      this.#report(error);
      void transport.closeWith(CloseCode.InternalError, 'the server failed to accept the connection');
    }
  }

  /** Why the request fails DNS-rebinding protection, or `undefined` when it passes. */
  #checkHostAndOrigin(req: IncomingMessage): string | undefined {
    const { allowedHosts, allowedOrigins } = this.#options;
    const protect = this.#protectionOn();
    const host = req.headers.host;
    if (allowedHosts !== undefined) {
      if (host === undefined || !(allowedHosts.includes(host) || allowedHosts.includes(hostnameOf(host) ?? ''))) {
        return `Host header ${JSON.stringify(host ?? '')} is not allowed`;
      }
    } else if (protect && (host === undefined || !LOOPBACK_HOSTNAMES.has(hostnameOf(host) ?? ''))) {
      return `Host header ${JSON.stringify(host ?? '')} is not a loopback name (DNS-rebinding protection)`;
    }
    const origin = req.headers.origin;
    if (origin === undefined) return undefined;
    if (allowedOrigins !== undefined) {
      return allowedOrigins.includes('*') || allowedOrigins.includes(origin)
        ? undefined
        : `Origin ${JSON.stringify(origin)} is not allowed`;
    }
    if (protect && !LOOPBACK_HOSTNAMES.has(originHostname(origin) ?? '')) {
      return `Origin ${JSON.stringify(origin)} is not a loopback origin (DNS-rebinding protection)`;
    }
    return undefined;
  }

  #protectionOn(): boolean {
    if (this.#options.dnsRebindingProtection !== undefined) return this.#options.dnsRebindingProtection;
    if (this.#protection === undefined) {
      const address = this.#server?.address();
      if (address === null || address === undefined || typeof address === 'string') return true;
      this.#protection = isLoopbackAddress(address.address);
    }
    return this.#protection;
  }

  #refuse(socket: Duplex, status: number, reason: string): void {
    this.#report(new TransportError(TransportErrorCode.Refused, `${TAG} upgrade refused (${status}): ${reason}`));
    refuse(socket, status, `${TAG} ${reason}`);
  }

  #report(error: unknown): void {
    const onerror = this.onerror;
    if (onerror === undefined) return;
    try {
      onerror(toError(error));
    } catch (e) {
      queueMicrotask(() => {
        throw toError(e);
      });
    }
  }
}

/**
 * Headers whose values repeat from one connection to the next (`websocket`, `Upgrade`, `13`, `mcp`,
 * the Host, …). Each upgrade brings fresh copies of these strings, which every connection would
 * otherwise keep for its life (for `extra.requestInfo`); one copy of each value is enough.
 * Never credentials: `authorization`, cookies and a `mcp.auth.<token>` subprotocol are not shared.
 */
const REPEATING_HEADERS = new Set([
  'host',
  'connection',
  'upgrade',
  'origin',
  'user-agent',
  'pragma',
  'cache-control',
  'accept-encoding',
  'accept-language',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);
const sharedValues = new Map<string, string>();

/** The one kept copy of a short value; bounded (cleared when full), so peers cannot grow it. */
function shareValue(value: string): string {
  if (value.length > 128 || value.includes('?')) return value;
  const known = sharedValues.get(value);
  if (known !== undefined) return known;
  if (sharedValues.size >= 512) sharedValues.clear();
  sharedValues.set(value, value);
  return value;
}

const templates = new Map<string, HeaderTemplate>();

/**
 * The shared {@link HeaderTemplate} for an upgrade whose headers are all of the repeating kind
 * (plus the nonce), or `undefined` when any is not (a custom header, credentials, a repeated
 * name, a long value): those connections keep their own copy. Bounded like the shared values.
 */
function headerTemplate(raw: readonly string[]): HeaderTemplate | undefined {
  const names: string[] = [];
  const values: (string | undefined)[] = [];
  let signature = '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    if (names.includes(name)) return undefined;
    names.push(name);
    if (name === 'sec-websocket-key') {
      values.push(undefined);
      signature += `${name}\n`;
      continue;
    }
    if (!REPEATING_HEADERS.has(name) || value.length > 128 || value.includes(AUTH_SUBPROTOCOL_PREFIX)) {
      return undefined;
    }
    values.push(value);
    signature += `${name}:${value}\n`;
  }
  const known = templates.get(signature);
  if (known !== undefined) return known;
  if (templates.size >= 256) templates.clear();
  const template = new HeaderTemplate(
    names,
    values.map((v) => (v === undefined ? undefined : shareValue(v))),
  );
  templates.set(signature, template);
  return template;
}

/** A copy of `headers` whose repeating values are shared with other connections. */
function compactHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    copy[name] =
      typeof value === 'string' && REPEATING_HEADERS.has(name) && !value.includes(AUTH_SUBPROTOCOL_PREFIX)
        ? shareValue(value)
        : value;
  }
  return copy;
}

/** Answers an upgrade request with a real HTTP response carrying a JSON-RPC error (no `id`). */
function refuse(socket: Duplex, status: number, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(createErrorResponse(-32000, message));
  const extra = status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`,
  );
}

function parseProtocols(header: string | undefined): string[] {
  if (header === undefined || header === '') return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    // A Host header that is not a valid authority matches nothing.
    return undefined;
  }
}

function originHostname(origin: string): string | undefined {
  try {
    return new URL(origin).hostname;
  } catch {
    // `Origin: null` (sandboxed iframes, file://) and garbage match no hostname.
    return undefined;
  }
}

function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address === '::ffff:127.0.0.1' || address === 'localhost';
}
