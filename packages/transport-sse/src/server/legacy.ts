/**
 * The server side of one legacy HTTP+SSE session (protocol 2024-11-05): the client holds a GET
 * stream, learns from its first `endpoint` event where to POST (LS-4, LS-5), and every server
 * message comes back as an SSE `message` event on that stream (LS-7). The session ends when the
 * stream does; `onclose` fires once.
 */
import {
  TransportError,
  TransportErrorCode,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type Transport,
  type TransportSendOptions,
} from '@mcp-transports/core';
import type { SseSink } from './_exchange.js';
import { sseData, TAG } from './_http.js';
import { SessionLifecycle } from './_lifecycle.js';
import type { SinkRegistry } from './session.js';

/** @internal What the listener gives each legacy session. */
export interface LegacySessionInit {
  sessionId: string;
  sink: SseSink;
  /** Where the client POSTs, sent in the `endpoint` event. */
  endpoint: string;
  /** Largest outgoing message, in UTF-8 bytes of its JSON. */
  maxMessageBytes: number;
  sinks: SinkRegistry;
  onEnd: (transport: SSEServerTransport) => void;
}

/**
 * One legacy HTTP+SSE session's server transport. Created by `StreamableHTTPListener` (which
 * serves both transports from one place) and handed to `onconnection`.
 */
export class SSEServerTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  readonly sessionId: string;
  /** @internal The principal that opened the stream (auth binding, SEC-4). */
  principal: string | undefined;
  /** @internal */
  lastActivity: number = Date.now();

  readonly #life = new SessionLifecycle(this);
  readonly #init: LegacySessionInit;

  /** @internal */
  constructor(init: LegacySessionInit) {
    this.#init = init;
    this.sessionId = init.sessionId;
    init.sinks.add(init.sink);
    init.sink.onabort = () => void this.close();
    init.sink.write(`event: endpoint\ndata: ${init.endpoint}\n\n`);
  }

  /** @internal */
  get closed(): boolean {
    return this.#life.state === 'closed';
  }

  start(): Promise<void> {
    return this.#life.start();
  }

  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    const data = this.#life.encode(message, this.#init.maxMessageBytes);
    if (typeof data !== 'string') return Promise.reject(data);
    if (!this.#init.sink.write(sseData(data))) {
      return Promise.reject(new TransportError(TransportErrorCode.Closed, `${TAG} send() after the session ended`));
    }
    return Promise.resolve();
  }

  /** @internal A validated POST's messages. */
  receive(messages: readonly JSONRPCMessage[], extra: MessageExtraInfo): void {
    this.lastActivity = Date.now();
    for (const message of messages) this.#life.deliver(message, extra);
  }

  close(): Promise<void> {
    if (!this.#life.close()) return Promise.resolve();
    this.#init.sinks.delete(this.#init.sink);
    this.#init.sink.end();
    this.#init.onEnd(this);
    this.onclose?.();
    return Promise.resolve();
  }
}
