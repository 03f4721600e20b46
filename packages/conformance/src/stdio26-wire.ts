/**
 * Layer 2 for the 2026-07-28 (stateless) revision over stdio, server side: spawn the command and
 * speak raw lines to it, one check per server rule of spec section H that stdio can show (M26-*).
 * No `initialize`: every request carries the `_meta` envelope; `server/discover` opens.
 *
 * Each check spawns its own process (see {@link StdioSession}) and ends it afterwards.
 */
import type { JSONRPCMessage, RequestId } from '@mcp-transports/core';
import { fail, preview, sleep } from './_harness.js';
import { startSession, StdioSession } from './stdio-wire.js';
import type { StdioTarget } from './stdio-wire.js';
import type { WireCheck, WireContext } from './wire.js';

/** A tool and the arguments to call it with. */
export interface ToolCall {
  name: string;
  /** @default {} */
  arguments?: Record<string, unknown>;
}

/** The server to check: a command line speaking 2026-07-28 on stdio. */
export interface Stdio26Target extends Omit<StdioTarget, 'protocolVersion'> {
  /** The 2026 revision to speak. @default '2026-07-28' */
  protocolVersion?: string;
  /**
   * A quick tool to call during the whole-exchange check (M26-5). @default the first listed tool
   * whose input schema requires no argument; no call when there is none
   */
  tool?: ToolCall;
  /** A tool that runs until cancelled (M26-7); the cancellation check is n/a without it. */
  slowTool?: ToolCall;
  /** The server serves `subscriptions/listen` (M26-6). @default true */
  listen?: boolean;
}

const VERSION_KEY = 'io.modelcontextprotocol/protocolVersion';
const CAPABILITIES_KEY = 'io.modelcontextprotocol/clientCapabilities';
const SUBSCRIPTION_KEY = 'io.modelcontextprotocol/subscriptionId';

function versionOf(target: Stdio26Target): string {
  return target.protocolVersion ?? '2026-07-28';
}

/** The per-request `_meta` a conforming 2026 client sends (M26-1). */
function envelope(target: Stdio26Target, version = versionOf(target)): Record<string, unknown> {
  return {
    [VERSION_KEY]: version,
    [CAPABILITIES_KEY]: {},
    'io.modelcontextprotocol/clientInfo': { name: 'mcp-transports-conformance', version: '0' },
  };
}

function withEnvelope(target: Stdio26Target, params: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...params, _meta: envelope(target) };
}

/** A 2026 request: `params._meta` carries the envelope. */
function request(
  session: StdioSession,
  target: Stdio26Target,
  id: RequestId,
  method: string,
  params?: Record<string, unknown>,
): Promise<JSONRPCMessage> {
  return session.request(id, method, withEnvelope(target, params));
}

function start(target: Stdio26Target, context: WireContext): StdioSession {
  return startSession({ ...target, protocolVersion: versionOf(target) }, context);
}

function resultOf(response: JSONRPCMessage, what: string): Record<string, unknown> {
  if (!('result' in response)) fail(`${what} failed: ${preview(response)}`);
  return response.result;
}

function expectError(response: JSONRPCMessage, code: number, what: string): { code: number; data?: unknown } {
  if (!('error' in response)) fail(`${what}: expected error ${code}, got ${preview(response)}`);
  if (response.error.code !== code) fail(`${what}: expected error ${code}, got ${preview(response.error)}`);
  return response.error;
}

/** Opens the connection the 2026 way; returns the discover result. */
async function discover(session: StdioSession, target: Stdio26Target): Promise<Record<string, unknown>> {
  const result = resultOf(await request(session, target, 'discover', 'server/discover'), 'server/discover');
  const supported = result.supportedVersions;
  if (!Array.isArray(supported) || !supported.includes(versionOf(target))) {
    fail(`server/discover must list ${versionOf(target)} in supportedVersions, got ${preview(result)}`);
  }
  return result;
}

