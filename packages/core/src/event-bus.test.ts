import { describe, expect, it } from 'vitest';
import { MemoryServerEventBus, type ServerEvent } from './index.js';

describe('MemoryServerEventBus', () => {
  it('delivers each event to every listener, in publish order', () => {
    const bus = new MemoryServerEventBus();
    const a: ServerEvent[] = [];
    const b: ServerEvent[] = [];
    bus.subscribe((e) => a.push(e));
    bus.subscribe((e) => b.push(e));
    bus.publish({ kind: 'tools_list_changed' });
    bus.publish({ kind: 'resource_updated', uri: 'file:///x', params: { note: 1 } });
    expect(a).toEqual([
      { kind: 'tools_list_changed' },
      { kind: 'resource_updated', uri: 'file:///x', params: { note: 1 } },
    ]);
    expect(b).toEqual(a);
  });

  it('unsubscribe is idempotent and stops delivery; the same function twice is two subscriptions', () => {
    const bus = new MemoryServerEventBus();
    let n = 0;
    const listener = () => n++;
    const off1 = bus.subscribe(listener);
    const off2 = bus.subscribe(listener);
    bus.publish({ kind: 'prompts_list_changed' });
    expect(n).toBe(2);
    off1();
    off1();
    bus.publish({ kind: 'prompts_list_changed' });
    expect(n).toBe(3);
    off2();
    expect(bus.listenerCount).toBe(0);
    bus.publish({ kind: 'prompts_list_changed' });
    expect(n).toBe(3);
  });

  it('a throwing listener is reported and the others still hear the event', () => {
    const errors: Error[] = [];
    const bus = new MemoryServerEventBus((e) => errors.push(e));
    const heard: string[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe((e) => heard.push(e.kind));
    bus.publish({ kind: 'resources_list_changed' });
    expect(heard).toEqual(['resources_list_changed']);
    expect(errors.map((e) => e.message)).toEqual(['boom']);
  });

  it('a listener removed by another during delivery is not called', () => {
    const bus = new MemoryServerEventBus();
    const calls: string[] = [];
    let offB = () => {};
    bus.subscribe(() => {
      calls.push('a');
      offB();
    });
    offB = bus.subscribe(() => calls.push('b'));
    bus.publish({ kind: 'tools_list_changed' });
    expect(calls).toEqual(['a']);
  });
});
