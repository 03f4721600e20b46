/**
 * Layer 2 for MCP over WebSocket: raw upgrade requests and raw frames against a `ws://` URL, so a
 * server is checked exactly as the wire sees it (ours or anyone's). WebSocket is not a spec
 * transport yet; the rules are the open proposal SEP-1288 and the SDK v1 `WebSocketClientTransport`
 * (subprotocol `mcp`, one JSON-RPC message per text frame, binary refused with 1003), plus the
 * spec's rules that apply to any transport (Origin, auth, ping, malformed input).
 *
 * A minimal RFC 6455 client lives here instead of a WebSocket library: the checks must send what a
 * library refuses to (a binary frame, an oversize frame, no pong) and see the HTTP refusal itself.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { decodeMessage } from '@mcp-transports/core';
import type { JSONRPCMessage, RequestId } from '@mcp-transports/core';
import { describeError, fail, preview, waitFor } from './_harness.js';
import type { WireCheck, WireContext } from './wire.js';

/** The server to check: a WebSocket URL and what it is configured to do. */
export interface WebSocketTarget {
  /** The endpoint, e.g. `ws://127.0.0.1:3000/mcp`. */
  url: string;
  /** Headers every accepted upgrade carries (e.g. `authorization`). @default {} */
  headers?: Readonly<Record<string, string>>;
  /** The server's largest accepted message, in bytes; the 1009 check sends one byte more. @default 16 MiB */
  maxMessageBytes?: number;
  /** The server refuses a foreign `Host`/`Origin` (DNS-rebinding protection, on for loopback servers). @default true */
  dnsRebindingProtection?: boolean;
  /** The server refuses an upgrade without credentials: the auth check runs (without `headers`). @default false */
  requiresAuth?: boolean;
  /** The server's ping interval in ms; the ping/pong checks run only when given. @default undefined */
  heartbeatMs?: number;
  /** The protocol version offered in `initialize`. @default '2025-06-18' */
  protocolVersion?: string;
}

/** An upgrade the server answered with an HTTP response instead of switching protocols. */
export interface HttpRefusal {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One frame as it arrived (continuations already joined). */
interface Frame {
  opcode: number;
  payload: Buffer;
}

const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** An open connection spoken to in raw frames. Exported for other wire checks to reuse. */
export class RawWebSocket {
  readonly socket: Socket;
  /** The subprotocol the server selected (`undefined` when it selected none). */
  readonly protocol: string | undefined;
  /** Text frames received, decoded. */
  readonly messages: { raw: string; message: JSONRPCMessage | undefined; problem: string | undefined }[] = [];
  /** Binary frames received. */
  binaryFrames = 0;
  /** Pings received from the server. */
  pings = 0;
  /** The close code the server sent (`1005` when its close frame had none). */
  closeCode: number | undefined;
  /** Whether the TCP connection has ended. */
  ended = false;
  /** Answer the server's pings (a live peer does). */
  autoPong = true;
  socketError: Error | undefined;
  #pending: Buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #fragmentOpcode = 0;