/** `target.tool`, or the first listed tool that needs no argument. */
function pickTool(target: Stdio26Target, listed: unknown): ToolCall | undefined {
  if (target.tool !== undefined) return target.tool;
  const tools = (listed as { tools?: unknown } | undefined)?.tools;
  if (!Array.isArray(tools)) return undefined;
  const free = (tools as { name?: unknown; inputSchema?: { required?: unknown } }[]).find(
    (tool) =>
      typeof tool.name === 'string' &&
      tool.name !== target.slowTool?.name &&
      (!Array.isArray(tool.inputSchema?.required) || tool.inputSchema.required.length === 0),
  );
  return free === undefined ? undefined : { name: free.name as string };
}

const LISTEN_KINDS = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
  'notifications/resources/updated',
]);

/**
 * Fails on anything the server wrote that a 2026 server may not: a request (M26-5), a response to
 * no request of ours or a second one to the same id, a change notification with no subscription
 * of ours (M26-6), progress for a token we never sent.
 */
function expectOnlyRelated(session: StdioSession, sent: ReadonlySet<RequestId>, subscriptions = new Set<RequestId>()) {
  const bad = session.badLines[0];
  if (bad !== undefined) fail(`a stdout line is not a JSON-RPC message: ${preview(bad.raw)} (${bad.problem})`);
  const answered = new Set<RequestId>();
  for (const message of session.messages) {
    if ('method' in message && 'id' in message) {
      fail(`the server wrote a JSON-RPC request to stdout (M26-5): ${preview(message)}`);
    }
    if ('method' in message) {
      const meta = (message.params as { _meta?: Record<string, unknown> } | undefined)?._meta;
      if (LISTEN_KINDS.has(message.method) && !subscriptions.has(meta?.[SUBSCRIPTION_KEY] as RequestId)) {
        fail(`an unsolicited ${message.method} (no subscription of ours in its _meta): ${preview(message)}`);
      }
      if (message.method === 'notifications/progress') {
        fail(`progress for a token this client never sent: ${preview(message)}`);
      }
      continue;
    }
    const id = (message as { id?: RequestId }).id as RequestId;
    if (!sent.has(id)) fail(`a response to no request of ours (id ${preview(id)}): ${preview(message)}`);
    if (answered.has(id)) fail(`request ${preview(id)} was answered twice: ${preview(message)}`);
    answered.add(id);
  }
}

function check(
  id: string,
  requirements: readonly string[],
  title: string,
  run: (target: Stdio26Target, context: WireContext) => Promise<void>,
  notApplicable?: (target: Stdio26Target) => string | undefined,
): WireCheck<Stdio26Target> {
  return { id, requirements, title, run, ...(notApplicable && { notApplicable }) };
}

const discoverCheck = check(
  'stdio26.discover',
  ['M26-1', 'M26-10'],
  'server/discover with the _meta envelope, as the first line, is answered and lists the 2026 revision',
  async (target, context) => {
    const session = start(target, context);
    const result = await discover(session, target);
    if (typeof result.capabilities !== 'object' || result.capabilities === null) {
      fail(`server/discover result has no capabilities: ${preview(result)}`);
    }
  },
);

const stateless = check(
  'stdio26.stateless-request',
  ['M26-1', 'M26-2'],
  'a request with its _meta envelope is answered as the very first line (no initialize, no discover)',
  async (target, context) => {
    const session = start(target, context);
    resultOf(await request(session, target, 1, 'tools/list'), 'tools/list as the first request');
  },
);

const missingCapabilities = check(
  'stdio26.missing-client-capabilities',
  ['M26-1'],
  'a first request whose _meta names the revision but lacks clientCapabilities gets -32602',
  async (target, context) => {
    const session = start(target, context);
    const response = await session.request(1, 'tools/list', { _meta: { [VERSION_KEY]: versionOf(target) } });
    expectError(response, -32602, 'no clientCapabilities in _meta');
  },
);

const perRequestEnvelope = check(
  'stdio26.per-request-envelope',
  ['M26-1', 'M26-2'],
  'after server/discover, each request is checked on its own: no _meta or no clientCapabilities gets -32602',
  async (target, context) => {
    const session = start(target, context);
    await discover(session, target);
    // Earlier requests establish nothing (M26-2): each of these must be refused by itself.
    expectError(await session.request(2, 'tools/list', {}), -32602, 'tools/list without _meta after server/discover');
    expectError(
      await session.request(3, 'tools/list', { _meta: { [VERSION_KEY]: versionOf(target) } }),
      -32602,
      'tools/list without clientCapabilities after server/discover',
    );
  },
);

