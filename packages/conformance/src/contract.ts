/**
 * Layer 1: the transport contract (TC-1..TC-7 of the design), checked in-process on a pair made by
 * the author's factory. Each check gets a fresh pair; the runner starts nothing and tears down
 * everything, so a check only says what it verifies.
 */
import type { JSONRPCMessage, JSONRPCRequest, Transport } from '@mcp-transports/core';
import { encodeMessage, isTransportError, TransportErrorCode, utf8ByteLength } from '@mcp-transports/core';
import { describeError, expectRejects, fail, jsonEqual, preview, Side, sleep, waitFor, within } from './_harness.js';
import type { ResolvedCapabilities, TransportPair } from './types.js';

/** What a check works with. */
export interface ContractContext {
  readonly pair: TransportPair;
  readonly caps: ResolvedCapabilities;
  readonly client: Side;
  readonly server: Side;
  /** Starts both ends (concurrently), and performs the handshake when declared. */
  connect(): Promise<void>;
}

/** One check of the contract. */
export interface ContractCheck {
  readonly id: string;
  readonly title: string;
  readonly requirements: readonly string[];
  /** Why the check does not apply to these capabilities; `undefined` when it does. */
  notApplicable?(caps: ResolvedCapabilities): string | undefined;
  run(context: ContractContext): Promise<void>;
}

/** How long to keep watching for a second `onclose` or a duplicate message. */
const GRACE_MS = 50;

const note = (method: string, params?: Record<string, unknown>): JSONRPCMessage =>
  params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };

const request = (id: string | number, method: string, params?: Record<string, unknown>): JSONRPCMessage =>
  params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };

const isRequest = (message: JSONRPCMessage): message is JSONRPCRequest => 'method' in message && 'id' in message;

const sides = (context: ContractContext): [Side, Side][] => [
  [context.client, context.server],
  [context.server, context.client],
];

/** Sends `message` from `from` and waits until `to` has it, unchanged. */
async function roundTrip(context: ContractContext, from: Side, to: Side, message: JSONRPCMessage, what: string) {
  const before = to.messages.length;
  await from.send(message, what);
  await waitFor(
    () => to.messages.length > before,
    context.caps.timeoutMs,
    `${to.name} never received ${what}`,
    () => `sent ${preview(message)}`,
  );
  const got = to.messages[before];
  if (!jsonEqual(got, message)) fail(`${what} changed on the way: sent ${preview(message)}, received ${preview(got)}`);
}

/** Waits for `onclose` on `side`, then a little longer, and insists it fired exactly once. */
async function expectClosedOnce(context: ContractContext, side: Side, why: string): Promise<void> {
  await waitFor(() => side.closes > 0, context.caps.closeTimeoutMs, `${side.name}.onclose never fired after ${why}`);
  await sleep(GRACE_MS);
  if (side.closes !== 1)
    fail(`${side.name}.onclose fired ${side.closes} times after ${why}; it must fire exactly once`);
}

async function closeResolves(side: Side, context: ContractContext, what: string): Promise<void> {
  let pending: Promise<void>;
  try {
    pending = side.transport.close();
  } catch (error) {
    fail(`${side.name}.close() threw synchronously (${what}): ${describeError(error)}`);
  }
  try {
    await within(pending, context.caps.closeTimeoutMs, `${side.name}.close() (${what})`);
  } catch (error) {
    fail(`${side.name}.close() rejected (${what}): ${describeError(error)}`);
  }
}

/** A notification whose JSON is exactly `bytes` UTF-8 bytes long (or the smallest possible). */
export function messageOfSize(bytes: number, method = 'conformance/size'): JSONRPCMessage {
  const base = note(method, { pad: '' });
  const padding = Math.max(0, bytes - utf8ByteLength(encodeMessage(base)));
  return note(method, { pad: 'x'.repeat(padding) });
}

/** Collects the ordered `seq` params of `method` notifications `side` received. */
const seqs = (side: Side, method: string): unknown[] =>
  side.received(method).map((m) => ('params' in m ? (m.params as { seq?: unknown } | undefined)?.seq : undefined));

function checkSequence(got: unknown[], count: number, what: string): void {
  if (got.length !== count) fail(`${what}: expected ${count} messages exactly once, got ${got.length}`);
  const wrong = got.findIndex((seq, index) => seq !== index);
  if (wrong !== -1) fail(`${what}: message #${wrong} carried seq ${preview(got[wrong])}; order was not kept`);
}

