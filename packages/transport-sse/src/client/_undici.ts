/**
 * The Node HTTP stack: undici's `request()` on a keep-alive dispatcher. `request()` rather than
 * undici's `fetch()`: it skips the WHATWG Request/Response/Headers objects, which is most of what
 * separates `fetch` from raw keep-alive speed.
 */
import { setMaxListeners } from 'node:events';
import { request, type Dispatcher } from 'undici';
import { collectText, tooLarge, type HttpRequester, type HttpResponse } from './_http.js';

/** A class, not an object literal of closures: one of these is made per message. */
class UndiciResponse implements HttpResponse {
  readonly status: number;
  readonly #data: Dispatcher.ResponseData;

  constructor(data: Dispatcher.ResponseData) {
    this.status = data.statusCode;
    this.#data = data;
  }

  header(name: string): string | undefined {
    const value = this.#data.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  chunks(): AsyncIterable<Uint8Array> {
    return this.#data.body;
  }

  async text(limit: number): Promise<string> {
    const { body, headers } = this.#data;
    const length = Number(headers['content-length'] ?? Number.NaN);
    if (length > limit) {
      body.destroy();
      throw tooLarge(limit);
    }
    // A declared length within the limit: undici's own text() is the fastest path.
    if (length <= limit) return body.text();
    return collectText(body, limit);
  }

  dump(): Promise<void> {
    return this.#data.body.dump();
  }
}

export function undiciRequester(dispatcher?: Dispatcher): HttpRequester {
  return async (req) => {
    // One signal may serve many concurrent requests (each adds an abort listener while in flight):
    // that is by design, not a leak, so Node must not warn past 10 listeners.
    setMaxListeners(0, req.signal);
    return new UndiciResponse(
      await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body ?? null,
        signal: req.signal,
        // `undefined` means undici's global dispatcher: a keep-alive Agent, and whatever the
        // application installed with setGlobalDispatcher() (a proxy, mocks).
        ...(dispatcher === undefined ? {} : { dispatcher }),
      }),
    );
  };
}