  constructor(socket: Socket, head: Buffer, protocol: string | undefined) {
    this.socket = socket;
    this.protocol = protocol;
    socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk);
    });
    socket.on('error', (error) => {
      this.socketError ??= error;
    });
    socket.on('close', () => {
      this.ended = true;
    });
    if (head.length > 0) this.#onData(head);
  }

  /** Sends one frame (masked, as a client must), `payload` as is. */
  sendFrame(opcode: number, payload: Buffer): void {
    if (this.ended || this.socket.destroyed) return;
    const length = payload.length;
    const header = length < 126 ? Buffer.alloc(2) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    if (length < 126) header[1] = 0x80 | length;
    else if (length < 65_536) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(length, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(length), 2);
    }
    const mask = randomBytes(4);
    const masked = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) masked[i] = (payload[i] ?? 0) ^ (mask[i & 3] ?? 0);
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  sendText(text: string): void {
    this.sendFrame(OP_TEXT, Buffer.from(text, 'utf8'));
  }

  send(message: JSONRPCMessage): void {
    this.sendText(JSON.stringify(message));
  }

  /** Sends a request and waits for its response. */
  async request(
    id: RequestId,
    method: string,
    params: Record<string, unknown> | undefined,
    timeoutMs: number,
  ): Promise<JSONRPCMessage> {
    const since = this.messages.length;
    this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    let found: JSONRPCMessage | undefined;
    await waitFor(
      () => {
        found = this.messages
          .slice(since)
          .map((m) => m.message)
          .find((m) => m !== undefined && !('method' in m) && 'id' in m && m.id === id);
        return found !== undefined || this.ended;
      },
      timeoutMs,
      `no response to ${method} (id ${preview(id)})`,
      () => this.describe(),
    );
    if (found === undefined) fail(`the connection ended before the response to ${method}: ${this.describe()}`);
    return found;
  }

  /** The MCP handshake: `initialize`, then `notifications/initialized`. */
  async initialize(protocolVersion: string, timeoutMs: number): Promise<void> {
    const response = await this.request(
      1,
      'initialize',
      { protocolVersion, capabilities: {}, clientInfo: { name: 'mcp-transports-conformance', version: '0.0.0' } },
      timeoutMs,
    );
    if (!('result' in response)) fail(`initialize failed: ${preview(response)}`);
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  /** Waits for the server's close frame or the end of the connection. */
  async waitClosed(timeoutMs: number, what: string): Promise<void> {
    await waitFor(
      () => this.closeCode !== undefined || this.ended,
      timeoutMs,
      what,
      () => this.describe(),
    );
  }

  dispose(): void {
    this.socket.destroy();
  }

  describe(): string {
    const last = this.messages.slice(-3).map((m) => preview(m.raw, 120));
    return `${this.ended ? 'ended' : 'open'}; close code ${this.closeCode ?? 'none'}; ${this.pings} ping(s); last messages ${last.length === 0 ? '(none)' : last.join(' | ')}${this.socketError === undefined ? '' : `; socket error: ${describeError(this.socketError)}`}`;
  }

  #onData(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    for (;;) {
      const buffer = this.#pending;
      if (buffer.length < 2) return;
      const first = buffer[0] ?? 0;
      const second = buffer[1] ?? 0;
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      // A server never masks; tolerate it anyway so the failure is about the rule checked.
      const masked = (second & 0x80) !== 0;
      const mask = masked ? buffer.subarray(offset, offset + 4) : undefined;
      if (masked) offset += 4;
      if (buffer.length < offset + length) return;
      const payload = Buffer.from(buffer.subarray(offset, offset + length));
      if (mask !== undefined)
        for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i & 3] ?? 0);
      this.#pending = buffer.subarray(offset + length);
      this.#onFrame((first & 0x80) !== 0, first & 0x0f, payload);
    }
  }

  #onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === 0) {
      this.#fragments.push(payload);
      if (fin) this.#onMessage({ opcode: this.#fragmentOpcode, payload: Buffer.concat(this.#fragments) });
      return;
    }
    if (opcode === OP_TEXT || opcode === OP_BINARY) {
      if (fin) this.#onMessage({ opcode, payload });
      else {
        this.#fragmentOpcode = opcode;
        this.#fragments = [payload];
      }
      return;
    }
    if (opcode === OP_PING) {
      this.pings++;
      if (this.autoPong) this.sendFrame(OP_PONG, payload);
      return;
    }
    if (opcode === OP_CLOSE) {
      this.closeCode ??= payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      // Answer the close, as the closing handshake asks; the server then ends the connection.
      this.sendFrame(OP_CLOSE, payload.subarray(0, 2));
    }
  }

  #onMessage(frame: Frame): void {
    if (frame.opcode === OP_BINARY) {
      this.binaryFrames++;
      return;
    }
    const raw = frame.payload.toString('utf8');
    const decoded = decodeMessage(raw);
    this.messages.push(
      decoded.ok
        ? { raw, message: decoded.message, problem: undefined }
        : { raw, message: undefined, problem: describeError(decoded.error) },
    );
  }
}