const perRequestVersion = check(
  'stdio26.per-request-version',
  ['M26-18', 'M26-2'],
  'after server/discover, a request claiming an unsupported revision still gets -32022',
  async (target, context) => {
    const session = start(target, context);
    await discover(session, target);
    expectError(
      await session.request(4, 'tools/list', { _meta: envelope(target, '2099-01-01') }),
      -32022,
      'tools/list claiming revision 2099-01-01 after server/discover',
    );
  },
);

const noCarriedContext = check(
  'stdio26.no-carried-context',
  ['M26-2', 'M26-18'],
  'a request without _meta leaves nothing behind: the next one, claiming an unsupported revision, still gets -32022',
  async (target, context) => {
    const session = start(target, context);
    await discover(session, target);
    // Whatever the answer to this one (M26-1 wants -32602), it must not change how the next is judged.
    await session.request(5, 'tools/list', {});
    expectError(
      await session.request(6, 'tools/list', { _meta: envelope(target, '2099-01-01') }),
      -32022,
      'tools/list claiming revision 2099-01-01 after a tools/list without _meta',
    );
  },
);

const unsupportedVersion = check(
  'stdio26.unsupported-version',
  ['M26-18', 'M26-26'],
  'a request claiming an unsupported revision gets -32022 listing the supported versions (the JSON-RPC half of M26-18)',
  async (target, context) => {
    const session = start(target, context);
    const response = await session.request(1, 'server/discover', { _meta: envelope(target, '2099-01-01') });
    const error = expectError(response, -32022, 'server/discover claiming revision 2099-01-01');
    const supported = (error.data as { supported?: unknown } | undefined)?.supported;
    if (!Array.isArray(supported) || !supported.includes(versionOf(target))) {
      fail(`-32022 must list the supported versions in error.data.supported, got ${preview(error)}`);
    }
  },
);

const onlyRelated = check(
  'stdio26.no-server-requests',
  ['M26-5', 'M26-4', 'M26-6'],
  'over a whole 2026 exchange the server writes no request and only responses and notifications related to ours',
  async (target, context) => {
    const session = start(target, context);
    const sent = new Set<RequestId>(['discover']);
    const discovered = await discover(session, target);
    const capabilities = (discovered.capabilities ?? {}) as Record<string, unknown>;
    const ask = async (id: RequestId, method: string, params?: Record<string, unknown>) => {
      sent.add(id);
      return request(session, target, id, method, params);
    };
    const listed = 'tools' in capabilities ? resultOf(await ask('tools', 'tools/list'), 'tools/list') : undefined;
    if ('resources' in capabilities) await ask('resources', 'resources/list');
    if ('prompts' in capabilities) await ask('prompts', 'prompts/list');
    const tool = pickTool(target, listed);
    if (tool !== undefined) {
      await ask('call', 'tools/call', { name: tool.name, arguments: tool.arguments ?? {} });
    }
    await ask('ping', 'ping');
    await ask('unknown', 'conformance/no-such-method');
    // A late request or stray response would follow the last answer closely: give it a moment.
    await sleep(200);
    expectOnlyRelated(session, sent);
  },
);

const unknownMethod = check(
  'stdio26.unknown-method',
  ['JR-10', 'M26-19'],
  'an unknown method with the _meta envelope gets -32601 with the same id (the JSON-RPC half of M26-19)',
  async (target, context) => {
    const session = start(target, context);
    await discover(session, target);
    expectError(await request(session, target, 7, 'conformance/no-such-method'), -32601, 'conformance/no-such-method');
  },
);

