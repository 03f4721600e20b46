/**
 * Layer 2 for Streamable HTTP (2025-11-25 rules), server side: raw `fetch` against an endpoint URL,
 * asserting the spec's status codes, headers and session rules (SH-*, with the JR-* error shape).
 * No SDK, no knowledge of the server beyond what the target declares: they run against ours or
 * anyone's. Each check fails with what was expected and what came back.
 */
import { fail } from './_harness.js';
import type { WireCheck } from './wire.js';

/** The endpoint to check. */
export interface HttpTarget {
  /** The MCP endpoint, e.g. `http://127.0.0.1:3000/mcp`. */
  url: string | URL;
  /** The server assigns session ids (SH-39); the session checks are n/a without. @default true */
  sessions?: boolean;
  /** The server refuses a foreign `Origin` with 403 (DNS-rebinding protection, SH-3). @default true */
  originCheck?: boolean;
  /** The server's body limit in bytes; the 413 check is n/a when unknown. @default undefined */
  maxMessageBytes?: number;
  /** Extra headers for every request (e.g. `Authorization`). @default {} */
  headers?: Readonly<Record<string, string>>;
}

const PROTOCOL = '2025-11-25';
const ACCEPT_BOTH = 'application/json, text/event-stream';

interface Session {
  sessionId: string | undefined;
  headers: Record<string, string>;
}

function post(target: HttpTarget, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(target.url, {
    method: 'POST',
    headers: { accept: ACCEPT_BOTH, 'content-type': 'application/json', ...target.headers, ...headers },
    body,
  });
}

function initializeBody(id: number | string = 1): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion: PROTOCOL,
      capabilities: {},
      clientInfo: { name: 'mcp-transports-conformance', version: '0.0.0' },
    },
  });
}

