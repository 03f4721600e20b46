/**
 * Writes framed messages to a byte stream, respecting backpressure.
 *
 * The first message of a tick is written at once; the messages sent after it in the same tick are
 * joined into one `write()` at the end of the tick (a pipelined burst of 10k messages costs a
 * handful of syscalls, not 10k) and their `send()` calls share one promise. When the stream's
 * buffer is full we wait for one 'drain' with one listener, however many sends are waiting: the
 * SDK adds a `once('drain')` per send, which piles up listeners (and MaxListenersExceeded
 * warnings) under load.
 */
import type { Writable } from 'node:stream';

/** The messages of one write: one promise shared by all of them (10k sends, one allocation). */
interface Batch {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function batch(): Batch {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Where `guardStdout()` keeps the real `process.stdout.write`, so the wire bypasses the guard. */
export const WIRE_WRITE: unique symbol = Symbol.for('@mcp-transports/stdio.wireWrite') as never;

type WriteFn = (chunk: string, callback: (error?: Error | null) => void) => boolean;

export class BatchingWriter {
  readonly #stream: Writable;
  #texts: string[] = [];
  #batch: Batch | undefined;
  #scheduled = false;
  #waitingForDrain = false;
  #failure: Error | undefined;

  constructor(stream: Writable) {
    this.#stream = stream;
  }

  /** Queues `text`; resolves once it has been written to the stream (handed to the OS). */
  write(text: string): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    this.#texts.push(text);
    const pending = (this.#batch ??= batch());
    if (!this.#scheduled && !this.#waitingForDrain) {
      // The first send of a tick is written at once (a lone request waits for nothing); the rest
      // of the tick's sends are joined into one write at its end (a burst costs few syscalls).
      this.#scheduled = true;
      queueMicrotask(this.#endOfTick);
      this.#flush();
    }
    return pending.promise;
  }

  readonly #endOfTick = (): void => {
    this.#scheduled = false;
    if (!this.#waitingForDrain) this.#flush();
  };

  /** Writes whatever is queued now, ignoring backpressure (used on close, so nothing is dropped). */
  flushNow(): void {
    this.#waitingForDrain = false;
    this.#flush();
  }

  /** Rejects everything queued and every later write with `error`. */
  fail(error: Error): void {
    this.#failure ??= error;
    const pending = this.#batch;
    this.#texts = [];
    this.#batch = undefined;
    pending?.reject(error);
  }

  #flush(): void {
    if (this.#texts.length === 0 || this.#failure !== undefined) return;
    const texts = this.#texts;
    const pending = this.#batch as Batch;
    this.#texts = [];
    this.#batch = undefined;
    const chunk = texts.length === 1 ? (texts[0] as string) : texts.join('');
    const stream = this.#stream as Writable & { [WIRE_WRITE]?: WriteFn };
    const write: WriteFn = stream[WIRE_WRITE] ?? ((c, cb) => stream.write(c, cb));
    let ok: boolean;
    try {
      ok = write.call(stream, chunk, (error) => {
        if (error) pending.reject(error);
        else pending.resolve();
      });
    } catch (error) {
      // write() throws synchronously after destroy() on some Node versions.
      pending.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (!ok) {
      this.#waitingForDrain = true;
      stream.once('drain', () => {
        if (!this.#waitingForDrain) return;
        this.#waitingForDrain = false;
        this.#flush();
      });
    }
  }
}
