/**
 * What the network media (http, ws, redis) share: one SDK server per session, errors reported on
 * stderr as `[demo-server] <medium>: …`, and a close that stops the listener, then closes every
 * server still open, once.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Endpoint, Served, ServerFactory } from './types.js';

export interface PerSession {
  /** Makes a server for this session's transport and connects it. */
  readonly connect: (transport: Parameters<McpServer['connect']>[0]) => void;
  /** Writes `[demo-server] <medium>: <message>` to stderr. */
  readonly report: (error: unknown) => void;
  /** The {@link Served} for `endpoints`: its `close()` runs `stopListening`, then closes every server. */
  readonly served: (endpoints: readonly Endpoint[], stopListening: () => Promise<void>) => Served;
}

export function perSession(createServer: ServerFactory, medium: string): PerSession {
  const servers = new Set<McpServer>();
  const report = (error: unknown): void =>
    void process.stderr.write(`[demo-server] ${medium}: ${error instanceof Error ? error.message : String(error)}\n`);
  return {
    connect: (transport) => {
      const server = createServer();
      servers.add(server);
      server.server.onclose = () => servers.delete(server);
      server.connect(transport).catch(report);
    },
    report,
    served: (endpoints, stopListening) => {
      let resolveClosed!: () => void;
      const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> =>
        (closing ??= (async () => {
          // Stopping the listener closes every session, and with it each session's server.
          await stopListening();
          await Promise.allSettled([...servers].map((server) => server.close()));
          resolveClosed();
        })());
      return { endpoints, closed, close };
    },
  };
}