/** What an upgrade attempt may change from the target's defaults. */
export interface UpgradeOptions {
  /** Subprotocols offered. @default ['mcp'] */
  protocols?: readonly string[];
  /** Headers instead of the target's (`host` and `origin` included). @default target.headers */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Sends an upgrade request; resolves to the open connection, or to the HTTP response the server
 * answered with instead. The connection is destroyed when the check is over.
 */
export function upgrade(
  target: WebSocketTarget,
  context: WireContext,
  options: UpgradeOptions = {},
): Promise<RawWebSocket | HttpRefusal> {
  const url = new URL(target.url);
  if (url.protocol !== 'ws:') fail(`${target.url}: only ws:// URLs are supported`);
  const protocols = options.protocols ?? ['mcp'];
  const headers: Record<string, string> = {
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': randomBytes(16).toString('base64'),
    ...(options.headers ?? target.headers),
  };
  if (protocols.length > 0) headers['sec-websocket-protocol'] = protocols.join(', ');
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? 80 : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers,
      agent: false,
    });
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      const selected = res.headers['sec-websocket-protocol'];
      const ws = new RawWebSocket(socket, head, selected);
      context.defer(() => {
        ws.dispose();
      });
      resolve(ws);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', (error) => {
      reject(new Error(`upgrade request to ${target.url} failed: ${describeError(error)}`));
    });
    req.end();
  });
}

/** Opens a connection that must succeed. */
async function open(target: WebSocketTarget, context: WireContext, options?: UpgradeOptions): Promise<RawWebSocket> {
  const outcome = await upgrade(target, context, options);
  if (!(outcome instanceof RawWebSocket)) {
    fail(`the upgrade was refused with HTTP ${outcome.status}: ${preview(outcome.body)}`);
  }
  return outcome;
}

/** An HTTP refusal with a JSON-RPC error body must not carry an `id` (SH-3). */
function expectRefusal(outcome: RawWebSocket | HttpRefusal, statuses: readonly number[], what: string): HttpRefusal {
  if (outcome instanceof RawWebSocket) {
    outcome.dispose();
    fail(`${what}: the server switched protocols (101); it must refuse with HTTP ${statuses.join(' or ')}`);
  }
  if (!statuses.includes(outcome.status)) {
    fail(`${what}: HTTP ${outcome.status}, expected ${statuses.join(' or ')}; body ${preview(outcome.body)}`);
  }
  const type = outcome.headers['content-type'] ?? '';
  if (type.includes('json') && outcome.body !== '') {
    let body: unknown;
    try {
      body = JSON.parse(outcome.body);
    } catch {
      fail(`${what}: the body says JSON but does not parse: ${preview(outcome.body)}`);
    }
    if (typeof body === 'object' && body !== null && 'id' in body) {
      fail(`${what}: the JSON-RPC error body carries an id (${preview(body)}); a refusal answers no request`);
    }
  }
  return outcome;
}

function protocolVersion(target: WebSocketTarget): string {
  return target.protocolVersion ?? '2025-06-18';
}

const subprotocol: WireCheck<WebSocketTarget> = {
  id: 'SEP-1288.subprotocol-mcp',
  title: 'selects the "mcp" subprotocol when the client offers it',
  requirements: ['SEP-1288'],
  async run(target, context) {
    const ws = await open(target, context, { protocols: ['mcp'] });
    if (ws.protocol !== 'mcp') fail(`selected subprotocol ${preview(ws.protocol ?? '(none)')}, expected "mcp"`);
  },
};

const subprotocolRequired: WireCheck<WebSocketTarget> = {
  id: 'SEP-1288.subprotocol-not-offered',
  title: 'never selects a subprotocol the client did not offer (a list without "mcp" is refused or gets none)',
  requirements: ['SEP-1288'],
  async run(target, context) {
    const outcome = await upgrade(target, context, { protocols: ['not-mcp'] });
    if (outcome instanceof RawWebSocket) {
      if (outcome.protocol !== undefined) fail(`selected ${preview(outcome.protocol)}, which the client did not offer`);
      return;
    }
    if (outcome.status < 400 || outcome.status >= 500) {
      fail(`answered HTTP ${outcome.status}; expected a 4xx refusal or a 101 without a subprotocol`);
    }
  },
};