const cancel = check(
  'stdio26.cancelled-request-silent',
  ['M26-7'],
  'after notifications/cancelled for an in-flight call the server sends nothing more for that id',
  async (target, context) => {
    const slow = target.slowTool as ToolCall;
    const session = start(target, context);
    await discover(session, target);
    const since = session.messages.length;
    await session.send({
      jsonrpc: '2.0',
      id: 'slow',
      method: 'tools/call',
      params: withEnvelope(target, { name: slow.name, arguments: slow.arguments ?? {} }),
    });
    // A ping written after the call is answered only once the call's line has been read.
    await request(session, target, 'before-cancel', 'ping');
    const early = session.messages.slice(since).find((m) => 'id' in m && !('method' in m) && m.id === 'slow');
    if (early !== undefined) {
      fail(`${slow.name} answered before it was cancelled (name a tool that runs until cancelled): ${preview(early)}`);
    }
    const cancelledAt = session.messages.length;
    await session.send({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: withEnvelope(target, { requestId: 'slow', reason: 'conformance check' }),
    });
    // Everything the server writes for the call after reading the cancellation comes before this
    // answer or just after it: give it a moment, as for any late message.
    await request(session, target, 'after-cancel', 'ping');
    await sleep(300);
    const late = session.messages.slice(cancelledAt).find((m) => relatesTo(m, 'slow'));
    if (late !== undefined) fail(`the server wrote for the cancelled request: ${preview(late)}`);
  },
  (target) => (target.slowTool === undefined ? 'no slowTool declared (a tool that runs until cancelled)' : undefined),
);

/** A response to `id`, or a notification naming it in `params.requestId` (e.g. a cancellation). */
function relatesTo(message: JSONRPCMessage, id: RequestId): boolean {
  if (!('method' in message)) return 'id' in message && message.id === id;
  if ('id' in message) return false;
  return (message.params as { requestId?: unknown } | undefined)?.requestId === id;
}

const listen = check(
  'stdio26.listen-acknowledged',
  ['M26-6', 'M26-4'],
  'subscriptions/listen is acknowledged first, stamped with _meta["io.modelcontextprotocol/subscriptionId"]',
  async (target, context) => {
    const session = start(target, context);
    await discover(session, target);
    const since = session.messages.length;
    await session.send({
      jsonrpc: '2.0',
      id: 'sub-1',
      method: 'subscriptions/listen',
      params: withEnvelope(target, { notifications: { toolsListChanged: true } }),
    });
    const deadline = Date.now() + context.timeoutMs;
    let first: JSONRPCMessage | undefined;
    while ((first = session.messages[since]) === undefined) {
      if (session.exit !== undefined) fail(`the server exited on subscriptions/listen: ${session.describe()}`);
      if (Date.now() > deadline) fail(`nothing came back for subscriptions/listen: ${session.describe()}`);
      await sleep(5);
    }
    if (!('method' in first) || first.method !== 'notifications/subscriptions/acknowledged') {
      fail(`the first message must be notifications/subscriptions/acknowledged, got ${preview(first)}`);
    }
    const meta = (first.params as { _meta?: Record<string, unknown> } | undefined)?._meta;
    if (meta?.[SUBSCRIPTION_KEY] !== 'sub-1') {
      fail(`the acknowledgement must carry _meta["${SUBSCRIPTION_KEY}"] = "sub-1": ${preview(first)}`);
    }
    expectOnlyRelated(session, new Set(['discover', 'sub-1']), new Set(['sub-1']));
  },
  (target) => (target.listen === false ? 'the server does not serve subscriptions/listen' : undefined),
);

const exitOnEof = check(
  'stdio26.exit-on-stdin-eof',
  ['M26-8', 'LC-11'],
  'after a 2026 exchange the server exits on its own once stdin ends (no signal needed)',
  async (target, context) => {
    const session = start(target, context);
    await discover(session, target);
    session.child.stdin.end();
    const ms = target.exitTimeoutMs ?? 5000;
    const exit = await session.waitExit(ms);
    if (exit === undefined) fail(`still running ${ms} ms after stdin ended`);
    if (exit.signal !== null) fail(`ended by signal ${exit.signal}`);
  },
);

/** Every 2026-07-28 server check of the stdio binding, in the order they run. */
export const STDIO26_CHECKS: readonly WireCheck<Stdio26Target>[] = [
  discoverCheck,
  stateless,
  missingCapabilities,
  perRequestEnvelope,
  unsupportedVersion,
  perRequestVersion,
  noCarriedContext,
  onlyRelated,
  unknownMethod,
  cancel,
  listen,
  exitOnEof,
];
