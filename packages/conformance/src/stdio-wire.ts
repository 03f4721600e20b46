/**
 * Layer 2 for stdio: spawn the server command and speak raw bytes to it (ST-*, LC-11).
 *
 * Each check spawns its own process, so one crash cannot hide another check's result, and every
 * process is ended afterwards (stdin closed → SIGTERM → SIGKILL), whatever happened.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { decodeMessage } from '@mcp-transports/core';
import type { JSONRPCMessage, RequestId } from '@mcp-transports/core';
import { describeError, fail, jsonEqual, preview, sleep } from './_harness.js';
import type { WireCheck, WireContext } from './wire.js';

/** The server to check: a command line, run as a child process. */
export interface StdioTarget {
  /** The executable, e.g. `node`. */
  command: string;
  /** Its arguments. @default [] */
  args?: readonly string[];
  /** Extra environment variables (added to the current environment). @default {} */
  env?: Readonly<Record<string, string>>;
  /** Working directory. @default the current directory */
  cwd?: string;
  /** How long the server may take to exit once its stdin ends (LC-11). @default 5000 */
  exitTimeoutMs?: number;
  /** The protocol version offered in `initialize`. @default '2025-06-18' */
  protocolVersion?: string;
}

/** One stdout line as it arrived, and what it decoded to. */
export interface StdoutLine {
  raw: string;
  message: JSONRPCMessage | undefined;
  problem: string | undefined;
}