/** The JSON-RPC messages of a response body, JSON or SSE. */
async function messagesOf(response: Response): Promise<Record<string, unknown>[]> {
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  if (type.startsWith('application/json')) {
    const parsed = JSON.parse(text) as unknown;
    return (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
  }
  if (!type.startsWith('text/event-stream')) fail(`expected application/json or text/event-stream, got "${type}"`);
  const messages: Record<string, unknown>[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
      .join('\n');
    if (data.trim() !== '') messages.push(JSON.parse(data) as Record<string, unknown>);
  }
  return messages;
}

/** Asserts an HTTP error whose body is a JSON-RPC error without `id` (SH-3, SH-11, JR-9, JR-10, JR-11). */
async function expectError(response: Response, status: number | readonly number[], what: string): Promise<void> {
  const statuses = typeof status === 'number' ? [status] : status;
  const text = await response.text();
  if (!statuses.includes(response.status)) {
    fail(`${what}: expected HTTP ${statuses.join(' or ')}, got ${response.status} ${text.slice(0, 200)}`);
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return fail(`${what}: the ${response.status} body is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
  }
  const error: unknown = body.error;
  if (body.jsonrpc !== '2.0' || typeof error !== 'object' || error === null) {
    return fail(`${what}: the ${response.status} body is not a JSON-RPC error: ${text.slice(0, 200)}`);
  }
  const { code, message } = error as Record<string, unknown>;
  if (!Number.isInteger(code) || typeof message !== 'string') {
    fail(`${what}: error.code must be an integer and error.message a string: ${text.slice(0, 200)}`);
  }
  if ('id' in body)
    fail(`${what}: an error without a readable request must carry no "id" (got ${JSON.stringify(body.id)})`);
}

async function initialize(target: HttpTarget): Promise<Session> {
  const response = await post(target, initializeBody());
  if (response.status !== 200) fail(`initialize: expected 200, got ${response.status} ${await response.text()}`);
  const sessionId = response.headers.get('mcp-session-id') ?? undefined;
  const messages = await messagesOf(response);
  const result = messages.find((m) => m.id === 1)?.result as { protocolVersion?: string } | undefined;
  if (result?.protocolVersion === undefined) fail(`initialize: no result with a protocolVersion in the response`);
  const headers: Record<string, string> = { 'mcp-protocol-version': result.protocolVersion };
  if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
  const initialized = await post(target, '{"jsonrpc":"2.0","method":"notifications/initialized"}', headers);
  await initialized.body?.cancel();
  return { sessionId, headers };
}

function sessionsOf(target: HttpTarget): boolean {
  return target.sessions ?? true;
}

const withSessions = (target: HttpTarget): string | undefined =>
  sessionsOf(target) ? undefined : 'the server assigns no session ids (sessions: false)';

function check(
  id: string,
  requirements: readonly string[],
  title: string,
  run: (target: HttpTarget) => Promise<void>,
  notApplicable?: (target: HttpTarget) => string | undefined,
): WireCheck<HttpTarget> {
  return { id, requirements, title, run: (target) => run(target), ...(notApplicable && { notApplicable }) };
}

const initializeSession = check(
  'SH-39.initialize',
  ['SH-39', 'SH-41'],
  'initialize answers 200 with a result, and a visible-ASCII Mcp-Session-Id when sessions are on (none when off)',
  async (t) => {
    const sessions = sessionsOf(t);
    const response = await post(t, initializeBody());
    if (response.status !== 200) fail(`expected 200, got ${response.status}`);
    const id = response.headers.get('mcp-session-id');
    if (sessions && (id === null || !/^[\x21-\x7e]+$/.test(id))) {
      fail(`expected a visible-ASCII Mcp-Session-Id, got ${JSON.stringify(id)}`);
    }
    if (!sessions && id !== null) fail(`a server without sessions sent Mcp-Session-Id ${id}`);
    const messages = await messagesOf(response);
    if (!messages.some((m) => m.id === 1 && typeof m.result === 'object')) fail('no initialize result with id 1');
  },
);

const notification202 = check(
  'SH-10.notification-202',
  ['SH-10'],
  'a notification is accepted with 202 and no body',
  async (t) => {
    const s = await initialize(t);
    const response = await post(t, '{"jsonrpc":"2.0","method":"notifications/initialized"}', s.headers);
    const text = await response.text();
    if (response.status !== 202 || text !== '') fail(`expected 202 with no body, got ${response.status} "${text}"`);
  },
);

const requestResponse = check(
  'SH-12.request-response',
  ['SH-12', 'JR-7'],
  'a request is answered with JSON or SSE holding the response with the same id, including id 0',
  async (t) => {
    const s = await initialize(t);
    const response = await post(t, '{"jsonrpc":"2.0","id":0,"method":"ping"}', s.headers);
    if (response.status !== 200) fail(`expected 200, got ${response.status}`);
    const messages = await messagesOf(response);
    if (!messages.some((m) => m.id === 0 && 'result' in m)) fail(`no response with id 0: ${JSON.stringify(messages)}`);
  },
);

const missingSession = check(
  'SH-44.missing-session-400',
  ['SH-44', 'SH-11', 'JR-9', 'JR-10', 'JR-11'],
  'a request without Mcp-Session-Id (other than initialize) gets 400',
  async (t) => {
    await initialize(t);
    await expectError(
      await post(t, '{"jsonrpc":"2.0","id":1,"method":"ping"}', { 'mcp-protocol-version': PROTOCOL }),
      400,
      'POST without session id',
    );
  },
  withSessions,
);

const unknownSession = check(
  'SH-45.unknown-session-404',
  ['SH-45', 'JR-9', 'JR-10', 'JR-11'],
  'an unknown Mcp-Session-Id gets 404',
  async (t) => {
    await expectError(
      await post(t, '{"jsonrpc":"2.0","id":1,"method":"ping"}', {
        'mcp-session-id': 'no-such-session',
        'mcp-protocol-version': PROTOCOL,
      }),
      404,
      'POST with unknown session id',
    );
  },
  withSessions,
);

const postAccept = check(
  'SH-8.accept-406',
  ['SH-8', 'SH-11', 'JR-9', 'JR-10', 'JR-11'],
  'a POST whose Accept lacks text/event-stream gets 406',
  async (t) => {
    await expectError(await post(t, initializeBody(), { accept: 'application/json' }), 406, 'Accept: application/json');
  },
);

const contentType = check(
  'SH-11.content-type-415',
  ['SH-11', 'JR-9', 'JR-10', 'JR-11'],
  'a POST with Content-Type text/plain gets 415',
  async (t) => {
    await expectError(
      await post(t, initializeBody(), { 'content-type': 'text/plain' }),
      415,
      'Content-Type: text/plain',
    );
  },
);

const malformedJson = check(
  'JR-2.malformed-json-400',
  ['JR-2', 'SH-11', 'JR-9', 'JR-10', 'JR-11'],
  'malformed JSON gets 400 with a JSON-RPC error',
  async (t) => {
    await expectError(await post(t, '{"jsonrpc":"2.0","id":1,"method":'), 400, 'malformed JSON');
  },
);

const notJsonRpc = check(
  'SH-9.not-json-rpc-400',
  ['SH-9', 'SH-11', 'JR-9', 'JR-10', 'JR-11'],
  'JSON that is no JSON-RPC message gets 400 with a JSON-RPC error',
  async (t) => {
    await expectError(await post(t, '{"hello":"world"}'), 400, 'not a JSON-RPC message');
    await expectError(await post(t, '"just a string"'), 400, 'a JSON string body');
  },
);

const protocolVersion = check(
  'SH-52.protocol-version-400',
  ['SH-52', 'JR-10', 'JR-11'],
  'an unsupported MCP-Protocol-Version gets 400',
  async (t) => {
    const s = await initialize(t);
    await expectError(
      await post(t, '{"jsonrpc":"2.0","id":2,"method":"ping"}', { ...s.headers, 'mcp-protocol-version': '1999-01-01' }),
      400,
      'MCP-Protocol-Version: 1999-01-01',
    );
  },
);

const getStream = check(
  'SH-27.get-stream',
  ['SH-27', 'SH-1'],
  'GET answers text/event-stream or 405; a second GET stream of the session gets 409',
  async (t) => {
    const s = await initialize(t);
    const controller = new AbortController();
    const first = await fetch(t.url, {
      headers: { accept: 'text/event-stream', ...t.headers, ...s.headers },
      signal: controller.signal,
    });
    try {
      if (first.status === 405) return;
      if (first.status !== 200 || !(first.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        fail(`expected 200 text/event-stream or 405, got ${first.status} ${first.headers.get('content-type')}`);
      }
      if (!sessionsOf(t)) return;
      const second = await fetch(t.url, { headers: { accept: 'text/event-stream', ...t.headers, ...s.headers } });
      await expectError(second, 409, 'second GET stream');
    } finally {
      controller.abort();
    }
  },
);

const getAccept = check(
  'SH-26.get-accept-406',
  ['SH-26', 'SH-27'],
  'a GET whose Accept lacks text/event-stream gets 406 (or 405 without GET streams)',
  async (t) => {
    const s = await initialize(t);
    const response = await fetch(t.url, { headers: { accept: 'application/json', ...t.headers, ...s.headers } });
    await expectError(response, [406, 405], 'GET with Accept: application/json');
  },
);

const otherMethod = check(
  'SH-1.method-405',
  ['SH-1'],
  'an unsupported method gets 405 with an Allow header listing POST',
  async (t) => {
    const response = await fetch(t.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...t.headers },
      body: '{}',
    });
    const allow = response.headers.get('allow') ?? '';
    await expectError(response, 405, 'PUT');
    if (!allow.split(/\s*,\s*/).includes('POST')) fail(`Allow must list POST, got "${allow}"`);
  },
);

const secondInitialize = check(
  'LC-1.second-initialize-400',
  ['LC-1', 'SH-11'],
  'a second initialize on an initialized session gets 400',
  async (t) => {
    const s = await initialize(t);
    await expectError(await post(t, initializeBody(7), s.headers), 400, 'second initialize');
  },
  withSessions,
);

const deleteSession = check(
  'SH-47.delete-session',
  ['SH-47', 'SH-45'],
  'DELETE ends the session (or 405); later requests on it get 404',
  async (t) => {
    const s = await initialize(t);
    const response = await fetch(t.url, { method: 'DELETE', headers: { ...t.headers, ...s.headers } });
    await response.body?.cancel();
    if (response.status === 405) return;
    if (response.status < 200 || response.status > 299) fail(`DELETE: expected 2xx or 405, got ${response.status}`);
    await expectError(await post(t, '{"jsonrpc":"2.0","id":3,"method":"ping"}', s.headers), 404, 'POST after DELETE');
  },
  withSessions,
);

const foreignOrigin = check(
  'SH-3.origin-refused',
  ['SH-3'],
  'a foreign Origin gets 403',
  async (t) => {
    await expectError(await post(t, initializeBody(), { origin: 'http://evil.example' }), 403, 'Origin: evil.example');
  },
  (t) => (t.originCheck === false ? 'the server does not check Origin (originCheck: false)' : undefined),
);

const oversize = check(
  'TC-6.oversize-413',
  ['TC-6', 'SH-11'],
  'a body over the size limit gets 413 with a JSON-RPC error',
  async (t) => {
    const size = (t.maxMessageBytes as number) + 1;
    const head = '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"';
    const body = `${head}${'x'.repeat(Math.max(0, size - head.length - 3))}"}}`;
    await expectError(await post(t, body), 413, 'oversized body');
  },
  (t) => (t.maxMessageBytes === undefined ? 'no maxMessageBytes declared' : undefined),
);

/** Every Streamable HTTP (2025-11-25) wire check, in run order. */
export const HTTP_CHECKS: readonly WireCheck<HttpTarget>[] = [
  initializeSession,
  notification202,
  requestResponse,
  missingSession,
  unknownSession,
  postAccept,
  contentType,
  malformedJson,
  notJsonRpc,
  protocolVersion,
  getStream,
  getAccept,
  otherMethod,
  secondInitialize,
  deleteSession,
  foreignOrigin,
  oversize,
];
