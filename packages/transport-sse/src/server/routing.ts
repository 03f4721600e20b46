/**
 * Session routing, for running one sessionful MCP endpoint on several nodes behind a plain
 * (round-robin, not sticky) load balancer. A session lives on the node that answered its
 * `initialize`; a request for it that lands on another node is forwarded, whole, to that owner,
 * which serves it like any request, and the owner's response (a JSON body or an SSE stream) is
 * streamed back through the node the client is talking to.
 *
 * The listener only knows this small interface; an implementation carries the requests between
 * nodes (e.g. `RedisSessionRouter` of `@mcp-transports/redis`). Without a router nothing changes.
 */
import type { Exchange, HeaderMap } from './_exchange.js';
import { sendError, SERVER_ERROR, SESSION_NOT_FOUND } from './_http.js';

/** A request forwarded to the node that owns its session, as plain data. */
export interface RoutedRequest {
  method: string;
  /** The URL the client addressed (absolute). */
  url: string;
  /** Every request header but hop-by-hop ones, by lowercase name. */
  headers: Record<string, string>;
  /** The body of a POST, as text. */
  body?: string;
}

/** Carries requests for sessions held by other nodes to those nodes. */
export interface SessionRouter {
  /** Called once by the listener: `serve` answers a request another node forwarded here. */
  attach(serve: (request: Request) => Promise<Response>): void;
  /**
   * The id of a session opened on this node, made from the generated one; it must let `forward`
   * find this node (e.g. the generated id prefixed with this node's id). Visible ASCII only.
   */
  sessionId(generated: string): string;
  /**
   * Forwards a request for a session this node does not hold to the node that does, and resolves
   * with that node's response (its body streamed), or with `undefined` when no live node holds
   * the session (answered 404, so the client starts a new session). `signal` aborts when the
   * client goes away. A rejection is answered 502.
   */
  forward(sessionId: string, request: RoutedRequest, signal: AbortSignal): Promise<Response | undefined>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);
const decoder = new TextDecoder();

/**
 * @internal The listener's hook: when `ex` names a session this node does not hold, forwards it
 * through `router` and answers the client with the owner's response. Returns `false` when the
 * request is not forwarded (no session id, or the session is here), so the listener serves it.
 */
export async function routeElsewhere(
  router: SessionRouter,
  ex: Exchange,
  isLocal: (sessionId: string) => boolean,
  maxBytes: number,
  cors: HeaderMap,
): Promise<boolean> {
  const sessionId = ex.header('mcp-session-id');
  if (sessionId === undefined || isLocal(sessionId)) return false;
  const info = ex.extra().requestInfo;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(info?.headers ?? {})) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const request: RoutedRequest = {
    method: ex.method,
    url: info?.url?.href ?? `http://localhost${ex.path}${ex.query === '' ? '' : `?${ex.query}`}`,
    headers,
  };
  if (ex.method === 'POST') {
    if (ex.parsedBody !== undefined) {
      request.body = JSON.stringify(ex.parsedBody);
    } else {
      const body = await ex.readBody(maxBytes);
      if (!body.ok) {
        if (body.reason === 'too-large') {
          sendError(ex, 413, -32600, `request body is larger than ${maxBytes} bytes (maxMessageBytes)`, cors);
        }
        return true;
      }
      request.body = typeof body.body === 'string' ? body.body : decoder.decode(body.body);
    }
  }
  const abort = new AbortController();
  let response: Response | undefined;
  try {
    response = await router.forward(sessionId, request, abort.signal);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    sendError(ex, 502, SERVER_ERROR, `the node holding this session did not answer: ${reason}`, cors);
    return true;
  }
  if (response === undefined) {
    sendError(ex, 404, SESSION_NOT_FOUND, 'session not found (unknown or ended); initialize a new one', cors);
    return true;
  }
  await relay(ex, response, abort);
  return true;
}

/** Writes the owner's response to the client: SSE as it comes, anything else whole. */
async function relay(ex: Exchange, response: Response, abort: AbortController): Promise<void> {
  const headers: HeaderMap = {};
  response.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) headers[name] = value;
  });
  const body = response.body;
  const sse = response.status === 200 && (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
  if (!sse || body === null) {
    const text = await response.text().catch(() => undefined);
    if (text === undefined) sendError(ex, 502, SERVER_ERROR, 'the node holding this session broke off its answer', {});
    else ex.respond(response.status, headers, text === '' ? undefined : text);
    return;
  }
  const sink = ex.sse(headers);
  const reader = body.getReader();
  sink.onabort = () => {
    abort.abort();
    void reader.cancel().catch(() => undefined);
  };
  const stream = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!sink.write(stream.decode(value, { stream: true }))) break;
    }
  } catch {
    // The owner went away or the link between the nodes broke: end the stream, the client
    // resumes with Last-Event-ID (through any node) when the events were stored.
  }
  sink.end();
}
