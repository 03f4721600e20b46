/**
 * A ready-made `node:http` server for the listener: Streamable HTTP on one path, the legacy
 * HTTP+SSE paths beside it, 404 elsewhere. Binds to 127.0.0.1 unless told otherwise (SH-4).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Transport } from '@mcp-transports/core';
import { errorBody, TAG } from './_http.js';
import { StreamableHTTPListener, type StreamableHTTPListenerOptions } from './listener.js';

export interface McpHttpServerOptions extends StreamableHTTPListenerOptions {
  /** Called with each session's transport: connect an MCP server to it. */
  onconnection: (transport: Transport) => void;
  /** Trouble that belongs to no single session. @default none */
  onerror?: (error: Error) => void;
  /** Path of the Streamable HTTP endpoint. @default '/mcp' */
  path?: string;
  /** Address to bind. @default '127.0.0.1' */
  host?: string;
  /** Port to bind; 0 picks a free one. @default 0 */
  port?: number;
}

export interface McpHttpServer {
  /** The Node server, for anything this helper does not cover. */
  readonly server: Server;
  readonly listener: StreamableHTTPListener;
  /** The Streamable HTTP endpoint's URL. */
  readonly url: URL;
  /** The legacy SSE endpoint's URL, unless legacy is off. */
  readonly sseUrl: URL | undefined;
  /** Closes every session, then the server. */
  close(): Promise<void>;
}

/** Starts an HTTP server that serves MCP at `path` (and the legacy paths) and resolves once listening. */
export async function createMcpHttpServer(options: McpHttpServerOptions): Promise<McpHttpServer> {
  const path = options.path ?? '/mcp';
  const host = options.host ?? '127.0.0.1';
  const listener = new StreamableHTTPListener(options);
  listener.onconnection = options.onconnection;
  listener.onerror = options.onerror;
  // A 2026-only endpoint has no legacy HTTP+SSE paths unless they are asked for.
  const legacy = options.legacy ?? (options.modernOnly === true ? false : {});
  const paths = new Set([path]);
  if (legacy !== false) {
    paths.add(legacy.ssePath ?? '/sse');
    paths.add(legacy.messagesPath ?? '/messages');
  }
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if (!paths.has(q === -1 ? url : url.slice(0, q))) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(errorBody(-32000, `${TAG} not found: the MCP endpoint is ${path}`));
      return;
    }
    void listener.handleNode(req, res);
  });
  // Node's default 5-minute request timeout would cut a long POST stream; headers still time out.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const authority =
    address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
  return {
    server,
    listener,
    url: new URL(`http://${authority}${path}`),
    sseUrl: legacy === false ? undefined : new URL(`http://${authority}${legacy.ssePath ?? '/sse'}`),
    async close() {
      await listener.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
