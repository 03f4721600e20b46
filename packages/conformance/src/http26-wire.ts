/**
 * Layer 2 for the 2026-07-28 (stateless) revision of Streamable HTTP, server side: raw HTTP
 * against an endpoint URL, one check per MUST of spec section H (M26-*). No SDK, no knowledge of
 * the server beyond what the target declares.
 */
import { request as httpRequest } from 'node:http';
import { fail, preview } from './_harness.js';
import type { WireCheck } from './wire.js';

/** The endpoint to check. */
export interface Http26Target {
  /** The MCP endpoint, e.g. `http://127.0.0.1:3000/mcp`. */
  url: string | URL;
  /** Extra headers for every request (e.g. `Authorization`). @default {} */
  headers?: Readonly<Record<string, string>>;
  /** The 2026 revision to speak. @default '2026-07-28' */
  protocolVersion?: string;
  /** The server serves only 2026-07-28 (refuses `initialize`, M26-23). @default false */
  modernOnly?: boolean;
  /** The server serves `subscriptions/listen` (M26-13, M26-14). @default true */
  listen?: boolean;
  /** A request the server refuses for a missing client capability (M26-24); n/a when absent. */
  capabilityGated?: { method: string; params: Record<string, unknown> };
  /** A tool whose argument `argument` is declared `x-mcp-header: header` (M26-21); n/a when absent. */
  paramHeaderTool?: { name: string; argument: string; header: string };
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
}

const ACCEPT = 'application/json, text/event-stream';

function versionOf(target: Http26Target): string {
  return target.protocolVersion ?? '2026-07-28';
}

function envelope(target: Http26Target): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': versionOf(target),
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'mcp-transports-conformance', version: '0' },
  };
}

function body(target: Http26Target, method: string, params: Record<string, unknown> = {}, id: unknown = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: envelope(target) } });
}

/** The headers a conforming 2026 client sends for `method` (and `name`, M26-20). */
function headersFor(target: Http26Target, method: string, name?: string): Record<string, string> {
  const headers: Record<string, string> = {
    accept: ACCEPT,
    'content-type': 'application/json',
    ...target.headers,
    'mcp-protocol-version': versionOf(target),
    'mcp-method': method,
  };
  if (name !== undefined) headers['mcp-name'] = name;
  return headers;
}

function without(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
}

async function send(
  target: Http26Target,
  method: string,
  payload: string | undefined,
  headers: Record<string, string>,
): Promise<Reply> {
  const response = await fetch(target.url, { method, headers, body: payload ?? null });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // An SSE body or nothing: the caller looks at the text.
  }
  return { status: response.status, headers: response.headers, text, json };
}

function post(target: Http26Target, payload: string, headers: Record<string, string>): Promise<Reply> {
  return send(target, 'POST', payload, headers);
}

function errorCode(reply: Reply): number | undefined {
  const error = reply.json?.error as { code?: unknown } | undefined;
  return typeof error?.code === 'number' ? error.code : undefined;
}

/** Fails unless the reply is `status` with JSON-RPC error `code`. */
function expectError(reply: Reply, status: number, code: number, what: string): void {
  if (reply.status !== status || errorCode(reply) !== code) {
    fail(`${what}: expected HTTP ${status} with error ${code}, got ${reply.status} ${preview(reply.text)}`);
  }
}

/** The last JSON-RPC message of a JSON or SSE reply. */
function finalMessage(reply: Reply): Record<string, unknown> | undefined {
  if (reply.json !== undefined) return reply.json;
  const data = reply.text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice(6));
  const last = data.at(-1);
  return last === undefined ? undefined : (JSON.parse(last) as Record<string, unknown>);
}

function expectResult(reply: Reply, id: unknown, what: string): Record<string, unknown> {
  const message = finalMessage(reply);
  if (reply.status !== 200 || message === undefined || !('result' in message) || message.id !== id) {
    fail(
      `${what}: expected HTTP 200 with the result of request ${JSON.stringify(id)}, got ${reply.status} ${preview(reply.text)}`,
    );
  }
  return message;
}

function check(
  id: string,
  requirements: readonly string[],
  title: string,
  run: (target: Http26Target) => Promise<void>,
  notApplicable?: (target: Http26Target) => string | undefined,
): WireCheck<Http26Target> {
  return { id, requirements, title, run: (target) => run(target), ...(notApplicable && { notApplicable }) };
}