const textFrames: WireCheck<WebSocketTarget> = {
  id: 'SEP-1288.text-frames',
  title: 'initialize and ping over text frames: each response is one JSON-RPC message in one text frame',
  requirements: ['SEP-1288', 'LC-25'],
  async run(target, context) {
    const ws = await open(target, context);
    await ws.initialize(protocolVersion(target), context.timeoutMs);
    const response = await ws.request('ping 😀', 'ping', undefined, context.timeoutMs);
    if (!('result' in response)) fail(`ping answered ${preview(response)}`);
    const bad = ws.messages.filter((m) => m.problem !== undefined);
    if (bad.length > 0) fail(`a text frame was not one JSON-RPC message: ${preview(bad[0]?.raw)} (${bad[0]?.problem})`);
    if (ws.binaryFrames > 0)
      fail(`the server sent ${ws.binaryFrames} binary frame(s); MCP over WebSocket is text only`);
  },
};

const binaryRefused: WireCheck<WebSocketTarget> = {
  id: 'SEP-1288.binary-1003',
  title: 'a binary frame is refused with close code 1003',
  requirements: ['SEP-1288'],
  async run(target, context) {
    const ws = await open(target, context);
    ws.sendFrame(OP_BINARY, Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })));
    await ws.waitClosed(context.timeoutMs, 'the server did not close after a binary frame');
    if (ws.closeCode !== 1003) fail(`closed with ${ws.closeCode ?? 'no close frame'}, expected 1003`);
  },
};

const oversize: WireCheck<WebSocketTarget> = {
  id: 'TC-6.oversize-1009',
  title: "a message one byte over the server's limit is refused with close code 1009",
  requirements: ['TC-6'],
  async run(target, context) {
    const ws = await open(target, context);
    const max = target.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    // A JSON string that is valid UTF-8 throughout, so 1009 is the only reason to refuse it.
    const text = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/pad', params: { pad: '' } });
    const payload = Buffer.alloc(max + 1, 0x20);
    payload.write(text.slice(0, -3), 0, 'utf8');
    payload.write('"}}', max - 2, 'utf8');
    ws.sendFrame(OP_TEXT, payload);
    await ws.waitClosed(context.timeoutMs, 'the server did not close after an oversize message');
    if (ws.closeCode !== 1009) fail(`closed with ${ws.closeCode ?? 'no close frame'}, expected 1009`);
  },
};

const malformed: WireCheck<WebSocketTarget> = {
  id: 'TC-5.malformed-json',
  title: 'malformed JSON gets a JSON-RPC parse error (-32700) and the connection stays usable',
  requirements: ['TC-5', 'JR-11'],
  async run(target, context) {
    const ws = await open(target, context);
    await ws.initialize(protocolVersion(target), context.timeoutMs);
    const since = ws.messages.length;
    ws.sendText('{"jsonrpc": "2.0", "id": 7, "method": ');
    let error: JSONRPCMessage | undefined;
    await waitFor(
      () => {
        error = ws.messages
          .slice(since)
          .map((m) => m.message)
          .find((m) => m !== undefined && 'error' in m);
        return error !== undefined || ws.ended || ws.closeCode !== undefined;
      },
      context.timeoutMs,
      'no JSON-RPC error for malformed JSON',
      () => ws.describe(),
    );
    if (error === undefined) fail(`the server closed the connection on malformed JSON: ${ws.describe()}`);
    const code = (error as { error: { code?: unknown } }).error.code;
    if (code !== -32700) fail(`error code ${preview(code)}, expected -32700 (parse error): ${preview(error)}`);
    const response = await ws.request(2, 'ping', undefined, context.timeoutMs);
    if (!('result' in response)) fail(`ping after the malformed message answered ${preview(response)}`);
  },
};

