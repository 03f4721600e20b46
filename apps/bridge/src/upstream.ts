/**
 * Makes the upstream transport of one session, from the target named on the command line. Each call
 * makes a new one: a new child process, a new HTTP session, a new WebSocket, a new Redis session.
 */
import type { Target } from '@mcp-transports/demo-client';
import type { Transport } from '@mcp-transports/core';
import { RedisClientTransport } from '@mcp-transports/redis';
import { FallbackClientTransport } from '@mcp-transports/sse/client';
import { StdioClientTransport } from '@mcp-transports/stdio';
import { WebSocketClientTransport } from '@mcp-transports/websocket';

export interface UpstreamOptions {
  /** Command upstream: extra environment variables for each child. */
  readonly env?: Readonly<Record<string, string>>;
  /** Command upstream: the children's working directory. */
  readonly cwd?: string;
  /** HTTP/WebSocket upstream: extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Upstream {
  readonly transport: Transport;
  /** What the session is connected to, once started (e.g. `pid 1234`, the URL). */
  describe(): string;
  /** Why it closed, in words, for the error a waiting client request gets. */
  describeClose(lastError: Error | undefined): string;
}

export type UpstreamFactory = () => Upstream;

export function upstreamFactory(target: Target, options: UpstreamOptions = {}): UpstreamFactory {
  switch (target.kind) {
    case 'stdio':
      return () => stdioUpstream(target.command, target.args, options);
    case 'http':
      return () => {
        const transport = new FallbackClientTransport(target.url, { headers: { ...options.headers } });
        return {
          transport,
          describe: () => `${transport.kind} ${target.url.href}`,
          describeClose: (error) => `the HTTP connection to ${target.url.href} ended${suffix(error)}`,
        };
      };
    case 'ws':
      return () => {
        const transport = new WebSocketClientTransport(target.url, { headers: { ...options.headers } });
        return {
          transport,
          describe: () => `ws ${target.url.href}`,
          describeClose: (error) => {
            const info = transport.closeInfo;
            const code = info === undefined ? '' : ` (close code ${info.code}${info.reason ? `: ${info.reason}` : ''})`;
            return `the WebSocket to ${target.url.href} closed${code}${suffix(error)}`;
          },
        };
      };
    case 'redis':
      return () => {
        const transport = new RedisClientTransport({ redis: target.url, endpoint: target.endpoint });
        const where = `${target.url}#${encodeURIComponent(target.endpoint)}`;
        return {
          transport,
          describe: () => `redis ${where}`,
          describeClose: (error) => `the Redis session on ${where} ended${suffix(transport.closeReason ?? error)}`,
        };
      };
  }
}

function stdioUpstream(command: string, args: readonly string[], options: UpstreamOptions): Upstream {
  const transport = new StdioClientTransport({
    command,
    args: [...args],
    env: { ...options.env },
    stderr: 'inherit',
    ...(options.cwd !== undefined && { cwd: options.cwd }),
  });
  const name = [command, ...args].join(' ');
  return {
    transport,
    describe: () => `pid ${String(transport.pid)} (${name})`,
    describeClose: (error) => {
      const reason = transport.closeReason;
      if (reason === undefined) return `the upstream process (${name}) closed${suffix(error)}`;
      if (reason.by === 'spawn-error') return reason.error?.message ?? `could not start ${name}`;
      const pid = transport.pid === undefined ? '' : ` (pid ${transport.pid})`;
      if (reason.signal !== null) return `the upstream process${pid} was killed by ${reason.signal}`;
      return `the upstream process${pid} exited with code ${String(reason.exitCode)}`;
    },
  };
}

const suffix = (error: Error | undefined): string => (error === undefined ? '' : `: ${error.message}`);