/** A running server process, spoken to in raw lines. Exported for other wire checks to reuse. */
export class StdioSession {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: StdoutLine[] = [];
  stderr = '';
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  spawnError: Error | undefined;
  readonly #timeoutMs: number;
  #pending: Buffer = Buffer.alloc(0);
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(target: StdioTarget, timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.child = spawn(target.command, [...(target.args ?? [])], {
      cwd: target.cwd,
      env: { ...process.env, ...target.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.on('error', (error) => {
      this.spawnError = error;
    });
    this.child.on('exit', (code, signal) => {
      this.exit = { code, signal };
    });
    // EPIPE when the server is gone is what some checks provoke; it is recorded, not thrown.
    this.child.stdin.on('error', (error) => {
      this.stderr += `\n[conformance] stdin: ${describeError(error)}`;
    });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.#onStdout(chunk);
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => {
      if (this.stderr.length < 64 * 1024) this.stderr += text;
    });
  }

  #onStdout(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    let newline: number;
    while ((newline = this.#pending.indexOf(0x0a)) !== -1) {
      const bytes = this.#pending.subarray(0, newline);
      this.#pending = this.#pending.subarray(newline + 1);
      let raw: string;
      try {
        raw = this.#utf8.decode(bytes);
      } catch (error) {
        this.lines.push({
          raw: bytes.toString('latin1'),
          message: undefined,
          problem: `not UTF-8: ${describeError(error)}`,
        });
        continue;
      }
      const decoded = decodeMessage(raw);
      this.lines.push(
        decoded.ok
          ? { raw, message: decoded.message, problem: undefined }
          : { raw, message: undefined, problem: describeError(decoded.error) },
      );
    }
  }

  /** Resolves once the process has exited, or after `timeoutMs` if it is still running. */
  async exited(timeoutMs: number): Promise<void> {
    if (this.exit !== undefined || this.spawnError !== undefined) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.child.off('exit', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.child.once('exit', done);
    });
  }

  /** Every decoded message so far. */
  get messages(): JSONRPCMessage[] {
    return this.lines.flatMap((line) => (line.message === undefined ? [] : [line.message]));
  }

  /** Lines on stdout that were not a valid JSON-RPC message. */
  get badLines(): StdoutLine[] {
    return this.lines.filter((line) => line.problem !== undefined);
  }

  /** Writes raw text or bytes to the server's stdin. */
  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.child.stdin.write(data, (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /** Writes one message as a line. */
  send(message: JSONRPCMessage): Promise<void> {
    return this.write(`${JSON.stringify(message)}\n`);
  }

  /** Waits for the response carrying `id` (compared exactly: `0` is not `"0"`). */
  async response(id: RequestId, what: string, since = 0): Promise<JSONRPCMessage> {
    const find = () => this.messages.find((m) => 'id' in m && !('method' in m) && Object.is(m.id, id));
    const changed = () =>
      this.messages
        .slice(since)
        .find((m) => 'id' in m && !('method' in m) && !Object.is(m.id, id) && String(m.id) === String(id));
    const deadline = Date.now() + this.#timeoutMs;
    while (find() === undefined && this.exit === undefined) {
      if (changed() !== undefined || Date.now() > deadline) this.#noResponse(id, what, since);
      await sleep(2);
    }
    const found = find();
    if (found === undefined) fail(`the server exited before answering ${what}: ${this.describe()}`);
    return found;
  }

  /** Fails for a response that never came: says so when the id came back changed (`0` as `"0"`). */
  #noResponse(id: RequestId, what: string, since: number): never {
    const loose = this.messages.slice(since).find((m) => 'id' in m && !('method' in m) && String(m.id) === String(id));
    if (loose !== undefined && 'id' in loose) {
      fail(`${what} was answered with id ${preview(loose.id)} instead of ${preview(id)}`);
    }
    fail(`no response to ${what} (waited ${this.#timeoutMs} ms): ${this.describe()}`);
  }

  /** Sends a request and waits for its response. */
  async request(id: RequestId, method: string, params?: Record<string, unknown>): Promise<JSONRPCMessage> {
    const since = this.messages.length;
    await this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    return this.response(id, `${method} (id ${preview(id)})`, since);
  }

  /** The MCP handshake: `initialize`, then `notifications/initialized`. Returns the initialize result. */
  async initialize(protocolVersion = '2025-06-18'): Promise<Record<string, unknown>> {
    const response = await this.request(1, 'initialize', {
      protocolVersion,
      capabilities: {},
      clientInfo: { name: 'mcp-transports-conformance', version: '0.0.0' },
    });
    if (!('result' in response)) fail(`initialize failed: ${preview(response)}`);
    await this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return response.result;
  }

  /** Waits for the process to exit; `undefined` when it did not within `ms`. */
  async waitExit(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    const deadline = Date.now() + ms;
    while (this.exit === undefined && Date.now() < deadline) await sleep(5);
    return this.exit;
  }

  /** Ends the process the way LC-11 says: stdin closed → SIGTERM → SIGKILL. */
  async dispose(): Promise<void> {
    if (this.exit !== undefined || this.spawnError !== undefined) return;
    this.child.stdin.end();
    if ((await this.waitExit(1000)) !== undefined) return;
    this.child.kill('SIGTERM');
    if ((await this.waitExit(1000)) !== undefined) return;
    this.child.kill('SIGKILL');
    await this.waitExit(2000);
  }

  /** Recent state for failure messages. */
  describe(): string {
    const exit = this.exit === undefined ? 'running' : `exited (code ${this.exit.code}, signal ${this.exit.signal})`;
    const last = this.lines.slice(-3).map((l) => preview(l.raw, 120));
    const stderr = this.stderr.trim().slice(-300);
    return `${exit}; last stdout lines ${last.length === 0 ? '(none)' : last.join(' | ')}${stderr === '' ? '' : `; stderr: ${stderr}`}${this.spawnError === undefined ? '' : `; spawn error: ${describeError(this.spawnError)}`}`;
  }
}

/** Spawns the target for one check; the process is ended when the check is over. */
export function startSession(target: StdioTarget, context: WireContext): StdioSession {
  const session = new StdioSession(target, context.timeoutMs);
  context.defer(() => session.dispose());
  return session;
}

function expectAlive(session: StdioSession, what: string): void {
  if (session.exit !== undefined || session.spawnError !== undefined) fail(`${what}: ${session.describe()}`);
}

function expectCleanStdout(session: StdioSession): void {
  const bad = session.badLines;
  if (bad.length > 0) {
    fail(`${bad.length} stdout line(s) are not JSON-RPC messages, e.g. ${preview(bad[0]?.raw)} (${bad[0]?.problem})`);
  }
}

const isResponse = (m: JSONRPCMessage): boolean => !('method' in m) && ('result' in m || 'error' in m);

const silentBeforeInitialize: WireCheck<StdioTarget> = {
  id: 'LC-1.silent-before-initialize',
  title: 'nothing reaches stdout before the response to initialize (no banner, no early request)',
  requirements: ['ST-7', 'LC-1', 'LC-6'],
  async run(target, context) {
    const session = startSession(target, context);
    // No signal says "ready": give the process a moment to say something it should not, then
    // initialize; whatever came first is on record either way.
    await sleep(Math.min(500, context.timeoutMs));
    expectAlive(session, 'the server exited on its own');
    await session.initialize(target.protocolVersion);
    const first = session.lines[0];
    const message = first?.message;
    if (message === undefined || 'method' in message || !('id' in message) || message.id !== 1) {
      fail(`the first stdout line is not the initialize response: ${preview(first?.raw)}`);
    }
  },
};

const initialize: WireCheck<StdioTarget> = {
  id: 'ST-2.initialize',
  title: 'initialize over newline-delimited JSON gets a result with protocolVersion, capabilities, serverInfo',
  requirements: ['ST-2', 'ST-3', 'LC-2', 'LC-3', 'LC-8'],
  async run(target, context) {
    const session = startSession(target, context);
    const result = await session.initialize(target.protocolVersion);
    if (typeof result.protocolVersion !== 'string') fail(`no protocolVersion in ${preview(result)}`);
    if (typeof result.capabilities !== 'object' || result.capabilities === null)
      fail(`no capabilities in ${preview(result)}`);
    const info = result.serverInfo as { name?: unknown } | undefined;
    if (typeof info?.name !== 'string') fail(`no serverInfo.name in ${preview(result)}`);
  },
};

const stdoutOnlyMessages: WireCheck<StdioTarget> = {
  id: 'ST-7.stdout-only-messages',
  title: 'every stdout line is one valid UTF-8 JSON-RPC message (through a session of requests)',
  requirements: ['ST-7', 'ST-4', 'JR-1', 'JR-2'],
  async run(target, context) {
    const session = startSession(target, context);
    const result = await session.initialize(target.protocolVersion);
    await session.request(2, 'ping');
    const capabilities = (result.capabilities ?? {}) as Record<string, unknown>;
    if ('tools' in capabilities) await session.request(3, 'tools/list');
    if ('resources' in capabilities) await session.request(4, 'resources/list');
    if ('prompts' in capabilities) await session.request(5, 'prompts/list');
    await session.request(6, 'conformance/no-such-method');
    await sleep(200);
    expectCleanStdout(session);
  },
};

const escapedNewlines: WireCheck<StdioTarget> = {
  id: 'ST-4.escaped-newlines',
  title: 'an id holding \\n, \\r, U+2028/2029 and emoji comes back intact on one line',
  requirements: ['ST-4', 'JR-1', 'JR-7'],
  async run(target, context) {
    const session = startSession(target, context);
    await session.initialize(target.protocolVersion);
    const id = 'line\nbreak\r\n\u2028\u2029 😀 ü';
    const response = await session.request(id, 'ping');
    if (!('result' in response)) fail(`ping failed: ${preview(response)}`);
  },
};

const trickyIds: WireCheck<StdioTarget> = {
  id: 'JR-7.tricky-ids',
  title: 'responses carry the request id exactly: 0, "", "0", MAX_SAFE_INTEGER',
  requirements: ['JR-4', 'JR-7'],
  async run(target, context) {
    const session = startSession(target, context);
    await session.initialize(target.protocolVersion);
    for (const id of [0, '', '0', Number.MAX_SAFE_INTEGER]) {
      // request() matches with Object.is, so `0` answered as `"0"` never matches and times out.
      const response = await session.request(id, 'ping');
      if (!('result' in response)) fail(`ping with id ${preview(id)} failed: ${preview(response)}`);
    }
  },
};

const chunkedWrites: WireCheck<StdioTarget> = {
  id: 'ST-4.chunked-and-batched-writes',
  title: 'a message written byte by byte (split inside a UTF-8 character) and two in one write are all read',
  requirements: ['ST-4', 'JR-1'],
  async run(target, context) {
    const session = startSession(target, context);
    await session.initialize(target.protocolVersion);
    const bytes = Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id: 'split 😀€', method: 'ping' })}\n`);
    for (const byte of bytes) await session.write(Uint8Array.of(byte));
    await session.response('split 😀€', 'a ping written byte by byte');
    const two = [
      { jsonrpc: '2.0', id: 'first', method: 'ping' },
      { jsonrpc: '2.0', id: 'second', method: 'ping' },
    ];
    await session.write(two.map((m) => `${JSON.stringify(m)}\n`).join(''));
    await session.response('first', 'the first of two pings in one write');
    await session.response('second', 'the second of two pings in one write');
  },
};

const malformedLine: WireCheck<StdioTarget> = {
  id: 'TC-5.malformed-line',
  title: 'malformed and wrongly shaped lines do not crash the server; the next request is answered',
  requirements: ['TC-5', 'TC-6', 'JR-2'],
  async run(target, context) {
    const session = startSession(target, context);
    await session.initialize(target.protocolVersion);
    let response: JSONRPCMessage;
    try {
      for (const line of ['this is not json', '{"jsonrpc":"2.0","id":', '{"hello":"world"}', '42', '"text"']) {
        await session.write(`${line}\n`);
      }
      await sleep(100);
      expectAlive(session, 'the server died on a malformed line');
      response = await session.request('after-garbage', 'ping');
    } catch (error) {
      // A server that dies on the first line makes the next write fail (EPIPE) or the ping go
      // unanswered, depending on timing: say what happened, not which write noticed it.
      await session.exited(1000);
      expectAlive(session, 'the server died on a malformed line');
      throw error;
    }
    if (!('result' in response)) fail(`ping after malformed lines failed: ${preview(response)}`);
  },
};

const unknownMethod: WireCheck<StdioTarget> = {
  id: 'JR-10.unknown-method',
  title: 'an unknown method gets an error response with the same id and integer code -32601',
  requirements: ['JR-7', 'JR-10', 'JR-11'],
  async run(target, context) {
    const session = startSession(target, context);
    await session.initialize(target.protocolVersion);
    const response = await session.request(7, 'conformance/no-such-method');
    if (!('error' in response)) fail(`expected an error response, got ${preview(response)}`);
    if (!Number.isInteger(response.error.code)) fail(`error code is not an integer: ${preview(response.error)}`);
    if (typeof response.error.message !== 'string') fail(`error has no message: ${preview(response.error)}`);
    if (response.error.code !== -32601) fail(`error code ${response.error.code}, expected -32601 (method not found)`);
  },
};

const ping: WireCheck<StdioTarget> = {
  id: 'LC-25.ping',
  title: 'ping gets an empty result',
  requirements: ['LC-25'],
  async run(target, context) {
    const session = startSession(target, context);
    await session.initialize(target.protocolVersion);
    const response = await session.request('ping-1', 'ping');
    if (!('result' in response) || !jsonEqual(response.result, {}))
      fail(`expected result {}, got ${preview(response)}`);
  },
};

const notificationNoResponse: WireCheck<StdioTarget> = {
  id: 'JR-12.notification-no-response',
  title: 'a notification (even an unknown one) gets no response',
  requirements: ['JR-12'],
  async run(target, context) {
    const session = startSession(target, context);
    await session.initialize(target.protocolVersion);
    const before = session.messages.filter(isResponse).length;
    await session.send({ jsonrpc: '2.0', method: 'notifications/conformance-unknown', params: { x: 1 } });
    await session.request('after-notification', 'ping');
    const responses = session.messages.filter(isResponse);
    const extra = responses.slice(before).filter((m) => !('id' in m && m.id === 'after-notification'));
    if (extra.length > 0) fail(`a notification was answered: ${preview(extra[0])}`);
  },
};

const exitOnEof: WireCheck<StdioTarget> = {
  id: 'LC-11.exit-on-stdin-eof',
  title: 'the server exits on its own once stdin ends (no signal needed)',
  requirements: ['LC-11', 'M26-8'],
  async run(target, context) {
    const session = startSession(target, context);
    await session.initialize(target.protocolVersion);
    session.child.stdin.end();
    const ms = target.exitTimeoutMs ?? 5000;
    const exit = await session.waitExit(ms);
    if (exit === undefined) fail(`still running ${ms} ms after stdin ended`);
    if (exit.signal !== null) fail(`ended by signal ${exit.signal}`);
  },
};

/** Every stdio wire check, in the order they run. */
export const STDIO_CHECKS: readonly WireCheck<StdioTarget>[] = [
  silentBeforeInitialize,
  initialize,
  stdoutOnlyMessages,
  escapedNewlines,
  trickyIds,
  chunkedWrites,
  malformedLine,
  unknownMethod,
  ping,
  notificationNoResponse,
  exitOnEof,
];
