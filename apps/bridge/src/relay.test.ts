/**
 * The relay on core's in-memory pairs: the test plays the client on one pair and the server on the
 * other, and reads where each message was routed (the `relatedRequestId` a Streamable HTTP
 * downstream uses to pick a stream). The same paths run with real processes in bridge.test.ts.
 */
import {
  createInMemoryPair,
  type JSONRPCMessage,
  type Transport,
  type TransportSendOptions,
} from '@mcp-transports/core';
import { describe, expect, it } from 'vitest';
import { Relay } from './relay.js';

interface Sent {
  readonly message: JSONRPCMessage;
  readonly relatedRequestId: TransportSendOptions['relatedRequestId'];
}

function setup(options: { upstreamClosedBeforeStart?: boolean; upstreamMaxBytes?: number } = {}) {
  const down = createInMemoryPair();
  const up = createInMemoryPair(
    options.upstreamMaxBytes === undefined ? {} : { maxMessageBytes: options.upstreamMaxBytes },
  );
  // What the relay sends downstream, with the routing it chose.
  const routed: Sent[] = [];
  const send = down.server.send.bind(down.server);
  down.server.send = (message, sendOptions) => {
    routed.push({ message, relatedRequestId: sendOptions?.relatedRequestId });
    return send(message, sendOptions);
  };
  const versions: string[] = [];
  const withVersion = (transport: Transport, name: string): void => {
    transport.setProtocolVersion = (version) => void versions.push(`${name} ${version}`);
  };
  withVersion(down.server, 'downstream');
  withVersion(up.client, 'upstream');
  const atClient: JSONRPCMessage[] = [];
  const atServer: JSONRPCMessage[] = [];
  down.client.onmessage = (message) => void atClient.push(message);
  up.server.onmessage = (message) => void atServer.push(message);
  let opened = 0;
  const log: string[] = [];
  const relay = new Relay({
    downstream: down.server,
    upstream: up.client,
    describeUpstreamClose: (error) => `the test server left${error ? `: ${error.message}` : ''}`,
    log: (line) => void log.push(line),
    onopen: () => {
      opened++;
    },
  });
  if (options.upstreamClosedBeforeStart === true) void up.client.close();
  return { down, up, relay, routed, versions, atClient, atServer, opened: () => opened, log };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await tick();
  expect(condition()).toBe(true);
}

const request = (id: number | string, method: string, params?: Record<string, unknown>): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  method,
  ...(params && { params }),
});