async function ordered(context: ContractContext, from: Side, to: Side): Promise<void> {
  await context.connect();
  const count = context.caps.orderMessages;
  const sends: Promise<void>[] = [];
  for (let seq = 0; seq < count; seq++) sends.push(from.send(note('conformance/seq', { seq }), `message ${seq}`));
  await within(Promise.all(sends), context.caps.timeoutMs, `${count} sends from ${from.name}`);
  await waitFor(
    () => to.received('conformance/seq').length >= count,
    context.caps.timeoutMs,
    `${to.name} did not receive all ${count} messages`,
    () => `got ${to.received('conformance/seq').length}`,
  );
  await sleep(GRACE_MS);
  checkSequence(seqs(to, 'conformance/seq'), count, `${from.name} → ${to.name}`);
}

const startTwice: ContractCheck = {
  id: 'TC-1.start-twice',
  title: 'start() a second time rejects, on both ends',
  requirements: ['TC-1'],
  async run(context) {
    await context.connect();
    for (const side of [context.server, context.client]) {
      await expectRejects(() => side.transport.start(), context.caps.timeoutMs, `${side.name}.start() a second time`);
    }
  },
};

const sendBeforeStart: ContractCheck = {
  id: 'TC-2.send-before-start',
  title: 'send() before start() rejects (never throws synchronously), on both ends',
  requirements: ['TC-2'],
  async run(context) {
    for (const side of [context.client, context.server]) {
      await expectRejects(
        () => side.transport.send(note('conformance/early')),
        context.caps.timeoutMs,
        `${side.name}.send() before start()`,
      );
    }
  },
};

const sendAfterClose: ContractCheck = {
  id: 'TC-2.send-after-close',
  title: 'send() after close() rejects (never throws synchronously), on both ends',
  requirements: ['TC-2'],
  async run(context) {
    await context.connect();
    for (const side of [context.client, context.server]) {
      await closeResolves(side, context, 'before sending');
      await expectRejects(
        () => side.transport.send(note('conformance/late')),
        context.caps.timeoutMs,
        `${side.name}.send() after close()`,
      );
    }
  },
};

const closeIdempotent: ContractCheck = {
  id: 'TC-4.close-idempotent',
  title: 'close() twice (in turn and at once) resolves; onclose fires once per end',
  requirements: ['TC-4'],
  async run(context) {
    await context.connect();
    const { client, server } = context;
    await Promise.all([closeResolves(client, context, 'first'), closeResolves(client, context, 'concurrent')]);
    await closeResolves(client, context, 'second');
    await Promise.all([closeResolves(server, context, 'first'), closeResolves(server, context, 'concurrent')]);
    await closeResolves(server, context, 'second');
    await expectClosedOnce(context, client, 'close() three times');
    await expectClosedOnce(context, server, 'close() three times');
  },
};

function closeFrom(which: 'client' | 'server'): ContractCheck {
  const other = which === 'client' ? 'server' : 'client';
  return {
    id: `TC-4.close-from-${which}`,
    title: `${which}.close(): onclose exactly once on both ends, and the ${other}'s own close() later adds none`,
    requirements: which === 'client' ? ['TC-4', 'LC-11'] : ['TC-4', 'LC-12'],
    async run(context) {
      await context.connect();
      const closer = context[which];
      const peer = context[other];
      const propagates = which === 'client' ? context.caps.clientCanClose : context.caps.serverCanClose;
      await closeResolves(closer, context, 'first close');
      await expectClosedOnce(context, closer, `${which}.close()`);
      if (propagates) await expectClosedOnce(context, peer, `${which}.close() on the other end`);
      await closeResolves(peer, context, `after ${which} closed`);
      await expectClosedOnce(context, peer, `${which}.close() and then ${other}.close()`);
      if (closer.closes !== 1) fail(`${which}.onclose fired ${closer.closes} times`);
    },
  };
}

const closeBoth: ContractCheck = {
  id: 'TC-4.close-both',
  title: 'both ends close at the same moment: onclose exactly once on each',
  requirements: ['TC-4'],
  async run(context) {
    await context.connect();
    await Promise.all([closeResolves(context.client, context, 'both'), closeResolves(context.server, context, 'both')]);
    await expectClosedOnce(context, context.client, 'both ends closed');
    await expectClosedOnce(context, context.server, 'both ends closed');
  },
};

