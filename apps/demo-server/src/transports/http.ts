/**
 * HTTP medium, on `@mcp-transports/sse`: Streamable HTTP at `/mcp` (sessions, resumability with
 * core's MemoryEventStore) and the legacy HTTP+SSE transport at `/sse` + `/messages`, one SDK server
 * per session. The package's defaults do the rest: DNS-rebinding checks on loopback binds, 413 over
 * 16 MiB, 404 for unknown sessions, idle sessions reaped.
 */
import { createMcpHttpServer } from '@mcp-transports/sse/server';
import type { HostPort } from '../args.js';
import { perSession } from './_per-session.js';
import type { OriginOptions, Served, ServerFactory } from './types.js';

export const HTTP_IMPLEMENTATION = 'ours: @mcp-transports/sse';

export async function serveHttp(
  createMcpServer: ServerFactory,
  address: HostPort,
  { allowedOrigins }: OriginOptions = {},
): Promise<Served> {
  const sessions = perSession(createMcpServer, 'http');
  const http = await createMcpHttpServer({
    host: address.host,
    port: address.port,
    path: '/mcp',
    resumability: true,
    // A page on another origin (the playground) needs CORS to read answers and Mcp-Session-Id.
    ...(allowedOrigins && { allowedOrigins, cors: { origin: allowedOrigins } }),
    onconnection: sessions.connect,
    onerror: sessions.report,
  });
  return sessions.served(
    [
      { medium: 'streamable-http', url: http.url.href },
      ...(http.sseUrl ? [{ medium: 'sse', url: http.sseUrl.href }] : []),
    ],
    () => http.close(),
  );
}
