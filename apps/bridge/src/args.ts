import { parseTarget, TargetError, type Target } from '@mcp-transports/demo-client';
import {
  MEDIA_OPTIONS,
  parseFlags,
  parseMedia,
  parseRedisTarget,
  UsageError,
  type HostPort,
  type RedisTarget,
} from '@mcp-transports/demo-server';

export { UsageError };
export type { HostPort, Target };

/** A Redis URL and the MCP endpoint on it (the URL fragment; default `bridge`). */
export type RedisEndpoint = RedisTarget;

export interface BridgeArgs {
  /** The server being bridged: a command (stdio), an http(s)/ws(s) URL or a Redis endpoint. */
  readonly upstream: Target;
  /** Serve one session on this process's stdin/stdout. */
  readonly stdio: boolean;
  readonly http?: HostPort;
  readonly ws?: HostPort;
  readonly redis?: RedisEndpoint;
  /** stdio upstream: extra environment variables for each child (`--env KEY=VALUE`). */
  readonly env: Readonly<Record<string, string>>;
  /** stdio upstream: the children's working directory. */
  readonly cwd?: string;
  /** http/ws upstream: extra request headers (`--header "Name: value"`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly help: boolean;
}

export const USAGE = `Usage: mcp-bridge <downstream flags> [options] [--] <upstream>

Exposes the MCP server <upstream> on other transports. Every downstream session (an HTTP session,
a WebSocket connection, a Redis session, the stdio session) gets its own upstream connection: its
own child process for a command, its own HTTP session, WebSocket or Redis session otherwise.

<upstream>, one of:
  a command            spawned per session, e.g. -- npx -y @modelcontextprotocol/server-everything
  http(s)://HOST/PATH  Streamable HTTP, falling back to the legacy HTTP+SSE transport
  ws(s)://HOST/PATH    WebSocket (subprotocol mcp)
  redis(s)://HOST:PORT#ENDPOINT   the MCP endpoint ENDPOINT on that Redis

Downstream (at least one; they combine):
  --stdio              serve one session on stdin/stdout; the bridge exits when it ends
  --http HOST:PORT     Streamable HTTP at /mcp and legacy HTTP+SSE at /sse (PORT 0 picks a free port)
  --ws HOST:PORT       WebSocket at /mcp
  --redis URL          MCP over Redis, e.g. redis://127.0.0.1:6379#bridge (endpoint default: bridge)

Options:
  --env KEY=VALUE      command upstream: extra environment variable for the child (repeatable);
                       the child otherwise gets only a safe allow-list (PATH, HOME, ...)
  --cwd DIR            command upstream: the child's working directory (default: the bridge's)
  --header "N: V"      http/ws upstream: extra request header, e.g. "Authorization: Bearer x" (repeatable)
  -h, --help           show this help

Endpoints are announced on stderr ("[mcp-bridge] listening <medium> <url>", then "[mcp-bridge] ready").
SIGINT/SIGTERM close every session (and every upstream process) and exit 0.
Exit status: 0 clean shutdown, 1 the upstream failed (--stdio alone) or a listener could not start,
2 usage error.`;

export function parseBridgeArgs(argv: readonly string[]): BridgeArgs {
  const { values, positionals } = parseFlags({
    args: [...argv],
    options: {
      ...MEDIA_OPTIONS,
      env: { type: 'string', multiple: true, default: [] },
      cwd: { type: 'string' },
      header: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    return { upstream: { kind: 'stdio', command: '', args: [] }, stdio: false, env: {}, headers: {}, help: true };
  }
  const upstream = parseUpstream(positionals);
  const args: BridgeArgs = {
    upstream,
    help: false,
    env: parseEnv(values.env),
    headers: parseHeaders(values.header),
    ...(values.cwd !== undefined && { cwd: values.cwd }),
    ...parseMedia(values, 'bridge'),
  };
  if (!args.stdio && !args.http && !args.ws && !args.redis) {
    throw new UsageError('choose at least one downstream transport: --stdio, --http, --ws or --redis');
  }
  if (upstream.kind !== 'stdio' && (Object.keys(args.env).length > 0 || args.cwd !== undefined)) {
    throw new UsageError('--env and --cwd apply to a command upstream only');
  }
  if ((upstream.kind === 'stdio' || upstream.kind === 'redis') && Object.keys(args.headers).length > 0) {
    throw new UsageError('--header applies to an http(s):// or ws(s):// upstream only');
  }
  return args;
}

/**
 * One word that is a URL or a quoted command line (`"npx -y server"`), or several words after `--`
 * (`-- npx -y server`, no shell quoting needed).
 */
export function parseUpstream(positionals: readonly string[]): Target {
  if (positionals.length === 0) {
    throw new UsageError(
      'name the upstream server: a command (after --), an http(s):// or ws(s):// URL, or redis://HOST:PORT#ENDPOINT',
    );
  }
  try {
    if (positionals.length === 1) return parseTarget(positionals[0]!);
    const [command, ...args] = positionals;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(command!)) {
      throw new TargetError(`a URL upstream takes no further words, got "${positionals.slice(1).join(' ')}"`);
    }
    return { kind: 'stdio', command: command!, args };
  } catch (error) {
    if (error instanceof TargetError) throw new UsageError(`upstream: ${error.message}`);
    throw error;
  }
}

export function parseRedisEndpoint(value: string): RedisEndpoint {
  return parseRedisTarget(value, 'bridge');
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--env expects KEY=VALUE, got "${pair}"`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(line);
    if (match === null) throw new UsageError(`--header expects "Name: value", got "${line}"`);
    headers[match[1]!.toLowerCase()] = match[2]!;
  }
  return headers;
}
