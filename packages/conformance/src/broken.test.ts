// The suite must catch what it claims to catch: each broken transport below breaks one rule and
// the matching check fails (a suite that passes everything proves nothing).
import { createInMemoryPair } from '@mcp-transports/core';
import type { JSONRPCMessage, Transport } from '@mcp-transports/core';
import { describe, expect, it } from 'vitest';
import { runConformance } from './index.js';
import type { CheckResult, TransportPair } from './index.js';

type Breakage = (transport: Transport, side: 'client' | 'server') => Transport;

function pairWith(breakage: Breakage): () => Promise<TransportPair> {
  return async () => {
    const { client, server } = createInMemoryPair({ maxMessageBytes: 64 * 1024 });
    return { client: breakage(client, 'client'), server: breakage(server, 'server'), close: async () => undefined };
  };
}

/** Forwards everything, so a breakage overrides one member. */
function wrap(inner: Transport, overrides: Partial<Transport>): Transport {
  const outer: Transport = {
    start: () => inner.start(),
    send: (message, options) => inner.send(message, options),
    close: () => inner.close(),
    ...overrides,
  };
  inner.onmessage = (message: JSONRPCMessage) => outer.onmessage?.(message);
  inner.onclose = () => outer.onclose?.();
  inner.onerror = (error) => outer.onerror?.(error);
  return outer;
}

async function statusOf(breakage: Breakage, id: string): Promise<CheckResult> {
  const [result] = await runConformance(
    pairWith(breakage),
    { maxMessageBytes: 64 * 1024, timeoutMs: 500, closeTimeoutMs: 200 },
    { only: [id] },
  );
  return result!;
}

describe('the suite catches broken transports', () => {
  it('[TC-4] onclose fired twice', async () => {
    const result = await statusOf((t) => {
      const outer = wrap(t, {});
      t.onclose = () => {
        outer.onclose?.();
        outer.onclose?.();
      };
      return outer;
    }, 'TC-4.close-from-client');
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/fired 2 times/);
  });

  it('[TC-2] send() that throws synchronously', async () => {
    const result = await statusOf(
      (t) =>
        wrap(t, {
          send: () => {
            throw new Error('sync');
          },
        }),
      'TC-2.send-before-start',
    );
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/threw synchronously/);
  });

  it('[TC-5] an unhandled rejection leaked by send()', async () => {
    const result = await statusOf(
      (t) =>
        wrap(t, {
          send: (message) => {
            void Promise.reject(new Error('leaked'));
            return t.send(message);
          },
        }),
      'TC-3.message-kinds',
    );
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/unhandled rejection: leaked/);
  });

  it('[TC-3] a message delivered twice', async () => {
    const result = await statusOf((t, side) => {
      const outer = wrap(t, {});
      if (side === 'server') {
        t.onmessage = (message: JSONRPCMessage) => {
          outer.onmessage?.(message);
          if ('method' in message && message.method === 'conformance/seq') outer.onmessage?.(message);
        };
      }
      return outer;
    }, 'TC-3.order-client-to-server');
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/exactly once/);
  });

  it('[TC-1] start() twice that resolves', async () => {
    const result = await statusOf((t) => {
      let started = false;
      return wrap(t, {
        start: async () => {
          if (!started) await t.start();
          started = true;
        },
      });
    }, 'TC-1.start-twice');
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/resolved; it must reject/);
  });

  it('expected failures: a listed failing check is expected-fail, a listed passing one is stale', async () => {
    const factory = pairWith((t) => t);
    const results = await runConformance(
      factory,
      { maxMessageBytes: 64 * 1024 },
      { only: ['TC-1.start-twice'], expectedFailures: [{ id: 'TC-1.start-twice', reason: 'says so' }] },
    );
    expect(results).toMatchObject([{ id: 'TC-1.start-twice', status: 'stale' }]);
  });
});
