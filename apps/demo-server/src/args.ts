import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface RedisTarget {
  /** `redis://` or `rediss://` URL of the Redis server, without the fragment. */
  readonly url: string;
  /** The MCP endpoint name on that Redis (the URL fragment; default `demo` here, `bridge` in mcp-bridge). */
  readonly endpoint: string;
}

export interface ServerArgs extends Media {
  /**
   * `--allow-origin` (repeatable): browser origins allowed to call the HTTP and WebSocket endpoints.
   * Absent: CORS off and only loopback origins pass the Origin check (the packages' defaults).
   */
  readonly allowedOrigins?: readonly string[];
  readonly help: boolean;
}

export const USAGE = `Usage: mcp-demo-server [--stdio] [--http HOST:PORT] [--ws HOST:PORT] [--redis URL[#endpoint]]

  --stdio            serve one session on stdin/stdout (ends when stdin ends)
  --http HOST:PORT   Streamable HTTP at /mcp and legacy HTTP+SSE at /sse (PORT 0 picks a free port)
  --ws HOST:PORT     WebSocket at /mcp
  --redis URL        MCP over Redis, e.g. redis://127.0.0.1:6379#demo
  --allow-origin ORIGIN
                     let a web page on ORIGIN (e.g. http://127.0.0.1:5173) call --http (CORS) and
                     --ws; repeatable. Without it: no CORS, and only loopback origins pass
  -h, --help         show this help

Flags combine; at least one is required. SIGINT/SIGTERM close every session and exit.`;

/** A command-line mistake: the CLI prints the message and the usage, and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `node:util`'s `parseArgs`, with its errors (unknown flag, missing value, ...) as {@link UsageError}. */
export function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The flags that choose the media to serve on; mcp-bridge has the same ones for its downstream side. */
export const MEDIA_OPTIONS = {
  stdio: { type: 'boolean', default: false },
  http: { type: 'string' },
  ws: { type: 'string' },
  redis: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** The media chosen by `--stdio`, `--http HOST:PORT`, `--ws HOST:PORT` and `--redis URL[#endpoint]`. */
export interface Media {
  readonly stdio: boolean;
  readonly http?: HostPort;
  readonly ws?: HostPort;
  readonly redis?: RedisTarget;
}

/** Parses the {@link MEDIA_OPTIONS} values; a Redis URL without `#endpoint` gets `defaultEndpoint`. */
export function parseMedia(
  values: { readonly stdio: boolean; readonly http?: string; readonly ws?: string; readonly redis?: string },
  defaultEndpoint: string,
): Media {
  return {
    stdio: values.stdio,
    ...(values.http !== undefined && { http: parseHostPort('--http', values.http) }),
    ...(values.ws !== undefined && { ws: parseHostPort('--ws', values.ws) }),
    ...(values.redis !== undefined && { redis: parseRedisTarget(values.redis, defaultEndpoint) }),
  };
}

export function parseServerArgs(argv: readonly string[]): ServerArgs {
  const { values } = parseFlags({
    args: [...argv],
    options: {
      ...MEDIA_OPTIONS,
      'allow-origin': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const args: ServerArgs = {
    help: values.help,
    ...parseMedia(values, 'demo'),
    ...(values['allow-origin'] !== undefined && { allowedOrigins: values['allow-origin'].map(parseOrigin) }),
  };
  if (!args.help && !args.stdio && !args.http && !args.ws && !args.redis) {
    throw new UsageError('choose at least one transport: --stdio, --http, --ws or --redis');
  }
  if (args.allowedOrigins && !args.http && !args.ws) {
    throw new UsageError('--allow-origin applies to --http and --ws: add one of them');
  }
  return args;
}

/** `127.0.0.1:3000`, `localhost:0`, `[::1]:8080`. */
export function parseHostPort(flag: string, value: string): HostPort {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(value);
  const port = match === null ? NaN : Number(match[2]);
  if (match === null || !(port >= 0 && port <= 65_535)) {
    throw new UsageError(`${flag} expects HOST:PORT (e.g. 127.0.0.1:3000, PORT 0 for any free port), got "${value}"`);
  }
  const host = match[1]!;
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port };
}

/** `redis(s)://HOST:PORT[#endpoint]`; the endpoint defaults to `defaultEndpoint`. */
export function parseRedisTarget(value: string, defaultEndpoint = 'demo'): RedisTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--redis expects a redis:// or rediss:// URL, got "${value}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new UsageError(`--redis expects a redis:// or rediss:// URL, got "${value}"`);
  }
  const endpoint = decodeURIComponent(url.hash.slice(1)) || defaultEndpoint;
  url.hash = '';
  return { url: url.href, endpoint };
}

/**
 * An origin exactly as a browser sends it in `Origin`: `http(s)://host[:port]`, no path, no slash.
 * `*` is refused on purpose: the demo server stays reachable only from pages its user names.
 */
export function parseOrigin(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== value) {
    throw new UsageError(
      `--allow-origin expects an origin like http://127.0.0.1:5173 (scheme, host and port only, no trailing slash), got "${value}"`,
    );
  }
  return value;
}
