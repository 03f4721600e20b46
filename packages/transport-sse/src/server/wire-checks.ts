/**
 * Black-box wire checks for a Streamable HTTP MCP endpoint (conformance layer 2): raw `fetch`
 * against a URL, asserting the spec's status codes, headers and session rules. No SDK, no
 * knowledge of the server: they run against ours or anyone's. Each check is tagged with its
 * requirement id and throws an `Error` that says what was expected and what came back.
 *
 * Meant to move into `@mcp-transports/conformance`; it depends on nothing but global `fetch`.
 */

export interface WireCheckOptions {
  /** The MCP endpoint. */
  url: string | URL;
  /** The server assigns session ids (SH-39). */
  sessions: boolean;
  /** The server refuses a foreign `Origin` (true for loopback servers with DNS-rebinding protection). */
  originCheck?: boolean;
  /** The server's body limit; the 413 check is skipped when unknown. */
  maxMessageBytes?: number;
  /** Extra headers for every request (e.g. `Authorization`). */
  headers?: Record<string, string>;
}

export interface WireCheck {
  /** Requirement id (`SH-44`, `JR-2`, …). */
  id: string;
  name: string;
  /** Whether the check applies to a server with these options. */
  applies(options: WireCheckOptions): boolean;
  run(options: WireCheckOptions): Promise<void>;
}

export interface WireCheckResult {
  id: string;
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  error?: string;
}

const PROTOCOL = '2025-11-25';
const ACCEPT_BOTH = 'application/json, text/event-stream';

interface Session {
  sessionId: string | undefined;
  headers: Record<string, string>;
}

function fail(message: string): never {
  throw new Error(message);
}

function post(options: WireCheckOptions, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(options.url, {
    method: 'POST',
    headers: { accept: ACCEPT_BOTH, 'content-type': 'application/json', ...options.headers, ...headers },
    body,
  });
}

function initializeBody(id: number | string = 1): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'wire-checks', version: '0.0.0' } },
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

async function initialize(options: WireCheckOptions): Promise<Session> {
  const response = await post(options, initializeBody());
  if (response.status !== 200) fail(`initialize: expected 200, got ${response.status} ${await response.text()}`);
  const sessionId = response.headers.get('mcp-session-id') ?? undefined;
  const messages = await messagesOf(response);
  const result = messages.find((m) => m.id === 1)?.result as { protocolVersion?: string } | undefined;
  if (result?.protocolVersion === undefined) fail(`initialize: no result with a protocolVersion in the response`);
  const headers: Record<string, string> = { 'mcp-protocol-version': result.protocolVersion };
  if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
  const initialized = await post(options, '{"jsonrpc":"2.0","method":"notifications/initialized"}', headers);
  await initialized.body?.cancel();
  return { sessionId, headers };
}

const always = (): boolean => true;
const withSessions = (o: WireCheckOptions): boolean => o.sessions;

