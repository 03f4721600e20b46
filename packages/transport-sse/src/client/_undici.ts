/**
 * The Node HTTP stack: undici's `request()` on a keep-alive dispatcher. `request()` rather than
 * undici's `fetch()`: it skips the WHATWG Request/Response/Headers objects, which is most of what
 * separates `fetch` from raw keep-alive speed.
 */
import { request, type Dispatcher } from 'undici';
import { collectText, tooLarge, type HttpRequester } from './_http.js';

export function undiciRequester(dispatcher?: Dispatcher): HttpRequester {
  return async (req) => {
    const response = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      signal: req.signal,
      // `undefined` means undici's global dispatcher: a keep-alive Agent, and whatever the
      // application installed with setGlobalDispatcher() (a proxy, mocks).
      ...(dispatcher === undefined ? {} : { dispatcher }),
    });
    const { body, headers, statusCode } = response;
    return {
      status: statusCode,
      header: (name) => {
        const value = headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      chunks: () => body,
      text: async (limit) => {
        const length = Number(headers['content-length'] ?? Number.NaN);
        if (length > limit) {
          body.destroy();
          throw tooLarge(limit);
        }
        // A declared length within the limit: undici's own text() is the fastest path.
        if (length <= limit) return body.text();
        return collectText(body, limit);
      },
      dump: () => body.dump(),
    };
  };
}