const stateless = check(
  'http26.stateless-request',
  ['M26-1', 'M26-2', 'M26-13'],
  'a request with its _meta envelope is answered with no initialize and no session id',
  async (target) => {
    const reply = await post(target, body(target, 'tools/list', {}, 'first'), headersFor(target, 'tools/list'));
    expectResult(reply, 'first', 'tools/list without initialize');
    if (reply.headers.get('mcp-session-id') !== null)
      fail('the server minted an Mcp-Session-Id for a 2026 request (M26-23)');
  },
);

const missingEnvelope = check(
  'http26.missing-envelope',
  ['M26-1'],
  'a request without the _meta envelope gets 400 with -32602',
  async (target) => {
    const payload = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
    expectError(await post(target, payload, headersFor(target, 'tools/list')), 400, -32602, 'no _meta');
  },
);

const missingCapabilities = check(
  'http26.missing-client-capabilities',
  ['M26-1'],
  'a request whose _meta lacks clientCapabilities gets 400 with -32602',
  async (target) => {
    const meta = envelope(target);
    delete meta['io.modelcontextprotocol/clientCapabilities'];
    const payload = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } });
    expectError(await post(target, payload, headersFor(target, 'tools/list')), 400, -32602, 'no clientCapabilities');
  },
);

const versionHeaderRequired = check(
  'http26.version-header-required',
  ['M26-17'],
  'a request without MCP-Protocol-Version gets 400 with -32020',
  async (target) => {
    const headers = without(headersFor(target, 'tools/list'), 'mcp-protocol-version');
    expectError(await post(target, body(target, 'tools/list'), headers), 400, -32020, 'no MCP-Protocol-Version');
  },
);

const versionHeaderMismatch = check(
  'http26.version-header-mismatch',
  ['M26-17'],
  'MCP-Protocol-Version differing from the body _meta version gets 400 with -32020',
  async (target) => {
    const headers = { ...headersFor(target, 'tools/list'), 'mcp-protocol-version': '2025-11-25' };
    expectError(await post(target, body(target, 'tools/list'), headers), 400, -32020, 'header 2025-11-25, body 2026');
  },
);

const unsupportedVersion = check(
  'http26.unsupported-version',
  ['M26-18', 'M26-26'],
  'an unsupported revision gets 400 with -32022 listing the supported versions',
  async (target) => {
    const future = { ...target, protocolVersion: '2099-01-01' };
    const reply = await post(future, body(future, 'tools/list'), headersFor(future, 'tools/list'));
    expectError(reply, 400, -32022, 'revision 2099-01-01');
    const data = (reply.json?.error as { data?: { supported?: unknown } }).data;
    if (!Array.isArray(data?.supported) || !data.supported.includes(versionOf(target))) {
      fail(`-32022 must list the supported versions in error.data.supported, got ${preview(reply.text)}`);
    }
  },
);

const methodHeader = check(
  'http26.method-header',
  ['M26-20', 'M26-22'],
  'Mcp-Method is required and must equal the body method, case-sensitively (-32020)',
  async (target) => {
    const payload = body(target, 'tools/list');
    const missing = without(headersFor(target, 'tools/list'), 'mcp-method');
    expectError(await post(target, payload, missing), 400, -32020, 'no Mcp-Method');
    const other = { ...headersFor(target, 'tools/list'), 'mcp-method': 'prompts/list' };
    expectError(await post(target, payload, other), 400, -32020, 'Mcp-Method prompts/list for tools/list');
    const upper = { ...headersFor(target, 'tools/list'), 'mcp-method': 'TOOLS/LIST' };
    expectError(await post(target, payload, upper), 400, -32020, 'Mcp-Method TOOLS/LIST (values are case-sensitive)');
  },
);

