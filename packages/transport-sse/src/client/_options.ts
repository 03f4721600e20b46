/** Options and helpers shared by the client transports (Streamable HTTP and legacy HTTP+SSE). */
import { DEFAULT_MAX_MESSAGE_BYTES, toError, TransportError, TransportErrorCode } from '@mcp-transports/core';
import { TAG, type FetchLike, type HttpRequest, type HttpRequester, type HttpResponse } from './_http.js';

/**
 * Supplies a bearer token; the shape of the SDK v2 `AuthProvider`, so an SDK v2 provider can be
 * passed as is. An SDK v1 `OAuthClientProvider` (with `tokens()`) is accepted too: its
 * `access_token` is sent, and a 401 fails the request (run the SDK's `auth()` flow, then reconnect).
 */
export interface AuthProvider {
  /** The current bearer token, or `undefined` for none. Called before every request. */
  token(): Promise<string | undefined> | string | undefined;
  /**
   * Called once when the server answers 401; the request is then retried once with a fresh
   * `token()`. A second 401 fails the request with `ERR_REFUSED`.
   */
  onUnauthorized?(context: UnauthorizedContext): Promise<void> | void;
}

/** What {@link AuthProvider.onUnauthorized} is told about the refused request. */
export interface UnauthorizedContext {
  /** The MCP server URL. */
  serverUrl: URL;
  /** The `WWW-Authenticate` header of the 401, when present. */
  wwwAuthenticate: string | undefined;
}

/** The part of the SDK v1 `OAuthClientProvider` this transport uses. */
export interface OAuthTokensProvider {
  tokens(): Promise<{ access_token: string } | undefined> | { access_token: string } | undefined;
}

/** Options every client transport of this package takes. */
export interface HttpClientOptions {
  /**
   * Customizes every HTTP request. `headers` are sent on every request; with the `fetch` option
   * (and in the browser) the other fields (credentials, mode, …) are passed to `fetch` too.
   */
  requestInit?: RequestInit | undefined;
  /** Extra headers sent on every request (after `requestInit.headers`). */
  headers?: Readonly<Record<string, string>> | undefined;
  /** A static bearer token: sends `Authorization: Bearer <authToken>`. */
  authToken?: string | undefined;
  /** A bearer-token hook (SDK v2 `AuthProvider` shape); asked again once on 401. */
  authProvider?: AuthProvider | OAuthTokensProvider | undefined;
  /** Custom fetch (SDK `fetch` option). In Node it replaces undici's `request()`. */
  fetch?: FetchLike | undefined;
  /**
   * Largest response body or SSE event, in bytes. Over it: `ERR_MESSAGE_TOO_LARGE`, and an SSE
   * stream goes on with the next event.
   * @default 16 MiB
   */
  maxMessageBytes?: number | undefined;
}

export const DEFAULT_MAX_BYTES: number = DEFAULT_MAX_MESSAGE_BYTES;

/** The headers from `requestInit.headers` and `headers`, lower-cased. */
export function baseHeaders(options: HttpClientOptions): Record<string, string> {
  const result: Record<string, string> = {};
  if (options.requestInit?.headers !== undefined) {
    new Headers(options.requestInit.headers).forEach((value, name) => {
      result[name] = value;
    });
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) result[name.toLowerCase()] = value;
  if (options.authToken !== undefined) result.authorization = `Bearer ${options.authToken}`;
  return result;
}

/** The bearer token of an auth provider of either shape. */
export async function providerToken(provider: AuthProvider | OAuthTokensProvider): Promise<string | undefined> {
  if ('token' in provider) return provider.token();
  return (await provider.tokens())?.access_token;
}

/** An HTTP status the transport could not handle, with the status code for callers that branch on it. */
export class HTTPStatusError extends TransportError {
  /** The HTTP status code. */
  readonly status: number;

  constructor(status: number, message: string, options?: { cause?: unknown }) {
    const code =
      status === 413
        ? TransportErrorCode.MessageTooLarge
        : status >= 500
          ? TransportErrorCode.Connection
          : TransportErrorCode.Refused;
    super(code, message, options);
    this.status = status;
  }
}

