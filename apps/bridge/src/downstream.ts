/**
 * The client-facing side: listeners that yield one transport per client session, each handed to
 * `Sessions.open`, which gives it its own upstream. Built on our packages' defaults (loopback
 * DNS-rebinding checks, 16 MiB limits, idle sessions reaped, heartbeats).
 */
import { RedisServerListener } from '@mcp-transports/redis';
import { createMcpHttpServer } from '@mcp-transports/sse/server';
import { guardStdout, StdioServerTransport } from '@mcp-transports/stdio';
import { WebSocketListener } from '@mcp-transports/websocket';
import type { HostPort, RedisEndpoint } from './args.js';
import type { Relay } from './relay.js';
import type { Sessions } from './sessions.js';

export interface Endpoint {
  readonly medium: string;
  readonly url: string;
}

/** One downstream medium being served. `close()` stops accepting and closes its sessions. */
export interface Downstream {
  readonly endpoints: readonly Endpoint[];
  close(): Promise<void>;
}

type Log = (line: string) => void;

export async function serveHttp(sessions: Sessions, address: HostPort, log: Log): Promise<Downstream> {
  const http = await createMcpHttpServer({
    host: address.host,
    port: address.port,
    path: '/mcp',
    resumability: true,
    onconnection: (transport) => void sessions.open(transport, 'http'),
    onerror: (error) => log(`http: ${error.message}`),
  });
  return {
    endpoints: [
      { medium: 'streamable-http', url: http.url.href },
      ...(http.sseUrl ? [{ medium: 'sse', url: http.sseUrl.href }] : []),
    ],
    close: () => http.close(),
  };
}

export async function serveWs(sessions: Sessions, address: HostPort, log: Log): Promise<Downstream> {
  const listener = new WebSocketListener();
  listener.onconnection = (transport) => void sessions.open(transport, 'ws');
  listener.onerror = (error) => log(`ws: ${error.message}`);
  const { url } = await listener.listen({ host: address.host, port: address.port, path: '/mcp' });
  return { endpoints: [{ medium: 'ws', url }], close: () => listener.close() };
}

export async function serveRedis(sessions: Sessions, target: RedisEndpoint, log: Log): Promise<Downstream> {
  const listener = new RedisServerListener({ redis: target.url, endpoint: target.endpoint });
  listener.onconnection = (transport) => void sessions.open(transport, 'redis');
  listener.onerror = (error) => log(`redis: ${error.message}`);
  await listener.listen();
  return {
    endpoints: [{ medium: 'redis', url: `${target.url}#${encodeURIComponent(target.endpoint)}` }],
    close: () => listener.close(),
  };
}

/** The one stdio session: the bridge's own stdin/stdout (nothing else may write stdout). */
export function serveStdio(sessions: Sessions): Downstream & { readonly relay: Relay } {
  guardStdout();
  const relay = sessions.open(new StdioServerTransport({ endOnClose: true }), 'stdio');
  return { endpoints: [{ medium: 'stdio', url: 'stdio:' }], relay, close: () => relay.close() };
}
