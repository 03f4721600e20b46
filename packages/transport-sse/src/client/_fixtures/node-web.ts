/**
 * Test peer plumbing: serves a web-standard `(Request) => Promise<Response>` handler (the SDK v2
 * server side) from node:http, streaming the response body as it is produced.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type WebHandler = (request: Request) => Promise<Response>;

export interface NodeListenerOptions {
  /**
   * Give each Request a signal that fires when the connection closes before the response finished
   * (the client went away), so the handler sees cancellation. Default false: no signal.
   */
  abortOnClose?: boolean;
}

/** Turns a web-standard handler into a node:http request listener. */
export function nodeListener(
  handler: WebHandler,
  options: NodeListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    let signal: AbortSignal | undefined;
    if (options.abortOnClose === true) {
      const abort = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) abort.abort();
      });
      signal = abort.signal;
    }
    serve(handler, req, res, signal).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
      else res.destroy();
    });
  };
}

async function serve(
  handler: WebHandler,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal | undefined,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  const body = Buffer.concat(chunks);
  const response = await handler(
    new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      ...(signal === undefined ? {} : { signal }),
      ...(body.length === 0 ? {} : { body }),
    }),
  );
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    out[name] = value;
  });
  res.writeHead(response.status, out);
  res.flushHeaders();
  if (response.body !== null) {
    const reader = response.body.getReader();
    res.on('close', () => void reader.cancel().catch(() => undefined));
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
  }
  res.end();
}
