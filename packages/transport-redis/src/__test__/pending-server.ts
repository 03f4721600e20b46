/**
 * Test glue for the conformance suite, which wants both ends of a pair before either starts. Over
 * Redis the server end only exists once a worker has claimed the client's session, so this stands
 * in for it: callbacks set on it are forwarded to the real `RedisServerTransport` when the listener
 * yields it, and `send()` waits for it. Everything observable — messages, errors, `onclose`, the
 * second `start()` — comes from the real transport.
 */
import {
  TransportError,
  TransportErrorCode,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type Transport,
} from '@mcp-transports/core';

export class PendingServer implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  #real: Transport | undefined;
  #bind: ((transport: Transport) => void) | undefined;
  readonly #ready: Promise<Transport>;
  #state: 'new' | 'started' | 'closed' = 'new';

  constructor() {
    this.#ready = new Promise((resolve) => (this.#bind = resolve));
  }

  get sessionId(): string | undefined {
    return this.#real?.sessionId;
  }

  /** Called by the listener's onconnection. */
  attach(real: Transport): void {
    if (this.#state === 'closed') {
      // Closed before the worker's transport arrived: it is closed at once (the client is told).
      void real.close();
      return;
    }
    this.#real = real;
    real.onmessage = (message, extra) => this.onmessage?.(message, extra);
    real.onerror = (error) => this.onerror?.(error);
    real.onclose = () => {
      this.#state = 'closed';
      this.onclose?.();
    };
    this.#bind?.(real);
    void real.start();
  }

  async start(): Promise<void> {
    if (this.#state === 'new') {
      this.#state = 'started';
      return;
    }
    // A second start(): answered by the real transport (it rejects with ERR_ALREADY_STARTED).
    await (await this.#ready).start();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#state === 'new') throw new TransportError(TransportErrorCode.NotStarted, 'send() before start()');
    if (this.#state === 'closed' && this.#real === undefined)
      throw new TransportError(TransportErrorCode.Closed, 'closed');
    await (await this.#ready).send(message);
  }

  async close(): Promise<void> {
    if (this.#real !== undefined) return this.#real.close();
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.onclose?.();
  }
}
