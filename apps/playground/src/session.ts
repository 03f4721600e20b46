/**
 * One MCP session from the browser: the official SDK v1 `Client` on one of our browser transports.
 * No DOM here, so the page (main.ts) only wires elements to these calls.
 */
import { StreamableHTTPClientTransport } from '@mcp-transports/sse/browser';
import { WebSocketClientTransport } from '@mcp-transports/websocket/browser';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  LoggingMessageNotificationSchema,
  ProgressNotificationSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

export type TransportKind = 'http' | 'ws';

/** Something the server told us outside a response, as the page shows it. */
export interface PlaygroundNotification {
  readonly kind: 'progress' | 'log' | 'other';
  readonly text: string;
}

export interface SessionOptions {
  /** Every notification, in arrival order (progress of our own calls included). */
  onnotification?: (notification: PlaygroundNotification) => void;
  /** The connection ended without `close()` (server gone, network, refused stream). */
  onclose?: () => void;
}

export interface Session {
  readonly kind: TransportKind;
  /** What the server called itself in `initialize`. */
  readonly serverName: string;
  listTools(): Promise<Tool[]>;
  /** Calls a tool with a progress token, so a long-running tool reports each step. */
  callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** Which transport a URL is for: `http(s)://` → Streamable HTTP, `ws(s)://` → WebSocket. */
export function kindOfUrl(url: string): TransportKind | undefined {
  if (/^https?:\/\//i.test(url)) return 'http';
  if (/^wss?:\/\//i.test(url)) return 'ws';
  return undefined;
}

export async function connect(kind: TransportKind, url: string, options: SessionOptions = {}): Promise<Session> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`"${url}" is not a URL`);
  }
  if (kindOfUrl(parsed.href) !== kind) {
    const expected = kind === 'http' ? 'http:// or https://' : 'ws:// or wss://';
    throw new TypeError(
      `${kind === 'http' ? 'Streamable HTTP' : 'WebSocket'} needs a URL starting with ${expected}, got "${url}"`,
    );
  }
  const transport = kind === 'http' ? new StreamableHTTPClientTransport(parsed) : new WebSocketClientTransport(parsed);
  const client = new Client({ name: 'mcp-transports-playground', version: '0.0.0' });
  const notify = options.onnotification ?? (() => undefined);
  client.setNotificationHandler(LoggingMessageNotificationSchema, ({ params }) => {
    const data = typeof params.data === 'string' ? params.data : JSON.stringify(params.data);
    notify({ kind: 'log', text: `${params.level}${params.logger ? ` (${params.logger})` : ''}: ${data}` });
  });
  // Every progress notification is shown, through our own handler rather than callTool's
  // `onprogress`: the SDK v1 Client runs notification handlers a microtask late but settles a
  // response at once, and drops the progress handler with it, so progress that arrives in the same
  // network chunk as the result (several SSE events in one read) would never reach `onprogress`.
  client.setNotificationHandler(ProgressNotificationSchema, ({ params }) => {
    const of = params.total === undefined ? '' : ` of ${params.total}`;
    notify({
      kind: 'progress',
      text: `progress ${params.progress}${of}${params.message ? `: ${params.message}` : ''}`,
    });
  });
  client.fallbackNotificationHandler = async ({ method, params }) => {
    notify({ kind: 'other', text: params ? `${method} ${JSON.stringify(params)}` : method });
  };
  let closing = false;
  client.onclose = () => {
    if (!closing) options.onclose?.();
  };
  await client.connect(transport);

  let nextProgressToken = 0;
  return {
    kind,
    serverName: client.getServerVersion()?.name ?? 'unknown server',
    listTools: async () => (await client.listTools()).tools,
    callTool: async (name, args) => {
      const _meta = { progressToken: `playground-${nextProgressToken++}` };
      return (await client.callTool({ name, arguments: args, _meta })) as CallToolResult;
    },
    close: async () => {
      closing = true;
      try {
        // Ends the session on the server now (DELETE) rather than when it is reaped as idle.
        if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession();
      } finally {
        await client.close();
      }
    },
  };
}

/** A starting point for a tool's arguments: each property's default, else an example of its type. */
export function exampleArguments(tool: Pick<Tool, 'inputSchema'>): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const required = new Set(tool.inputSchema.required ?? []);
  for (const [name, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
    const property = schema as { type?: unknown; default?: unknown };
    if (property.default !== undefined) args[name] = property.default;
    else if (required.has(name)) args[name] = exampleOf(property.type, name);
  }
  return args;
}

function exampleOf(type: unknown, name: string): unknown {
  switch (type) {
    case 'string':
      return name === 'text' ? 'Hello from the browser' : '';
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return null;
  }
}