const peerDeath: ContractCheck = {
  id: 'TC-4.peer-death',
  title: 'the server end dies without a goodbye: client onclose exactly once, send() then rejects',
  requirements: ['TC-4'],
  notApplicable: (caps) => (caps.peerDeath ? undefined : 'capabilities.peerDeath is not set'),
  async run(context) {
    const kill = context.pair.kill;
    if (kill === undefined) fail('capabilities.peerDeath is set, but the pair has no kill()');
    await context.connect();
    await within(Promise.resolve(kill()), context.caps.timeoutMs, 'pair.kill()');
    await expectClosedOnce(context, context.client, 'the peer died');
    await expectRejects(
      () => context.client.transport.send(note('conformance/after-death')),
      context.caps.timeoutMs,
      'client.send() after the peer died',
    );
    await closeResolves(context.client, context, 'after the peer died');
    await sleep(GRACE_MS);
    if (context.client.closes !== 1) fail(`client.onclose fired ${context.client.closes} times`);
  },
};

const orderClientToServer: ContractCheck = {
  id: 'TC-3.order-client-to-server',
  title: 'client → server: many messages arrive in order, each exactly once',
  requirements: ['TC-3'],
  run: (context) => ordered(context, context.client, context.server),
};

const orderServerToClient: ContractCheck = {
  id: 'TC-3.order-server-to-client',
  title: 'server → client: many messages arrive in order, each exactly once',
  requirements: ['TC-3'],
  run: (context) => ordered(context, context.server, context.client),
};

const messageKinds: ContractCheck = {
  id: 'TC-3.message-kinds',
  title: 'requests, notifications, results and errors arrive unchanged in both directions',
  requirements: ['TC-3', 'JR-2', 'JR-7', 'JR-10', 'JR-13'],
  async run(context) {
    await context.connect();
    const { client, server } = context;
    const steps: [Side, Side, JSONRPCMessage, string][] = [
      [client, server, request(1, 'conformance/echo', { a: [1, 'two', null, true], nested: { x: 1.5 } }), 'a request'],
      [server, client, { jsonrpc: '2.0', id: 1, result: { ok: true, list: [] } }, 'a result response'],
      [client, server, request(2, 'conformance/missing'), 'a request without params'],
      [
        server,
        client,
        { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'Method not found', data: { method: 'x' } } },
        'an error response',
      ],
      [client, server, note('conformance/client-note', { n: 1 }), 'a client notification'],
      [server, client, note('conformance/server-note', { n: 2 }), 'a server notification'],
      [server, client, request('s-1', 'conformance/ask', { q: 'why' }), 'a server request'],
      [client, server, { jsonrpc: '2.0', id: 's-1', result: {} }, 'a client result response'],
      [server, client, request('s-2', 'conformance/ask'), 'a second server request'],
      [
        client,
        server,
        { jsonrpc: '2.0', id: 's-2', error: { code: -32602, message: 'bad' } },
        'a client error response',
      ],
    ];
    for (const [from, to, message, what] of steps)
      await roundTrip(context, from, to, message, `${what} (${from.name} → ${to.name})`);
  },
};

/** Legal ids a transport must carry exactly: `0` and `""` are real ids, not "no id". */
export const TRICKY_IDS: readonly (string | number)[] = [
  0,
  '',
  Number.MAX_SAFE_INTEGER,
  -1,
  '0',
  'line\nbreak',
  'emoji 😀 and ü 中',
  '\u2028\u2029',
];

const ids: ContractCheck = {
  id: 'TC-3.ids',
  title: 'ids 0, "", MAX_SAFE_INTEGER, negative, and strings with newlines or emoji survive both ways',
  requirements: ['TC-3', 'JR-4', 'JR-7'],
  async run(context) {
    await context.connect();
    for (const [from, to] of sides(context)) {
      for (const id of TRICKY_IDS) {
        await roundTrip(context, from, to, request(id, 'conformance/id'), `a request with id ${preview(id)}`);
        await roundTrip(context, to, from, { jsonrpc: '2.0', id, result: {} }, `the response to id ${preview(id)}`);
      }
    }
  },
};

/** Text that breaks naive framing or decoding. */
export const TRICKY_TEXT: readonly string[] = [
  'line\nbreak and \r\n and a lone \r',
  'separators \u2028 and \u2029',
  'emoji 😀👍🏽🇩🇪 and astral 𝄞',
  'CJK 中文字, Cyrillic ж, combining é',
  'NUL \u0000 tab \t quote " backslash \\ slash /',
  '{"jsonrpc":"2.0","method":"injected"}\n',
  // Long multi-byte runs cross any chunk boundary a stream reader may use.
  '€'.repeat(20_000) + '😀'.repeat(5_000),
];

