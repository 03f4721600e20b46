/**
 * Layer 2 for Streamable HTTP (2025-11-25 rules), server side: raw `fetch` against an endpoint URL,
 * asserting the spec's status codes, headers and session rules (SH-*, with the JR-* error shape).
 * No SDK, no knowledge of the server beyond what the target declares: they run against ours or
 * anyone's. Each check fails with what was expected and what came back.
 */
import { fail, sleep, waitFor, within } from './_harness.js';
import type { WireCheck, WireContext } from './wire.js';

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
  /**
   * The server attaches SSE event ids and resumes with `Last-Event-ID` (SH-33, SH-37); the
   * resumability checks are n/a without. @default false
   */
  resumable?: boolean;
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

interface SseEvent {
  id: string | undefined;
  data: string;
}

/** The events of complete SSE blocks (the text between blank lines). */
function eventsOf(blocks: readonly string[]): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of blocks) {
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon === 0) continue;
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1);
      if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    if (id !== undefined || data.length > 0) events.push({ id, data: data.join('\n') });
  }
  return events;
}

function parseMessage(data: string): Record<string, unknown> {
  try {
    return JSON.parse(data) as Record<string, unknown>;
  } catch {
    return fail(`an SSE event's data is not JSON: ${JSON.stringify(data.slice(0, 200))}`);
  }
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
  return eventsOf(text.split(/\r?\n\r?\n/))
    .filter((event) => event.data.trim() !== '')
    .map((event) => parseMessage(event.data));
}

/** An SSE response read as it arrives: its events so far, and whether the server ended it. */
class SseReader {
  readonly events: SseEvent[] = [];
  ended = false;
  readonly #done: Promise<void>;
  #buffer = '';

  constructor(response: Response) {
    this.#done = this.#pump(response);
  }

  /** The JSON-RPC messages so far (events with non-empty data). */
  get messages(): Record<string, unknown>[] {
    return this.events.filter((e) => e.data.trim() !== '').map((e) => parseMessage(e.data));
  }

  /** Waits up to `ms` for the server to end the stream; true when it did. */
  async end(ms: number): Promise<boolean> {
    await Promise.race([this.#done, sleep(ms)]);
    return this.ended;
  }

  async #pump(response: Response): Promise<void> {
    if (response.body === null) {
      this.ended = true;
      return;
    }
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
        if (done) break;
        this.#buffer += decoder.decode(value, { stream: true });
        const blocks = this.#buffer.split(/\r?\n\r?\n/);
        this.#buffer = blocks.pop() ?? '';
        this.events.push(...eventsOf(blocks));
      }
      this.events.push(...eventsOf([this.#buffer]));
      this.ended = true;
    } catch {
      // Aborted by the check: what arrived is what counts.
    }
  }
}

const isResponse = (m: Record<string, unknown>): boolean => 'id' in m && ('result' in m || 'error' in m);

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
  run: (target: HttpTarget, context: WireContext) => Promise<void>,
  notApplicable?: (target: HttpTarget) => string | undefined,
): WireCheck<HttpTarget> {
  return {
    id,
    requirements,
    title,
    run: (target, context) => run(target, context),
    ...(notApplicable && { notApplicable }),
  };
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

/** How long a stream is watched for messages that must not come: short, and always bounded. */
const QUIET_MS = 250;

/** A fetch whose body the check aborts when it ends, whatever happened. */
async function open(
  target: HttpTarget,
  init: { method?: string; headers: Record<string, string>; body?: string },
  context: WireContext,
  what: string,
): Promise<Response> {
  const controller = new AbortController();
  context.defer(() => {
    controller.abort();
  });
  const request = fetch(target.url, {
    method: init.method ?? 'GET',
    headers: { ...target.headers, ...init.headers },
    ...(init.body !== undefined && { body: init.body }),
    signal: controller.signal,
  });
  return within(request, context.timeoutMs, what);
}

/** The standalone GET stream of the session, or `undefined` when the server answers 405. */
async function openGet(
  target: HttpTarget,
  headers: Record<string, string>,
  context: WireContext,
): Promise<SseReader | undefined> {
  const response = await open(target, { headers: { accept: 'text/event-stream', ...headers } }, context, 'GET');
  if (response.status === 405) {
    await response.body?.cancel();
    return undefined;
  }
  const type = response.headers.get('content-type') ?? '';
  if (response.status !== 200 || !type.startsWith('text/event-stream')) {
    fail(`GET: expected 200 text/event-stream or 405, got ${response.status} "${type}"`);
  }
  return new SseReader(response);
}

interface Answer {
  /** `json` or `sse`. */
  kind: 'json' | 'sse';
  events: SseEvent[];
  messages: Record<string, unknown>[];
}

/** POSTs a `ping` with `id` and reads its answer until the response came and the stream ended (bounded). */
async function ping(
  target: HttpTarget,
  id: string,
  headers: Record<string, string>,
  context: WireContext,
): Promise<Answer> {
  const what = `POST ping ${JSON.stringify(id)}`;
  const body = JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });
  const response = await open(
    target,
    { method: 'POST', headers: { accept: ACCEPT_BOTH, 'content-type': 'application/json', ...headers }, body },
    context,
    what,
  );
  const type = response.headers.get('content-type') ?? '';
  if (response.status !== 200) fail(`${what}: expected 200, got ${response.status} "${type}"`);
  if (type.startsWith('application/json')) {
    return { kind: 'json', events: [], messages: await within(messagesOf(response), context.timeoutMs, what) };
  }
  if (!type.startsWith('text/event-stream')) fail(`${what}: expected JSON or text/event-stream, got "${type}"`);
  const reader = new SseReader(response);
  await waitFor(
    () => reader.ended || reader.messages.some((m) => m.id === id && isResponse(m)),
    context.timeoutMs,
    `${what}: no response with id ${JSON.stringify(id)} on its SSE stream`,
    () => JSON.stringify(reader.messages).slice(0, 300),
  );
  await reader.end(QUIET_MS);
  return { kind: 'sse', events: [...reader.events], messages: reader.messages };
}

