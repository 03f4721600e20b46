/**
 * The lifecycle every server-side session transport keeps (TC-1, TC-2, TC-5): start once, send
 * only while started, messages that arrive before `start()` held and delivered by it, a throwing
 * handler reported through `onerror`. Shared by the Streamable HTTP and the legacy session.
 */
import {
  encodeMessage,
  toError,
  TransportError,
  TransportErrorCode,
  utf8ByteLength,
  type JSONRPCMessage,
  type MessageExtraInfo,
} from '@mcp-transports/core';
import { TAG } from './_http.js';

interface Handlers {
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
}

/** @internal */
export class SessionLifecycle {
  state: 'new' | 'started' | 'closed' = 'new';
  #early: [JSONRPCMessage, MessageExtraInfo][] = [];
  readonly #handlers: Handlers;

  constructor(handlers: Handlers) {
    this.#handlers = handlers;
  }

  start(): Promise<void> {
    if (this.state === 'started') {
      return Promise.reject(
        new TransportError(
          TransportErrorCode.AlreadyStarted,
          `${TAG} transport already started; the SDK's connect() calls start() for you, so do not call it yourself`,
        ),
      );
    }
    if (this.state === 'closed') {
      return Promise.reject(new TransportError(TransportErrorCode.Closed, `${TAG} the session has ended`));
    }
    this.state = 'started';
    const early = this.#early;
    this.#early = [];
    for (const [message, extra] of early) this.deliver(message, extra);
    return Promise.resolve();
  }

  /** The outgoing message as JSON, or the error `send()` must reject with (wrong state, too large). */
  encode(message: JSONRPCMessage, maxMessageBytes: number): string | Error {
    if (this.state !== 'started') {
      return this.state === 'new'
        ? new TransportError(TransportErrorCode.NotStarted, `${TAG} send() before start()`)
        : new TransportError(TransportErrorCode.Closed, `${TAG} send() after the session ended`);
    }
    let data: string;
    try {
      data = encodeMessage(message);
    } catch (error) {
      return toError(error);
    }
    // Only a string of more than max / 3 UTF-16 units can exceed max UTF-8 bytes: count only then.
    if (data.length > maxMessageBytes / 3 && utf8ByteLength(data) > maxMessageBytes) {
      return new TransportError(
        TransportErrorCode.MessageTooLarge,
        `${TAG} message too large: ${utf8ByteLength(data)} bytes is over maxMessageBytes (${maxMessageBytes})`,
      );
    }
    return data;
  }

  deliver(message: JSONRPCMessage, extra: MessageExtraInfo): void {
    if (this.state === 'new') {
      this.#early.push([message, extra]);
      return;
    }
    if (this.state !== 'started') return;
    try {
      this.#handlers.onmessage?.(message, extra);
    } catch (error) {
      // A throwing handler is the application's bug, not the HTTP exchange's: report it (TC-5).
      this.#handlers.onerror?.(toError(error));
    }
  }

  /** Marks the session closed; false when it already was (close() is idempotent, TC-4). */
  close(): boolean {
    if (this.state === 'closed') return false;
    this.state = 'closed';
    this.#early = [];
    return true;
  }
}