describe('Relay', () => {
  it('starts the upstream with the first message and relays both ways verbatim, ids 0 and "" included', async () => {
    const t = setup();
    await Promise.all([t.relay.start(), t.down.client.start(), t.up.server.start()]);
    expect(t.opened()).toBe(0); // no message yet, no upstream

    await t.down.client.send(request(0, 'initialize', { protocolVersion: '2025-06-18' }));
    await t.down.client.send(request('', 'tools/list'));
    await until(() => t.atServer.length === 2);
    expect(t.opened()).toBe(1);
    expect(t.atServer).toEqual([
      request(0, 'initialize', { protocolVersion: '2025-06-18' }),
      request('', 'tools/list'),
    ]);

    await t.up.server.send({ jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-03-26' } });
    await t.up.server.send({ jsonrpc: '2.0', id: '', result: { tools: [] } });
    await until(() => t.atClient.length === 2);
    expect(t.atClient).toEqual([
      { jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-03-26' } },
      { jsonrpc: '2.0', id: '', result: { tools: [] } },
    ]);
    // The negotiated version reaches both transports (HTTP headers carry it).
    expect(t.versions).toEqual(['upstream 2025-03-26', 'downstream 2025-03-26']);
    await t.relay.close();
  });

  it('routes progress by its token, and other server messages to the one open request (else nowhere)', async () => {
    const t = setup();
    await Promise.all([t.relay.start(), t.down.client.start(), t.up.server.start()]);
    await t.down.client.send(request(1, 'tools/call', { name: 'slow', _meta: { progressToken: 'p1' } }));
    await t.down.client.send(request(2, 'tools/call', { name: 'other' }));
    await until(() => t.atServer.length === 2);

    await t.up.server.send({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 'p1', progress: 1 },
    });
    await t.up.server.send(request('s1', 'sampling/createMessage')); // two open: no guess
    await t.up.server.send({ jsonrpc: '2.0', id: 2, result: {} });
    await t.up.server.send(request('s2', 'sampling/createMessage')); // one open: that one
    await t.up.server.send({ jsonrpc: '2.0', id: 1, result: {} });
    await t.up.server.send({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } });
    await until(() => t.routed.length === 6);
    expect(t.routed.map((sent) => sent.relatedRequestId)).toEqual([1, undefined, undefined, 1, undefined, undefined]);

    // The client's answer to a server request goes back upstream as it is.
    await t.down.client.send({ jsonrpc: '2.0', id: 's2', result: { role: 'assistant' } });
    await until(() => t.atServer.length === 3);
    expect(t.atServer[2]).toEqual({ jsonrpc: '2.0', id: 's2', result: { role: 'assistant' } });
    await t.relay.close();
  });

  it('when the upstream closes by itself: each waiting request gets an error naming the cause, then the downstream closes', async () => {
    const t = setup();
    await Promise.all([t.relay.start(), t.down.client.start(), t.up.server.start()]);
    let downstreamClosed = false;
    t.down.client.onclose = () => (downstreamClosed = true);
    await t.down.client.send(request(1, 'tools/call'));
    await t.down.client.send(request(2, 'tools/call'));
    await t.down.client.send(request(3, 'tools/call'));
    // A cancelled request is not answered by the server, so it is not waiting any more.
    await t.down.client.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3 } });
    await until(() => t.atServer.length === 4);
    await t.up.server.send({ jsonrpc: '2.0', id: 2, result: {} });
    await until(() => t.atClient.length === 1);

    await t.up.server.close();
    await t.relay.closed;
    expect(downstreamClosed).toBe(true);
    expect(t.atClient.slice(1)).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        error: { code: -32000, message: '[mcp-bridge] the upstream server is gone: the test server left' },
      },
    ]);
    expect(t.relay.failure).toBe('the test server left');
  });

  it('when the downstream closes: the upstream is closed and no failure is reported', async () => {
    const t = setup();
    await Promise.all([t.relay.start(), t.down.client.start(), t.up.server.start()]);
    let upstreamClosed = false;
    t.up.server.onclose = () => (upstreamClosed = true);
    await t.down.client.send(request(1, 'tools/call'));
    await until(() => t.atServer.length === 1);
    await t.down.client.close();
    await t.relay.closed;
    expect(upstreamClosed).toBe(true);
    expect(t.relay.failure).toBeUndefined();
  });

  it('an upstream that cannot start: the first request gets the start error, and the downstream closes', async () => {
    const t = setup({ upstreamClosedBeforeStart: true });
    await Promise.all([t.relay.start(), t.down.client.start()]);
    await t.down.client.send(request(7, 'initialize'));
    await t.relay.closed;
    expect(t.opened()).toBe(0);
    expect(t.atClient).toEqual([
      {
        jsonrpc: '2.0',
        id: 7,
        error: {
          code: -32000,
          message: expect.stringMatching(/^\[mcp-bridge\] the upstream server is gone: the test server left: .*closed/),
        },
      },
    ]);
  });

  it('a request the upstream cannot take is answered at once; the session goes on', async () => {
    const t = setup({ upstreamMaxBytes: 1024 });
    await Promise.all([t.relay.start(), t.down.client.start(), t.up.server.start()]);
    await t.down.client.send(request(1, 'ping'));
    await until(() => t.atServer.length === 1);
    const tooBig = request(2, 'tools/call', { blob: 'x'.repeat(2048) }); // over the upstream's 1 KiB
    await t.down.client.send(tooBig);
    await until(() => t.atClient.length === 1);
    expect(t.atClient[0]).toMatchObject({
      id: 2,
      error: { code: -32000, message: expect.stringMatching(/could not be reached/) },
    });
    await t.up.server.send({ jsonrpc: '2.0', id: 1, result: {} });
    await until(() => t.atClient.length === 2);
    expect(t.atClient[1]).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    await t.relay.close();
  });
});
