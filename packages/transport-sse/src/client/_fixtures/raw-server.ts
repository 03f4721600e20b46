/** Test peer: a bare node:http server on an ephemeral loopback port, scripted per test, for fault cases. */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawRequest {
  method: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body of a POST (or the raw text when it is not JSON). */
  body: unknown;
}

export interface RawServer {
  url: string;
  log: RawRequest[];
  close(): Promise<void>;
}

export type RawHandler = (req: RawRequest, res: ServerResponse) => void | Promise<void>;

export async function startRawServer(handler: RawHandler): Promise<RawServer> {
  const log: RawRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        // Not JSON: the test sees the raw text.
        body = text;
      }
      const request = { method: req.method ?? '', headers: req.headers, body };
      log.push(request);
      Promise.resolve(handler(request, res)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    log,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One SSE event. */
export function sse(data: unknown, id?: string, extra = ''): string {
  return `${extra}${id === undefined ? '' : `id: ${id}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

export function openSse(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  res.flushHeaders();
}

/** The JSON-RPC id of a request body (or undefined). */
export function idOf(body: unknown): string | number | undefined {
  return (body as { id?: string | number } | undefined)?.id;
}

export function methodOf(body: unknown): string | undefined {
  return (body as { method?: string } | undefined)?.method;
}
