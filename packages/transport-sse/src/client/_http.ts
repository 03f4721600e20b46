/**
 * The one seam between the client transports and an HTTP stack. The Node entry plugs in undici
 * (`_undici.ts`), the browser entry plugs in `fetch` (below), so everything else is shared and
 * free of Node imports.
 */
import { TransportError, TransportErrorCode } from '@mcp-transports/core';

export const TAG = '[mcp-transports/sse]';

/** A `fetch`-compatible function (the SDK's `FetchLike`). */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: string | undefined;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** A response header by lower-case name. */
  header(name: string): string | undefined;
  /** The body as byte chunks. Consume once. */
  chunks(): AsyncIterable<Uint8Array>;
  /** The whole body as text; rejects with `ERR_MESSAGE_TOO_LARGE` past `limit` bytes (and stops reading). */
  text(limit: number): Promise<string>;
  /** Discards the body, so the connection can be reused. */
  dump(): Promise<void>;
}

export type HttpRequester = (request: HttpRequest) => Promise<HttpResponse>;

export function tooLarge(limit: number, what = 'response body'): TransportError {
  return new TransportError(TransportErrorCode.MessageTooLarge, `${TAG} ${what} is larger than ${limit} bytes`, {
    jsonRpcCode: -32600,
  });
}

/** Collects chunks up to `limit` bytes and decodes them as UTF-8. */
export async function collectText(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<string> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    // Throwing out of `for await` returns the iterator, which releases the underlying body.
    if (total > limit) throw tooLarge(limit);
    parts.push(chunk);
  }
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return new TextDecoder().decode(joined);
}

async function* readerChunks(body: ReadableStream<Uint8Array> | null, onDone: () => void): AsyncGenerator<Uint8Array> {
  if (body === null) {
    onDone();
    return;
  }
  // getReader() rather than `for await (… of body)`: Safari's ReadableStream is not async-iterable.
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    onDone();
    // The consumer stopped early (oversize, close): cancel, so the connection is released. The
    // cancellation's own outcome does not matter any more: the reason was already reported.
    if (!finished) reader.cancel().catch(() => undefined);
  }
}

/**
 * An {@link HttpRequester} on a `fetch` function. `requestInit` fields other than `headers`
 * (credentials, mode, cache, …) are passed through on every request.
 */
export function fetchRequester(fetchFn: FetchLike, requestInit?: RequestInit): HttpRequester {
  const { headers: _ignored, ...init } = requestInit ?? {};
  return async (request) => {
    // A signal of our own per request, linked to the caller's and unlinked once the body is done:
    // the caller's signal may be shared by every request of a transport, and Node's fetch keeps
    // its abort listener on the signal it is given until garbage collection.
    const controller = new AbortController();
    const forward = (): void => controller.abort(request.signal.reason);
    if (request.signal.aborted) controller.abort(request.signal.reason);
    else request.signal.addEventListener('abort', forward, { once: true });
    const unlink = (): void => request.signal.removeEventListener('abort', forward);
    let response: Response;
    try {
      response = await fetchFn(request.url, {
        ...init,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
        signal: controller.signal,
      });
    } catch (error) {
      unlink();
      throw error;
    }
    const body = (): AsyncGenerator<Uint8Array> => readerChunks(response.body, unlink);
    return {
      status: response.status,
      header: (name) => response.headers.get(name) ?? undefined,
      chunks: body,
      text: (limit) => {
        const length = Number(response.headers.get('content-length') ?? Number.NaN);
        if (length > limit) {
          unlink();
          void response.body?.cancel();
          return Promise.reject(tooLarge(limit));
        }
        return collectText(body(), limit);
      },
      dump: async () => {
        unlink();
        await response.body?.cancel();
      },
    };
  };
}