const unicode: ContractCheck = {
  id: 'TC-3.unicode',
  title: 'newlines, U+2028/2029, emoji and multi-byte text (split across chunks) arrive unchanged',
  requirements: ['TC-3', 'JR-1', 'ST-4'],
  async run(context) {
    await context.connect();
    for (const [from, to] of sides(context)) {
      for (const [index, text] of TRICKY_TEXT.entries()) {
        if (utf8ByteLength(text) * 2 > (context.caps.maxMessageBytes ?? Infinity)) continue;
        await roundTrip(context, from, to, note('conformance/text', { text }), `text sample ${index}`);
      }
    }
  },
};

function sizesFor(caps: ResolvedCapabilities): number[] {
  const limit = caps.maxMessageBytes ?? caps.sizeCheckBytes;
  return [0, 1024, 64 * 1024, 1024 * 1024, limit].filter(
    (size, index, all) => size <= limit && all.indexOf(size) === index,
  );
}

const sizes: ContractCheck = {
  id: 'TC-6.sizes',
  title: 'messages from no params up to exactly the declared limit arrive unchanged, both ways',
  requirements: ['TC-6'],
  async run(context) {
    await context.connect();
    for (const [from, to] of sides(context)) {
      await roundTrip(context, from, to, note('conformance/empty'), 'a notification without params');
      await roundTrip(context, from, to, note('conformance/empty', {}), 'a notification with empty params');
      for (const size of sizesFor(context.caps)) {
        const message = messageOfSize(size);
        await roundTrip(context, from, to, message, `a ${utf8ByteLength(encodeMessage(message))}-byte message`);
      }
    }
  },
};

const overLimit: ContractCheck = {
  id: 'TC-6.over-limit',
  title: 'one byte over the limit gets a clear error (rejected send() or onerror); later messages still arrive',
  requirements: ['TC-5', 'TC-6'],
  notApplicable: (caps) =>
    caps.maxMessageBytes === undefined ? 'capabilities.maxMessageBytes is not declared' : undefined,
  async run(context) {
    await context.connect();
    const limit = context.caps.maxMessageBytes ?? 0;
    for (const [from, to] of sides(context)) {
      const errorsBefore = from.errors.length + to.errors.length;
      const received = to.messages.length;
      let rejection: unknown;
      let rejected = false;
      try {
        await within(
          from.transport.send(messageOfSize(limit + 1, 'conformance/too-big')),
          context.caps.timeoutMs,
          'send()',
        );
      } catch (error) {
        rejected = true;
        rejection = error;
      }
      if (!rejected) {
        await waitFor(
          () => from.errors.length + to.errors.length > errorsBefore,
          context.caps.timeoutMs,
          `a ${limit + 1}-byte message (${from.name} → ${to.name}) got neither a rejected send() nor an onerror`,
        );
      }
      const error = rejected ? rejection : [...from.errors, ...to.errors].at(-1);
      const clear =
        isTransportError(error, TransportErrorCode.MessageTooLarge) ||
        (error instanceof Error && /too large|too big|exceed|limit|size|bytes/i.test(error.message));
      if (!clear) fail(`the error for an oversized message does not say so: ${describeError(error)}`);
      if (to.received('conformance/too-big').length > 0) fail(`${to.name} received the oversized message`);
      await roundTrip(context, from, to, note('conformance/after'), `a message after the oversized one`);
      if (to.messages.length - received !== 1) fail(`${to.name} received unexpected messages around the oversized one`);
    }
  },
};

const concurrency: ContractCheck = {
  id: 'TC-3.concurrency',
  title:
    'thousands of requests, responses and notifications in flight both ways at once: none lost, none doubled, order kept',
  requirements: ['TC-3'],
  async run(context) {
    await context.connect();
    const { client, server } = context;
    const count = context.caps.stressMessages;
    const sendErrors: unknown[] = [];
    server.react = (message) => {
      if (isRequest(message) && message.method === 'conformance/work') {
        server.transport
          .send({ jsonrpc: '2.0', id: message.id, result: { echo: message.id } })
          .catch((error: unknown) => {
            sendErrors.push(error);
          });
      }
    };
    const sends: Promise<void>[] = [];
    for (let seq = 0; seq < count; seq++) {
      sends.push(client.send(request(seq, 'conformance/work', { seq }), `request ${seq}`));
      sends.push(server.send(note('conformance/tick', { seq }), `notification ${seq}`));
    }
    await within(Promise.all(sends), context.caps.timeoutMs, `${2 * count} concurrent sends`);
    const responses = () => client.messages.filter((m) => 'result' in m);
    await waitFor(
      () =>
        server.received('conformance/work').length >= count &&
        responses().length >= count &&
        client.received('conformance/tick').length >= count,
      context.caps.timeoutMs,
      'not everything arrived',
      () =>
        `server got ${server.received('conformance/work').length}/${count} requests, client got ${responses().length}/${count} responses and ${client.received('conformance/tick').length}/${count} notifications; send errors: ${sendErrors.map(describeError).join(', ')}`,
    );
    await sleep(GRACE_MS);
    if (sendErrors.length > 0) fail(`server.send() rejected: ${describeError(sendErrors[0])}`);
    checkSequence(seqs(server, 'conformance/work'), count, 'client requests');
    checkSequence(seqs(client, 'conformance/tick'), count, 'server notifications');
    checkSequence(
      responses().map((m) => ('id' in m ? m.id : undefined)),
      count,
      'server responses',
    );
  },
};

