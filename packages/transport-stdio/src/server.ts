/**
 * The server side of stdio: reads newline-delimited JSON-RPC from stdin, writes it to stdout
 * (ST-2, ST-4). Closes when stdin ends or errors, or when stdout reports EPIPE, so a server whose
 * client is gone shuts down instead of lingering as an orphan.
 */
import type { Readable, Writable } from 'node:stream';
import { encodeLine, LineDecoder, toError, TransportError, TransportErrorCode } from '@mcp-transports/core';
import type { JSONRPCMessage, Transport, TransportSendOptions } from '@mcp-transports/core';
import { isErrno } from './_kill.js';
import { messageDecoder } from './_reader.js';
import { BatchingWriter } from './_writer.js';

const TAG = '[mcp-transports/stdio]';

/** Options of {@link StdioServerTransport}. */
export interface StdioServerTransportOptions {
  /** Where messages come from. @default process.stdin */
  stdin?: Readable | undefined;
  /** Where messages go. Nothing else may be written to it (ST-7); see `guardStdout()`. @default process.stdout */
  stdout?: Writable | undefined;
  /** Largest incoming message in UTF-8 bytes; a longer line is reported and skipped. @default 16 MiB */
  maxMessageBytes?: number | undefined;
  /**
   * End `stdout` on close, so the peer reading it sees end of stream. Leave it off for
   * `process.stdout`, which other code may still use for its (guarded) output. @default false
   */
  endOnClose?: boolean | undefined;
}

/** Why the server transport closed. */
export type StdioServerCloseReason = 'close' | 'stdin-end' | 'stdin-error' | 'stdout-error';

/**
 * Serves MCP on this process's stdin/stdout (or injected streams).
 *
 * Does NOT exit the process when it closes: pair it with `exitWhenClosed()` in a server CLI.
 */
export class StdioServerTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T) => void) | undefined;

  readonly #stdin: Readable;
  readonly #stdout: Writable;
  readonly #endOnClose: boolean;
  readonly #decoder: LineDecoder;
  readonly #writer: BatchingWriter;
  #state: 'new' | 'open' | 'closed' = 'new';
  #closeReason: StdioServerCloseReason | undefined;

  constructor(options: StdioServerTransportOptions = {}) {
    this.#stdin = options.stdin ?? process.stdin;
    this.#stdout = options.stdout ?? process.stdout;
    this.#endOnClose = options.endOnClose ?? false;
    this.#writer = new BatchingWriter(this.#stdout);
    this.#decoder = messageDecoder(
      options.maxMessageBytes,
      (message) => this.onmessage?.(message),
      (error) => {
        this.#report(error);
      },
    );
  }

  /** Why the transport closed, once it has. */
  get closeReason(): StdioServerCloseReason | undefined {
    return this.#closeReason;
  }

  /** Starts reading stdin. */
  start(): Promise<void> {
    if (this.#state !== 'new') {
      return Promise.reject(
        new TransportError(
          TransportErrorCode.AlreadyStarted,
          `${TAG} start() was called twice; note that the SDK's connect() calls start() for you`,
        ),
      );
    }
    this.#state = 'open';
    this.#stdin.on('data', this.#onData);
    this.#stdin.on('end', this.#onEnd);
    this.#stdin.on('error', this.#onStdinError);
    this.#stdin.on('close', this.#onStdinClose);
    this.#stdout.on('error', this.#onStdoutError);
    return Promise.resolve();
  }

  /** Writes one message to stdout; resolves once it is handed to the OS. */
  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.#state === 'new') {
      return Promise.reject(new TransportError(TransportErrorCode.NotStarted, `${TAG} send() before start()`));
    }
    if (this.#state === 'closed') {
      return Promise.reject(new TransportError(TransportErrorCode.Closed, `${TAG} send() after close`));
    }
    let line: string;
    try {
      line = encodeLine(message);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    return this.#writer.write(line);
  }

  /** Stops reading stdin (so the process can exit) and fires `onclose`. Idempotent. */
  close(): Promise<void> {
    this.#close('close');
    return Promise.resolve();
  }

  readonly #onData = (chunk: Buffer | string): void => {
    this.#decoder.push(chunk);
  };

  readonly #onEnd = (): void => {
    this.#decoder.end();
    this.#close('stdin-end');
  };

  /** Destroyed without an 'end' (a socket reset, a destroyed stream): the client is gone all the same. */
  readonly #onStdinClose = (): void => {
    this.#close('stdin-end');
  };

  readonly #onStdinError = (error: Error): void => {
    this.#report(error);
    this.#close('stdin-error');
  };

  readonly #onStdoutError = (error: Error): void => {
    // EPIPE: the client is gone. That is the normal way a stdio session ends, not an error.
    if (!isErrno(error, 'EPIPE')) this.#report(error);
    this.#close('stdout-error');
  };

  #close(reason: StdioServerCloseReason): void {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    this.#closeReason = reason;
    if (wasOpen) {
      // Write what was sent in this tick before detaching; a reply must not be lost to close().
      if (reason === 'close' || reason === 'stdin-end') this.#writer.flushNow();
      this.#stdin.off('data', this.#onData);
      this.#stdin.off('end', this.#onEnd);
      this.#stdin.off('error', this.#onStdinError);
      this.#stdin.off('close', this.#onStdinClose);
      // Paused with no listener, stdin no longer holds the event loop open.
      this.#stdin.pause();
      if (this.#endOnClose && reason !== 'stdout-error') this.#stdout.end();
      // Keep a listener: a late EPIPE must not become an uncaught exception.
      this.#stdout.off('error', this.#onStdoutError);
      this.#stdout.on('error', ignoreLateError);
    }
    this.#writer.fail(new TransportError(TransportErrorCode.Closed, `${TAG} the transport is closed (${reason})`));
    this.onclose?.();
  }

  #report(error: unknown): void {
    this.onerror?.(toError(error));
  }
}

function ignoreLateError(): void {
  // After close the peer is gone or we stopped caring; the error was already handled by closing.
}