const nameHeader = check(
  'http26.name-header',
  ['M26-20'],
  'Mcp-Name is required for tools/call and must equal params.name, plain or =?base64?…?= (-32020)',
  async (target) => {
    const payload = body(target, 'tools/call', { name: 'no-such-tool', arguments: {} });
    expectError(await post(target, payload, headersFor(target, 'tools/call')), 400, -32020, 'no Mcp-Name');
    const wrong = headersFor(target, 'tools/call', 'another-tool');
    expectError(await post(target, payload, wrong), 400, -32020, 'Mcp-Name another-tool');
    const broken = headersFor(target, 'tools/call', '=?base64?not base64!?=');
    expectError(await post(target, payload, broken), 400, -32020, 'an invalid base64 sentinel');
    // The right name, base64-wrapped, passes the header checks (the unknown tool is the app's business).
    const wrapped = headersFor(target, 'tools/call', `=?base64?${btoa('no-such-tool')}?=`);
    const reply = await post(target, payload, wrapped);
    if (reply.status === 400 && errorCode(reply) === -32020) {
      fail(`Mcp-Name =?base64?…?= equal to params.name was refused: ${preview(reply.text)}`);
    }
  },
);

const headerNamesCaseInsensitive = check(
  'http26.header-names-case-insensitive',
  ['M26-22'],
  'header names are matched case-insensitively (MCP-PROTOCOL-VERSION, mcp-method, MCP-Name …)',
  async (target) => {
    const url = new URL(target.url);
    const payload = body(target, 'tools/list', {}, 7);
    const raw: Record<string, string> = {
      Accept: ACCEPT,
      'Content-Type': 'application/json',
      ...target.headers,
      'MCP-PROTOCOL-VERSION': versionOf(target),
      'mCp-MeThOd': 'tools/list',
    };
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers: raw }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (typeof value === 'string') headers.set(name, value);
          resolve({ status: res.statusCode ?? 0, headers, text, json });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
    expectResult(reply, 7, 'mixed-case header names');
  },
);

const unknownMethod = check(
  'http26.unknown-method',
  ['M26-19'],
  'an unknown method gets 404 with -32601',
  async (target) => {
    const reply = await post(target, body(target, 'no/such-method'), headersFor(target, 'no/such-method'));
    expectError(reply, 404, -32601, 'method no/such-method');
  },
);

const singleMessage = check(
  'http26.single-message',
  ['M26-12', 'M26-4'],
  'the body must be one request or notification: a batch or a response gets 400',
  async (target) => {
    const batch = `[${body(target, 'tools/list', {}, 1)},${body(target, 'tools/list', {}, 2)}]`;
    const reply = await post(target, batch, headersFor(target, 'tools/list'));
    if (reply.status !== 400)
      fail(`a batch of 2026 requests: expected 400, got ${reply.status} ${preview(reply.text)}`);
    const response = JSON.stringify({ jsonrpc: '2.0', id: 1, result: {} });
    const answered = await post(target, response, without(headersFor(target, 'tools/list'), 'mcp-method'));
    if (answered.status !== 400) {
      fail(`a posted JSON-RPC response: expected 400, got ${answered.status} ${preview(answered.text)}`);
    }
  },
);

const sessionHeadersIgnored = check(
  'http26.session-headers-ignored',
  ['M26-23', 'M26-15'],
  'Mcp-Session-Id and Last-Event-ID on a 2026 request are ignored, and no session id is echoed',
  async (target) => {
    const headers = {
      ...headersFor(target, 'tools/list'),
      'mcp-session-id': 'no-such-session',
      'last-event-id': 'x/1',
    };
    const reply = await post(target, body(target, 'tools/list', {}, 3), headers);
    expectResult(reply, 3, 'a request with a stale Mcp-Session-Id and Last-Event-ID');
    if (reply.headers.get('mcp-session-id') !== null) fail('the server echoed an Mcp-Session-Id on a 2026 request');
  },
);

const getDelete = check(
  'http26.get-delete-405',
  ['M26-12', 'M26-23'],
  'GET and DELETE naming the 2026 revision get 405 (no GET stream, no sessions)',
  async (target) => {
    for (const method of ['GET', 'DELETE']) {
      const reply = await send(target, method, undefined, {
        accept: 'text/event-stream',
        ...target.headers,
        'mcp-protocol-version': versionOf(target),
      });
      if (reply.status !== 405) fail(`${method}: expected 405, got ${reply.status} ${preview(reply.text)}`);
    }
  },
);

