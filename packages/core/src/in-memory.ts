/**
 * Two linked transports in one process, keeping every lifecycle rule of the contract. For tests,
 * and for running an MCP client and server in one process.
 *
 * Each message is encoded to JSON and decoded again on the way, as on a real wire: the receiver
 * gets its own copy (a handler that mutates a message cannot reach into the sender's objects),
 * values JSON cannot carry are refused at `send()`, and `maxMessageBytes` applies.
 */
import { utf8ByteLength } from './_utf8.js';
import { decodeMessage, encodeMessage } from './codec.js';
import { TransportError, TransportErrorCode, toError } from './errors.js';
import type { JSONRPCMessage } from './jsonrpc.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './line-decoder.js';
import type { AuthInfo, MessageExtraInfo, Transport, TransportSendOptions } from './transport.js';

const TAG = '[mcp-transports/core]';
/** Messages held for a peer that has not called `start()` yet. */
const MAX_EARLY_MESSAGES = 10_000;

export interface InMemoryPairOptions {
  /**
   * Largest message, in UTF-8 bytes of its JSON; a larger one makes `send()` reject with
   * `ERR_MESSAGE_TOO_LARGE`.
   * @default 16 MiB
   */
  maxMessageBytes?: number;
  /** Delivered as `extra.authInfo` with every message the server side receives. @default undefined */
  authInfo?: AuthInfo;
}

type State = 'new' | 'started' | 'closed';

/** One end of an in-memory pair. Create pairs with {@link createInMemoryPair}. */
export class InMemoryTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  sessionId?: string | undefined;

  #state: State = 'new';
  #peer: InMemoryTransport | undefined;
  /** Messages that arrived before `start()`; delivered, in order, once started. */
  #early: JSONRPCMessage[] = [];
  readonly #max: number;
  readonly #extra: MessageExtraInfo | undefined;

  /** @internal Use {@link createInMemoryPair}. */
  constructor(maxMessageBytes: number, extra: MessageExtraInfo | undefined) {
    this.#max = maxMessageBytes;
    this.#extra = extra;
  }

  /** @internal */
  static link(a: InMemoryTransport, b: InMemoryTransport): void {
    a.#peer = b;
    b.#peer = a;
  }

  start(): Promise<void> {
    if (this.#state === 'started') {
      return Promise.reject(
        new TransportError(
          TransportErrorCode.AlreadyStarted,
          `${TAG} InMemoryTransport already started; the SDK's connect() calls start() for you, so do not call it yourself`,
        ),
      );
    }
    if (this.#state === 'closed') {
      return Promise.reject(new TransportError(TransportErrorCode.Closed, `${TAG} InMemoryTransport is closed`));
    }
    this.#state = 'started';
    const early = this.#early;
    this.#early = [];
    for (const message of early) queueMicrotask(() => this.#deliver(message));
    return Promise.resolve();
  }

  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.#state === 'new') {
      return Promise.reject(new TransportError(TransportErrorCode.NotStarted, `${TAG} send() before start()`));
    }
    if (this.#state === 'closed') {
      return Promise.reject(new TransportError(TransportErrorCode.Closed, `${TAG} send() after the transport closed`));
    }
    let text: string;
    try {
      text = encodeMessage(message);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    // A JSON string's UTF-16 length bounds its UTF-8 length from below; count exactly only when close.
    if (text.length * 3 > this.#max && utf8ByteLength(text) > this.#max) {
      return Promise.reject(
        new TransportError(
          TransportErrorCode.MessageTooLarge,
          `${TAG} message of ${utf8ByteLength(text)} bytes exceeds maxMessageBytes (${this.#max})`,
        ),
      );
    }
    const decoded = decodeMessage(text);
    if (!decoded.ok) return Promise.reject(decoded.error);
    const peer = this.#peer;
    if (peer === undefined) return Promise.resolve();
    if (peer.#state === 'new') {
      // The peer has not started: hold the message for it, within a bound.
      if (peer.#early.length >= MAX_EARLY_MESSAGES) {
        return Promise.reject(
          new TransportError(
            TransportErrorCode.Backpressure,
            `${TAG} the peer has not started and already holds ${MAX_EARLY_MESSAGES} undelivered messages`,
          ),
        );
      }
      peer.#early.push(decoded.message);
      return Promise.resolve();
    }
    // Asynchronous delivery, in order (microtasks are FIFO): a handler never re-enters send().
    queueMicrotask(() => peer.#deliver(decoded.message));
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    this.#state = 'closed';
    this.#early = [];
    const peer = this.#peer;
    this.#peer = undefined;
    // The peer closes after every message already sent to it has been delivered, like a FIN.
    if (peer !== undefined) queueMicrotask(() => void peer.close());
    this.#fire(this.onclose);
    return Promise.resolve();
  }

  #deliver(message: JSONRPCMessage): void {
    if (this.#state !== 'started') return;
    const handler = this.onmessage;
    if (handler === undefined) return;
    try {
      if (this.#extra === undefined) handler(message);
      else handler(message, this.#extra);
    } catch (error) {
      this.#report(error);
    }
  }

  #fire(callback: (() => void) | undefined): void {
    if (callback === undefined) return;
    try {
      callback();
    } catch (error) {
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    const onerror = this.onerror;
    if (onerror === undefined) {
      // Nobody listens: rethrow asynchronously so the failure is visible, never swallowed.
      queueMicrotask(() => {
        throw toError(error);
      });
      return;
    }
    onerror(toError(error));
  }
}

/** Two linked transports: what `client` sends, `server` receives, and back. */
export function createInMemoryPair(options: InMemoryPairOptions = {}): {
  client: InMemoryTransport;
  server: InMemoryTransport;
} {
  const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const client = new InMemoryTransport(max, undefined);
  const server = new InMemoryTransport(
    max,
    options.authInfo === undefined ? undefined : { authInfo: options.authInfo },
  );
  InMemoryTransport.link(client, server);
  return { client, server };
}
