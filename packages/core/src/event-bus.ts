/**
 * The change-event seam behind 2026-07-28 `subscriptions/listen` (M26 section H): a server
 * publishes "the tool list changed" or "this resource was updated" once, and every open listen
 * stream — on this process or, with a shared bus such as Redis, on any node — hears it.
 *
 * {@link ServerEventBus} is structurally identical to the official SDK v2's `ServerEventBus`, so a
 * bus of ours can be handed to `createMcpHandler({ bus })` and one of the SDK's to our server.
 * A bus only sources events; the listen stream owns the wire (ack, filtering, subscription ids).
 */
import type { JSONRPCNotification } from './jsonrpc.js';

/** One change event; `params` are forwarded into the notification the listen stream sends. */
export type ServerEvent = (
  | { kind: 'tools_list_changed' }
  | { kind: 'prompts_list_changed' }
  | { kind: 'resources_list_changed' }
  | { kind: 'resource_updated'; uri: string }
) & {
  params?: JSONRPCNotification['params'];
};

/** Publishes change events to every registered listener. */
export interface ServerEventBus {
  /** Delivers `event` to every registered listener (never back into a listener that is publishing). */
  publish(event: ServerEvent): void;
  /** Registers a listener; the returned function unsubscribes it and is idempotent. */
  subscribe(listener: (event: ServerEvent) => void): () => void;
}

/**
 * An in-process {@link ServerEventBus}: `publish()` delivers synchronously to the listeners
 * registered at that moment. A listener that throws is reported to `onerror` and does not stop
 * delivery to the others; a listener may unsubscribe itself (or another) during delivery.
 */
export class MemoryServerEventBus implements ServerEventBus {
  readonly #listeners = new Set<(event: ServerEvent) => void>();
  readonly #onerror: ((error: Error) => void) | undefined;

  constructor(onerror?: (error: Error) => void) {
    this.#onerror = onerror;
  }

  publish(event: ServerEvent): void {
    for (const listener of [...this.#listeners]) {
      if (!this.#listeners.has(listener)) continue;
      try {
        listener(event);
      } catch (error) {
        this.#onerror?.(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  subscribe(listener: (event: ServerEvent) => void): () => void {
    // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
    const entry = (event: ServerEvent) => {
      listener(event);
    };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** How many listeners are registered (for tests and leak checks). */
  get listenerCount(): number {
    return this.#listeners.size;
  }
}
