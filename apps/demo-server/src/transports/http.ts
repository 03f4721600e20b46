/**
 * HTTP medium, on `@mcp-transports/sse`: Streamable HTTP at `/mcp` (sessions, resumability with
 * core's MemoryEventStore) and the legacy HTTP+SSE transport at `/sse` + `/messages`, one SDK server
 * per session. The package's defaults do the rest: DNS-rebinding checks on loopback binds, 413 over
 * 16 MiB, 404 for unknown sessions, idle sessions reaped.
 */
import { createMcpHttpServer } from '@mcp-transports/sse/server';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { HostPort } from '../args.js';
import type { OriginOptions, Served, ServerFactory } from './types.js';

export const HTTP_IMPLEMENTATION = 'ours: @mcp-transports/sse';

export async function serveHttp(
  createMcpServer: ServerFactory,
  address: HostPort,
  { allowedOrigins }: OriginOptions = {},
): Promise<Served> {
  const servers = new Set<McpServer>();
  const report = (error: unknown): void =>
    void process.stderr.write(`[demo-server] http: ${error instanceof Error ? error.message : String(error)}\n`);
  const http = await createMcpHttpServer({
    host: address.host,
    port: address.port,
    path: '/mcp',
    resumability: true,
    // A page on another origin (the playground) needs CORS to read answers and Mcp-Session-Id.
    ...(allowedOrigins && { allowedOrigins, cors: { origin: allowedOrigins } }),
    onconnection: (transport) => {
      const server = createMcpServer();
      servers.add(server);
      server.server.onclose = () => servers.delete(server);
      server.connect(transport).catch(report);
    },
    onerror: report,
  });

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      // Closing the listener closes every session, and with it each session's server.
      await http.close();
      await Promise.allSettled([...servers].map((server) => server.close()));
      resolveClosed();
    })());

  return {
    endpoints: [
      { medium: 'streamable-http', url: http.url.href },
      ...(http.sseUrl ? [{ medium: 'sse', url: http.sseUrl.href }] : []),
    ],
    closed,
    close,
  };
}