const originRefused: WireCheck<WebSocketTarget> = {
  id: 'SH-3.origin-refused',
  title: 'an upgrade from a foreign Origin is refused with HTTP 403 (JSON-RPC error body without id)',
  requirements: ['SH-2', 'SH-3'],
  notApplicable: (target) =>
    target.dnsRebindingProtection === false
      ? 'the target does not check Origin (dnsRebindingProtection: false)'
      : undefined,
  async run(target, context) {
    const outcome = await upgrade(target, context, {
      headers: { ...target.headers, origin: 'http://evil.example' },
    });
    expectRefusal(outcome, [403], 'Origin http://evil.example');
  },
};

const hostRefused: WireCheck<WebSocketTarget> = {
  id: 'SH-2.host-refused',
  title: 'an upgrade with a foreign Host header is refused with HTTP 403 (DNS rebinding)',
  requirements: ['SH-2'],
  notApplicable: (target) =>
    target.dnsRebindingProtection === false
      ? 'the target does not check Host (dnsRebindingProtection: false)'
      : undefined,
  async run(target, context) {
    const outcome = await upgrade(target, context, { headers: { ...target.headers, host: 'evil.example' } });
    expectRefusal(outcome, [403], 'Host evil.example');
  },
};

const authRefused: WireCheck<WebSocketTarget> = {
  id: 'SH-5.auth-refused',
  title: 'an upgrade without credentials is refused with HTTP 401 and WWW-Authenticate',
  requirements: ['SH-5'],
  notApplicable: (target) =>
    target.requiresAuth === true ? undefined : 'the target does not require authentication (requiresAuth)',
  async run(target, context) {
    const headers = Object.fromEntries(
      Object.entries(target.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'authorization'),
    );
    const refusal = expectRefusal(await upgrade(target, context, { headers }), [401], 'no credentials');
    if (refusal.headers['www-authenticate'] === undefined) fail('the 401 has no WWW-Authenticate header');
  },
};

/** How long the ping checks wait: three intervals (two pings and slack) on top of the step budget. */
function pingWait(target: WebSocketTarget, context: WireContext): number {
  return (target.heartbeatMs ?? 0) * 3 + context.timeoutMs;
}

const pings: WireCheck<WebSocketTarget> = {
  id: 'LC-26.server-pings',
  title: 'the server pings an idle connection and keeps a peer that answers',
  requirements: ['LC-26'],
  notApplicable: (target) => (target.heartbeatMs === undefined ? 'no heartbeatMs given for the target' : undefined),
  async run(target, context) {
    const ws = await open(target, context);
    await waitFor(
      () => ws.pings >= 2 || ws.ended,
      pingWait(target, context),
      'fewer than 2 pings',
      () => ws.describe(),
    );
    if (ws.ended || ws.closeCode !== undefined)
      fail(`the server dropped a peer that answered its pings: ${ws.describe()}`);
  },
};

const dropsSilentPeer: WireCheck<WebSocketTarget> = {
  id: 'LC-26.drops-silent-peer',
  title: 'the server drops a peer that does not answer its pings',
  requirements: ['LC-26'],
  notApplicable: (target) => (target.heartbeatMs === undefined ? 'no heartbeatMs given for the target' : undefined),
  async run(target, context) {
    const ws = await open(target, context);
    ws.autoPong = false;
    await waitFor(
      () => ws.ended,
      pingWait(target, context),
      'the server kept a peer that never answered a ping',
      () => ws.describe(),
    );
    if (ws.pings === 0) fail(`the connection ended without a single ping: ${ws.describe()}`);
  },
};

/** Every WebSocket wire check, in the order they run. */
export const WEBSOCKET_CHECKS: readonly WireCheck<WebSocketTarget>[] = [
  subprotocol,
  subprotocolRequired,
  textFrames,
  binaryRefused,
  oversize,
  malformed,
  originRefused,
  hostRefused,
  authRefused,
  pings,
  dropsSilentPeer,
];