const handlerThrows: ContractCheck = {
  id: 'TC-5.handler-throws',
  title:
    'an onmessage handler that throws is reported (onerror or rejected send), never uncaught; the transport goes on',
  requirements: ['TC-5'],
  async run(context) {
    await context.connect();
    const { client, server } = context;
    server.react = (message) => {
      if ('method' in message && message.method === 'conformance/boom') throw new Error('conformance: handler failure');
    };
    const errorsBefore = server.errors.length + client.errors.length;
    let rejected = false;
    try {
      await within(client.transport.send(note('conformance/boom')), context.caps.timeoutMs, 'send()');
    } catch (error) {
      rejected = true;
      if (!describeError(error).includes('handler failure')) {
        fail(`client.send() rejected with an unrelated error: ${describeError(error)}`);
      }
    }
    if (!rejected) {
      await waitFor(
        () => server.errors.length + client.errors.length > errorsBefore,
        context.caps.timeoutMs,
        'the handler error was swallowed: neither onerror nor a rejected send() reported it',
      );
    }
    await roundTrip(context, client, server, note('conformance/after'), 'a message after the failing handler');
  },
};

/** Every layer-1 check, in the order they run. */
export const CONTRACT_CHECKS: readonly ContractCheck[] = [
  startTwice,
  sendBeforeStart,
  sendAfterClose,
  closeIdempotent,
  closeFrom('client'),
  closeFrom('server'),
  closeBoth,
  peerDeath,
  orderClientToServer,
  orderServerToClient,
  messageKinds,
  ids,
  unicode,
  sizes,
  overLimit,
  concurrency,
  handlerThrows,
];

/** Wires a pair into a context: recorders on both ends, and the optional MCP handshake. */
export function createContext(pair: TransportPair, caps: ResolvedCapabilities): ContractContext {
  const client = new Side('client', pair.client);
  const server = new Side('server', pair.server);
  return {
    pair,
    caps,
    client,
    server,
    async connect() {
      // Both at once: a relay's server end may only come up once the client has spawned or dialled it.
      await Promise.all([
        within(startOnce(server.transport), caps.timeoutMs, 'server.start()'),
        within(startOnce(client.transport), caps.timeoutMs, 'client.start()'),
      ]);
      if (!caps.handshake) return;
      server.react = (message) => {
        if (isRequest(message) && message.method === 'initialize') {
          const params = message.params as { protocolVersion?: string } | undefined;
          void server.transport
            .send({
              jsonrpc: '2.0',
              id: message.id,
              result: {
                protocolVersion: params?.protocolVersion ?? '2025-06-18',
                capabilities: {},
                serverInfo: { name: 'mcp-transports-conformance', version: '0.0.0' },
              },
            })
            .catch((error: unknown) => server.errors.push(new Error(`initialize response: ${describeError(error)}`)));
        }
      };
      await client.send(
        request('conformance-init', 'initialize', {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'mcp-transports-conformance', version: '0.0.0' },
        }),
        'initialize',
      );
      await waitFor(() => client.messages.some((m) => 'result' in m), caps.timeoutMs, 'no initialize response');
      await client.send(note('notifications/initialized'), 'notifications/initialized');
      await waitFor(
        () => server.received('notifications/initialized').length > 0,
        caps.timeoutMs,
        'initialized notification never arrived',
      );
      server.react = undefined;
      client.messages.length = 0;
      server.messages.length = 0;
      if (caps.settleMs > 0) await sleep(caps.settleMs);
    },
  };
}

function startOnce(transport: Transport): Promise<void> {
  try {
    return transport.start();
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