/** Every Streamable HTTP wire check. */
export const streamableHttpWireChecks: readonly WireCheck[] = [
  {
    id: 'SH-39',
    name: 'initialize answers 200 with a result, and a visible-ASCII Mcp-Session-Id when sessions are on (SH-41)',
    applies: always,
    async run(o) {
      const response = await post(o, initializeBody());
      if (response.status !== 200) fail(`expected 200, got ${response.status}`);
      const id = response.headers.get('mcp-session-id');
      if (o.sessions && (id === null || !/^[\x21-\x7e]+$/.test(id))) {
        fail(`expected a visible-ASCII Mcp-Session-Id, got ${JSON.stringify(id)}`);
      }
      if (!o.sessions && id !== null) fail(`a server without sessions sent Mcp-Session-Id ${id}`);
      const messages = await messagesOf(response);
      if (!messages.some((m) => m.id === 1 && typeof m.result === 'object')) fail('no initialize result with id 1');
    },
  },
  {
    id: 'SH-10',
    name: 'a notification is accepted with 202 and no body',
    applies: always,
    async run(o) {
      const s = await initialize(o);
      const response = await post(o, '{"jsonrpc":"2.0","method":"notifications/initialized"}', s.headers);
      const text = await response.text();
      if (response.status !== 202 || text !== '') fail(`expected 202 with no body, got ${response.status} "${text}"`);
    },
  },
  {
    id: 'SH-12',
    name: 'a request is answered with JSON or SSE holding the response with the same id, including id 0 (JR-7)',
    applies: always,
    async run(o) {
      const s = await initialize(o);
      const response = await post(o, '{"jsonrpc":"2.0","id":0,"method":"ping"}', s.headers);
      if (response.status !== 200) fail(`expected 200, got ${response.status}`);
      const messages = await messagesOf(response);
      if (!messages.some((m) => m.id === 0 && 'result' in m))
        fail(`no response with id 0: ${JSON.stringify(messages)}`);
    },
  },
  {
    id: 'SH-44',
    name: 'a request without Mcp-Session-Id (other than initialize) gets 400',
    applies: withSessions,
    async run(o) {
      await initialize(o);
      await expectError(
        await post(o, '{"jsonrpc":"2.0","id":1,"method":"ping"}', { 'mcp-protocol-version': PROTOCOL }),
        400,
        'POST without session id',
      );
    },
  },
  {
    id: 'SH-45',
    name: 'an unknown Mcp-Session-Id gets 404',
    applies: withSessions,
    async run(o) {
      await expectError(
        await post(o, '{"jsonrpc":"2.0","id":1,"method":"ping"}', {
          'mcp-session-id': 'no-such-session',
          'mcp-protocol-version': PROTOCOL,
        }),
        404,
        'POST with unknown session id',
      );
    },
  },
  {
    id: 'SH-8',
    name: 'a POST whose Accept lacks text/event-stream gets 406',
    applies: always,
    async run(o) {
      await expectError(
        await post(o, initializeBody(), { accept: 'application/json' }),
        406,
        'Accept: application/json',
      );
    },
  },
  {
    id: 'SH-11',
    name: 'a POST with Content-Type text/plain gets 415',
    applies: always,
    async run(o) {
      await expectError(
        await post(o, initializeBody(), { 'content-type': 'text/plain' }),
        415,
        'Content-Type: text/plain',
      );
    },
  },
  {
    id: 'JR-2',
    name: 'malformed JSON gets 400 with a JSON-RPC error',
    applies: always,
    async run(o) {
      await expectError(await post(o, '{"jsonrpc":"2.0","id":1,"method":'), 400, 'malformed JSON');
    },
  },
  {
    id: 'SH-9',
    name: 'JSON that is no JSON-RPC message gets 400 with a JSON-RPC error',
    applies: always,
    async run(o) {
      await expectError(await post(o, '{"hello":"world"}'), 400, 'not a JSON-RPC message');
      await expectError(await post(o, '"just a string"'), 400, 'a JSON string body');
    },
  },
  {
    id: 'SH-52',
    name: 'an unsupported MCP-Protocol-Version gets 400',
    applies: always,
    async run(o) {
      const s = await initialize(o);
      await expectError(
        await post(o, '{"jsonrpc":"2.0","id":2,"method":"ping"}', {
          ...s.headers,
          'mcp-protocol-version': '1999-01-01',
        }),
        400,
        'MCP-Protocol-Version: 1999-01-01',
      );
    },
  },
  {
    id: 'SH-27',
    name: 'GET answers text/event-stream or 405; a second GET stream of the session gets 409',
    applies: always,
    async run(o) {
      const s = await initialize(o);
      const controller = new AbortController();
      const first = await fetch(o.url, {
        headers: { accept: 'text/event-stream', ...o.headers, ...s.headers },
        signal: controller.signal,
      });
      try {
        if (first.status === 405) return;
        if (first.status !== 200 || !(first.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
          fail(`expected 200 text/event-stream or 405, got ${first.status} ${first.headers.get('content-type')}`);
        }
        if (!o.sessions) return;
        const second = await fetch(o.url, { headers: { accept: 'text/event-stream', ...o.headers, ...s.headers } });
        await expectError(second, 409, 'second GET stream');
      } finally {
        controller.abort();
      }
    },
  },
  {
    id: 'SH-26',
    name: 'a GET whose Accept lacks text/event-stream gets 406 (or 405 without GET streams)',
    applies: always,
    async run(o) {
      const s = await initialize(o);
      const response = await fetch(o.url, { headers: { accept: 'application/json', ...o.headers, ...s.headers } });
      await expectError(response, [406, 405], 'GET with Accept: application/json');
    },
  },
  {
    id: 'SH-1',
    name: 'an unsupported method gets 405 with an Allow header listing POST',
    applies: always,
    async run(o) {
      const response = await fetch(o.url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...o.headers },
        body: '{}',
      });
      const allow = response.headers.get('allow') ?? '';
      await expectError(response, 405, 'PUT');
      if (!allow.split(/\s*,\s*/).includes('POST')) fail(`Allow must list POST, got "${allow}"`);
    },
  },
  {
    id: 'LC-1',
    name: 'a second initialize on an initialized session gets 400',
    applies: withSessions,
    async run(o) {
      const s = await initialize(o);
      await expectError(await post(o, initializeBody(7), s.headers), 400, 'second initialize');
    },
  },
  {
    id: 'SH-47',
    name: 'DELETE ends the session (or 405); later requests on it get 404 (SH-45)',
    applies: withSessions,
    async run(o) {
      const s = await initialize(o);
      const response = await fetch(o.url, { method: 'DELETE', headers: { ...o.headers, ...s.headers } });
      await response.body?.cancel();
      if (response.status === 405) return;
      if (response.status < 200 || response.status > 299) fail(`DELETE: expected 2xx or 405, got ${response.status}`);
      await expectError(await post(o, '{"jsonrpc":"2.0","id":3,"method":"ping"}', s.headers), 404, 'POST after DELETE');
    },
  },
  {
    id: 'SH-3',
    name: 'a foreign Origin gets 403',
    applies: (o) => o.originCheck === true,
    async run(o) {
      await expectError(
        await post(o, initializeBody(), { origin: 'http://evil.example' }),
        403,
        'Origin: evil.example',
      );
    },
  },
  {
    id: 'TC-6',
    name: 'a body over the size limit gets 413 with a JSON-RPC error',
    applies: (o) => o.maxMessageBytes !== undefined,
    async run(o) {
      const size = (o.maxMessageBytes as number) + 1;
      const head = '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"';
      const body = `${head}${'x'.repeat(Math.max(0, size - head.length - 3))}"}}`;
      await expectError(await post(o, body), 413, 'oversized body');
    },
  },
];

/** Runs every applicable check in turn; never throws. */
export async function runWireChecks(options: WireCheckOptions): Promise<WireCheckResult[]> {
  const results: WireCheckResult[] = [];
  for (const check of streamableHttpWireChecks) {
    if (!check.applies(options)) {
      results.push({ id: check.id, name: check.name, status: 'skipped' });
      continue;
    }
    try {
      await check.run(options);
      results.push({ id: check.id, name: check.name, status: 'passed' });
    } catch (error) {
      results.push({
        id: check.id,
        name: check.name,
        status: 'failed',
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return results;
}