const responsesTo = (messages: readonly Record<string, unknown>[], id: unknown): number =>
  messages.filter((m) => m.id === id && isResponse(m)).length;

const notResumable = (target: HttpTarget): string | undefined =>
  target.resumable === true ? undefined : 'the server is not declared resumable (resumable: false)';

const oneStream = check(
  'SH-32.one-stream',
  ['SH-32', 'SH-29'],
  'with a GET stream open, a request is answered exactly once, on its own POST; the GET stream carries no response',
  async (t, context) => {
    const s = await initialize(t);
    const get = await openGet(t, s.headers, context);
    if (get === undefined) return;
    const answer = await ping(t, 'sh32-ping', s.headers, context);
    const count = responsesTo(answer.messages, 'sh32-ping');
    if (count !== 1) {
      fail(`the POST's ${answer.kind} answer held ${count} responses to "sh32-ping", expected exactly 1`);
    }
    await get.end(QUIET_MS);
    const onGet = get.messages.filter(isResponse);
    if (onGet.length > 0) {
      fail(`the GET stream carried JSON-RPC responses (SH-29, SH-32): ${JSON.stringify(onGet).slice(0, 300)}`);
    }
  },
  withSessions,
);

const distinctIds = check(
  'SH-33.distinct-event-ids',
  ['SH-33', 'SH-14'],
  'resumable: SSE event ids across several POST streams and the GET stream of a session are all distinct',
  async (t, context) => {
    const s = await initialize(t);
    const headers = { ...s.headers, 'mcp-protocol-version': PROTOCOL };
    const get = await openGet(t, headers, context);
    const seen = new Map<string, string>();
    const note = (id: string | undefined, where: string): void => {
      if (id === undefined) return;
      const before = seen.get(id);
      if (before !== undefined) fail(`event id ${JSON.stringify(id)} appeared on ${before} and again on ${where}`);
      seen.set(id, where);
    };
    for (const n of [1, 2, 3]) {
      const answer = await ping(t, `sh33-${n}`, headers, context);
      if (answer.kind !== 'sse') fail(`POST ping ${n}: a resumable server answered JSON, no SSE stream to resume`);
      if (!answer.events.some((e) => e.id !== undefined)) {
        fail(`POST ping ${n}: the SSE stream carried no event id (a resumable server primes each stream, SH-14)`);
      }
      for (const event of answer.events) note(event.id, `POST stream ${n}`);
    }
    if (get !== undefined) {
      await get.end(QUIET_MS);
      for (const event of get.events) note(event.id, 'the GET stream');
    }
  },
  notResumable,
);

const noForeignReplay = check(
  'SH-37.no-foreign-replay',
  ['SH-37', 'SH-36', 'SH-38'],
  'resumable: GET with Last-Event-ID of POST stream A replays nothing of stream B (an SSE stream or an error)',
  async (t, context) => {
    const s = await initialize(t);
    const headers = { ...s.headers, 'mcp-protocol-version': PROTOCOL };
    const a = await ping(t, 'sh37-a', headers, context);
    const priming = a.events.find((e) => e.id !== undefined)?.id;
    if (a.kind !== 'sse' || priming === undefined) {
      fail(`POST ping "sh37-a": a resumable server must answer SSE with an event id, got ${a.kind} without one`);
    }
    await ping(t, 'sh37-b', headers, context);
    const response = await open(
      t,
      { headers: { accept: 'text/event-stream', ...headers, 'last-event-id': priming } },
      context,
      'GET with Last-Event-ID',
    );
    const type = response.headers.get('content-type') ?? '';
    if (response.status >= 400) {
      await response.body?.cancel();
      return;
    }
    if (response.status !== 200 || !type.startsWith('text/event-stream')) {
      fail(`GET with Last-Event-ID: expected a text/event-stream or an error status, got ${response.status} "${type}"`);
    }
    const replay = new SseReader(response);
    await replay.end(QUIET_MS);
    const foreign = replay.messages.filter((m) => isResponse(m) && m.id !== 'sh37-a');
    if (foreign.length > 0) {
      const ids = JSON.stringify(foreign.map((m) => m.id)).slice(0, 300);
      fail(`resuming stream A ("sh37-a") replayed responses of other streams, to ids ${ids}`);
    }
  },
  notResumable,
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
  oneStream,
  distinctIds,
  noForeignReplay,
];
