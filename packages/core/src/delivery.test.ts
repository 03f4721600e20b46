import { describe, expect, it } from 'vitest';
import { MessageDelivery, type JSONRPCMessage } from './index.js';

const note = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { n } });
const response = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, result: {} });
const request = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, method: 'ping' });

/** What the SDK does: a notification's handler one microtask late, a response at once. */
function sdkLikeReceiver(log: string[]) {
  return (message: JSONRPCMessage) => {
    if ('method' in message && !('id' in message)) {
      void Promise.resolve().then(() => log.push(`handled ${JSON.stringify(message.params)}`));
    } else log.push(`got ${'id' in message ? String(message.id) : '?'}`);
  };
}

describe('MessageDelivery', () => {
  it('lets a notification handler that runs a microtask late go before the message after it', async () => {
    const log: string[] = [];
    const delivery = new MessageDelivery(sdkLikeReceiver(log), (e) => {
      throw e;
    });
    // One read's worth, pushed in one synchronous loop as a transport does.
    for (const m of [note(1), note(2), response(1)]) delivery.push(m, undefined);
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['handled {"n":1}', 'handled {"n":2}', 'got 1']);
    // Without it, the response would be seen first: the failure this exists for.
    const bare: string[] = [];
    const receive = sdkLikeReceiver(bare);
    for (const m of [note(1), response(1)]) receive(m);
    await new Promise((r) => setTimeout(r, 0));
    expect(bare).toEqual(['got 1', 'handled {"n":1}']);
  });

  it('delivers requests and responses at once, in order, with their extra', () => {
    const seen: [JSONRPCMessage, string][] = [];
    const delivery = new MessageDelivery<string>(
      (m, extra) => seen.push([m, extra]),
      () => undefined,
    );
    delivery.push(request(1), 'a');
    delivery.push(response(2), 'b');
    expect(seen).toEqual([
      [request(1), 'a'],
      [response(2), 'b'],
    ]);
    expect(delivery.pending).toBe(0);
  });

  it('keeps order across many notifications and messages pushed while waiting', async () => {
    const seen: JSONRPCMessage[] = [];
    const delivery = new MessageDelivery(
      (m) => seen.push(m),
      () => undefined,
    );
    const all = [note(1), request(1), note(2), note(3), response(2), request(3)];
    for (const m of all) delivery.push(m, undefined);
    expect(seen).toEqual([note(1)]);
    expect(delivery.pending).toBe(5);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(all);
    expect(delivery.pending).toBe(0);
    // Later pushes are delivered at once again.
    delivery.push(response(9), undefined);
    expect(seen.at(-1)).toEqual(response(9));
  });

  it('a throwing receiver is reported and later messages still arrive', async () => {
    const errors: unknown[] = [];
    const seen: JSONRPCMessage[] = [];
    const delivery = new MessageDelivery(
      (m) => {
        if ('id' in m && m.id === 1) throw new Error('handler broke');
        seen.push(m);
      },
      (e) => errors.push(e),
    );
    for (const m of [note(1), response(1), response(2)]) delivery.push(m, undefined);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual([note(1), response(2)]);
    expect(errors).toHaveLength(1);
  });

  it('clear() drops what is not yet delivered', async () => {
    const seen: JSONRPCMessage[] = [];
    const delivery = new MessageDelivery(
      (m) => seen.push(m),
      () => undefined,
    );
    for (const m of [note(1), response(1)]) delivery.push(m, undefined);
    delivery.clear();
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual([note(1)]);
  });
});

describe('MessageDelivery.after', () => {
  it('runs a step after the messages pushed before it, and at once when none waits', async () => {
    const log: string[] = [];
    const delivery = new MessageDelivery(
      (m) => log.push('id' in m ? `response ${String(m.id)}` : 'note'),
      () => undefined,
    );
    delivery.after(() => log.push('step 0'));
    expect(log).toEqual(['step 0']);
    delivery.push(note(1), undefined);
    delivery.push(response(1), undefined);
    delivery.after(() => log.push('close'));
    delivery.push(response(2), undefined);
    expect(log).toEqual(['step 0', 'note']);
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['step 0', 'note', 'response 1', 'close', 'response 2']);
  });
});