const listenStream = check(
  'http26.listen-stream',
  ['M26-13', 'M26-14'],
  'subscriptions/listen answers an SSE stream with X-Accel-Buffering: no, acknowledgement first, stamped with the subscription id',
  async (target) => {
    const abort = new AbortController();
    const payload = body(target, 'subscriptions/listen', { notifications: { toolsListChanged: true } }, 'sub-1');
    const response = await fetch(target.url, {
      method: 'POST',
      headers: headersFor(target, 'subscriptions/listen'),
      body: payload,
      signal: abort.signal,
    });
    try {
      if (response.status !== 200) fail(`expected 200, got ${response.status} ${preview(await response.text())}`);
      if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        fail(`expected text/event-stream, got ${response.headers.get('content-type') ?? 'no content-type'}`);
      }
      if (response.headers.get('x-accel-buffering') !== 'no')
        fail('the SSE response lacks X-Accel-Buffering: no (M26-14)');
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = '';
      while (!text.includes('\n\n')) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      const data = text
        .split('\n')
        .find((line) => line.startsWith('data: '))
        ?.slice(6);
      const first =
        data === undefined
          ? undefined
          : (JSON.parse(data) as { method?: string; params?: { _meta?: Record<string, unknown> } });
      if (first?.method !== 'notifications/subscriptions/acknowledged') {
        fail(`the first event must be notifications/subscriptions/acknowledged, got ${preview(text)}`);
      }
      if (first.params?._meta?.['io.modelcontextprotocol/subscriptionId'] !== 'sub-1') {
        fail(
          `the acknowledgement must carry _meta["io.modelcontextprotocol/subscriptionId"] = "sub-1": ${preview(text)}`,
        );
      }
    } finally {
      abort.abort();
    }
  },
  (target) => (target.listen === false ? 'the server does not serve subscriptions/listen' : undefined),
);

const capabilityGate = check(
  'http26.missing-client-capability',
  ['M26-24'],
  'a request needing an undeclared client capability gets 400 with -32021',
  async (target) => {
    const gated = target.capabilityGated as NonNullable<Http26Target['capabilityGated']>;
    const name = gated.params.name ?? gated.params.uri;
    const headers = headersFor(target, gated.method, typeof name === 'string' ? name : undefined);
    expectError(await post(target, body(target, gated.method, gated.params), headers), 400, -32021, gated.method);
  },
  (target) => (target.capabilityGated === undefined ? 'no capability-gated request declared' : undefined),
);

const paramHeaders = check(
  'http26.param-headers',
  ['M26-21'],
  'an x-mcp-header argument must travel in Mcp-Param-{Name} with the same value (-32020)',
  async (target) => {
    const tool = target.paramHeaderTool as NonNullable<Http26Target['paramHeaderTool']>;
    const payload = body(target, 'tools/call', { name: tool.name, arguments: { [tool.argument]: 'eu-west' } });
    const base = headersFor(target, 'tools/call', tool.name);
    expectError(await post(target, payload, base), 400, -32020, `no Mcp-Param-${tool.header}`);
    const wrong = { ...base, [`mcp-param-${tool.header.toLowerCase()}`]: 'us-east' };
    expectError(await post(target, payload, wrong), 400, -32020, `Mcp-Param-${tool.header} us-east for eu-west`);
  },
  (target) => (target.paramHeaderTool === undefined ? 'no tool with an x-mcp-header argument declared' : undefined),
);

const modernOnly = check(
  'http26.modern-only-refuses-initialize',
  ['M26-23', 'M26-18'],
  'a 2026-only server answers a 2025 initialize with 400 and -32022 naming the supported versions',
  async (target) => {
    const payload = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'old', version: '0' } },
    });
    const reply = await post(target, payload, {
      accept: ACCEPT,
      'content-type': 'application/json',
      ...target.headers,
    });
    expectError(reply, 400, -32022, '2025 initialize');
    if (reply.headers.get('mcp-session-id') !== null) fail('a 2026-only server minted a session id');
  },
  (target) => (target.modernOnly === true ? undefined : 'the server also serves the 2025 revisions'),
);

/** Every 2026-07-28 server check of the Streamable HTTP binding. */
export const HTTP26_CHECKS: readonly WireCheck<Http26Target>[] = [
  stateless,
  missingEnvelope,
  missingCapabilities,
  versionHeaderRequired,
  versionHeaderMismatch,
  unsupportedVersion,
  methodHeader,
  nameHeader,
  headerNamesCaseInsensitive,
  unknownMethod,
  singleMessage,
  sessionHeadersIgnored,
  getDelete,
  listenStream,
  capabilityGate,
  paramHeaders,
  modernOnly,
];