export function closedError(what: string): TransportError {
  return new TransportError(TransportErrorCode.Closed, `${TAG} ${what}: the transport is closed`);
}

export function notStartedError(): TransportError {
  return new TransportError(TransportErrorCode.NotStarted, `${TAG} call start() (or Client.connect()) before send()`);
}

export function alreadyStartedError(name: string): TransportError {
  return new TransportError(
    TransportErrorCode.AlreadyStarted,
    `${TAG} ${name} already started; Client.connect() calls start() for you, so do not call it yourself`,
  );
}

/** One request's hold on an AbortController. */
export interface Held {
  signal: AbortSignal;
  /** Aborts this request (its stream ends). */
  abort: () => void;
  /** The request is over: forget it. */
  release: () => void;
}

/**
 * Every request's AbortController, so close() can abort all of them. A request holds its
 * controller until its body is consumed (an SSE stream outlives the call that opened it).
 */
export class InFlight {
  readonly #controllers = new Set<AbortController>();
  readonly #shared = new AbortController();
  /**
   * For requests that only close() aborts (most POSTs): one signal shared by all of them, so the
   * hot path makes no AbortController per message. Its `abort` and `release` do nothing.
   */
  readonly shared: Held = { signal: this.#shared.signal, abort: () => undefined, release: () => undefined };

  /** A signal for one request, aborted by `abortAll()` or by the caller's `signal`. */
  hold(signal?: AbortSignal): Held {
    const controller = new AbortController();
    this.#controllers.add(controller);
    const abort = (): void => controller.abort(new TransportError(TransportErrorCode.Closed, `${TAG} stream stopped`));
    if (signal === undefined) {
      return { signal: controller.signal, abort, release: () => this.#controllers.delete(controller) };
    }
    const onAbort = (): void => controller.abort(signal.reason);
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });
    return {
      signal: controller.signal,
      abort,
      release: () => {
        this.#controllers.delete(controller);
        signal.removeEventListener('abort', onAbort);
      },
    };
  }

  abortAll(reason: Error): void {
    this.#shared.abort(reason);
    for (const controller of this.#controllers) controller.abort(reason);
    this.#controllers.clear();
  }
}

/**
 * Sends one request with the auth headers, and on 401 asks the provider (`onUnauthorized`) once
 * and retries once. `headers()` is called per attempt, so a refreshed token is picked up.
 */
export function requestWithAuth(
  http: HttpRequester,
  options: HttpClientOptions,
  request: Omit<HttpRequest, 'headers'>,
  headers: () => Record<string, string>,
): Promise<HttpResponse> {
  const provider = options.authProvider;
  // The common case, kept free of extra awaits: it is on every message's path.
  if (provider === undefined) return http({ ...request, headers: headers() });
  return authorizedRequest(http, provider, request, headers);
}

async function authorizedRequest(
  http: HttpRequester,
  provider: AuthProvider | OAuthTokensProvider,
  request: Omit<HttpRequest, 'headers'>,
  headers: () => Record<string, string>,
): Promise<HttpResponse> {
  const withToken = async (): Promise<Record<string, string>> => {
    const result = headers();
    const token = await providerToken(provider);
    if (token !== undefined) result.authorization = `Bearer ${token}`;
    return result;
  };
  const response = await http({ ...request, headers: await withToken() });
  if (response.status !== 401 || !('token' in provider) || provider.onUnauthorized === undefined) return response;
  // Asked once: refresh the token, then one retry. A second 401 is the caller's error.
  const wwwAuthenticate = response.header('www-authenticate');
  await response.dump();
  await provider.onUnauthorized({ serverUrl: request.url, wwwAuthenticate });
  return http({ ...request, headers: await withToken() });
}

/** An {@link HTTPStatusError} with the start of the body in its message. */
export async function statusError(response: HttpResponse, method: string, url: URL): Promise<HTTPStatusError> {
  let detail: string;
  try {
    detail = (await response.text(4096)).trim();
  } catch (error) {
    detail = `(body unreadable: ${toError(error).message})`;
  }
  return new HTTPStatusError(
    response.status,
    `${TAG} ${method} ${url.href} answered HTTP ${response.status}${detail === '' ? '' : `: ${detail.slice(0, 500)}`}`,
  );
}
