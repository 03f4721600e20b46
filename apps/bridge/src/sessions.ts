/** The open bridged sessions of one bridge process: one relay (and one upstream) per downstream session. */
import type { Transport } from '@mcp-transports/core';
import { Relay } from './relay.js';
import type { UpstreamFactory } from './upstream.js';

export class Sessions {
  readonly #createUpstream: UpstreamFactory;
  readonly #log: (line: string) => void;
  readonly #relays = new Set<Relay>();
  #next = 0;

  constructor(createUpstream: UpstreamFactory, log: (line: string) => void) {
    this.#createUpstream = createUpstream;
    this.#log = log;
  }

  /** Open sessions. */
  get size(): number {
    return this.#relays.size;
  }

  /**
   * Ties a new downstream session (not yet started) to a new upstream connection and starts both.
   * Announces `session N (<medium>) open: upstream <what>` and `session N closed` on the log.
   */
  open(downstream: Transport, medium: string): Relay {
    const id = ++this.#next;
    const log = (line: string): void => this.#log(`session ${id}: ${line}`);
    const upstream = this.#createUpstream();
    const relay = new Relay({
      downstream,
      upstream: upstream.transport,
      describeUpstreamClose: (error) => upstream.describeClose(error),
      log,
      onopen: () => this.#log(`session ${id} (${medium}) open: upstream ${upstream.describe()}`),
    });
    this.#relays.add(relay);
    void relay.closed.then(() => {
      this.#relays.delete(relay);
      this.#log(`session ${id} closed`);
    });
    relay.start().catch((error: unknown) => {
      log(`could not start: ${error instanceof Error ? error.message : String(error)}`);
      void relay.close();
    });
    return relay;
  }

  /** Closes every session, each with its upstream (child processes are gone when this resolves). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#relays].map((relay) => relay.close()));
  }
}
