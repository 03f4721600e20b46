/**
 * Newline framing for byte streams (stdio and anything like it): one JSON-RPC message per line
 * (ST-4).
 *
 * Linear in the bytes received: each chunk is scanned once for line breaks and decoded to text
 * once; a line that spans chunks is kept as a list of pieces and joined once when its newline
 * arrives. Nothing pending is ever re-copied or re-scanned per chunk (the SDK's `ReadBuffer`
 * concatenates and re-scans its whole buffer for every chunk, which is quadratic).
 */
import { createStreamingUtf8Decoder, utf8ByteLength } from './_utf8.js';
import { decodeMessage, encodeMessage } from './codec.js';
import { TransportError, TransportErrorCode } from './errors.js';
import type { JSONRPCMessage } from './jsonrpc.js';

/** 16 MiB: the largest message every transport of this project accepts unless told otherwise. */
export const DEFAULT_MAX_MESSAGE_BYTES: number = 16 * 1024 * 1024;

const NEWLINE = 0x0a;
const TAG = '[mcp-transports/core]';

export interface LineDecoderOptions {
  /** Receives each valid message, in order. */
  onmessage: (message: JSONRPCMessage) => void;
  /**
   * Receives non-fatal trouble: a line that is not JSON (`ERR_PARSE`), not a JSON-RPC message
   * (`ERR_INVALID_MESSAGE`), or longer than the limit (`ERR_MESSAGE_TOO_LARGE`). Decoding goes on
   * with the next line.
   */
  onerror: (error: TransportError) => void;
  /**
   * Largest line, in UTF-8 bytes without the line break. A longer line is reported as soon as it
   * passes the limit and the rest of it is discarded without being buffered.
   * @default 16 MiB
   */
  maxMessageBytes?: number;
}

/**
 * A streaming decoder: feed it chunks of any size with {@link LineDecoder.push}, call
 * {@link LineDecoder.end} at end of stream. `\r\n` and blank lines are accepted; UTF-8 characters
 * split across chunks are reassembled; invalid UTF-8 becomes U+FFFD (and then usually fails as
 * JSON, reported through `onerror`).
 *
 * Does NOT own the stream it reads: it never closes or pauses anything.
 */
export class LineDecoder {
  readonly #onmessage: (message: JSONRPCMessage) => void;
  readonly #onerror: (error: TransportError) => void;
  readonly #max: number;
  readonly #utf8 = createStreamingUtf8Decoder();
  /** Text of the current, unfinished line, in pieces. */
  #pieces: string[] = [];
  #pendingBytes = 0;
  /** The current line passed the limit: drop everything up to its newline. */
  #discarding = false;
  #ended = false;

  constructor(options: LineDecoderOptions) {
    this.#onmessage = options.onmessage;
    this.#onerror = options.onerror;
    this.#max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!(this.#max > 0)) throw new RangeError(`${TAG} maxMessageBytes must be a positive number, got ${this.#max}`);
  }

  /** Bytes of the unfinished line currently held (0 while discarding an over-limit line). */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Feeds one chunk. Messages and errors are delivered synchronously, in stream order. */
  push(chunk: Uint8Array | string): void {
    if (this.#ended) throw new Error(`${TAG} LineDecoder.push() after end()`);
    if (typeof chunk === 'string') {
      this.#pushText(chunk);
      return;
    }
    const text = this.#utf8.decode(chunk, { stream: true });
    let byteStart = 0;
    let textStart = 0;
    for (;;) {
      const byteEnd = chunk.indexOf(NEWLINE, byteStart);
      if (byteEnd === -1) break;
      // Each 0x0A byte decodes to exactly one "\n" and nothing else does, so the two scans agree.
      const textEnd = text.indexOf('\n', textStart);
      this.#line(text, textStart, textEnd, byteEnd - byteStart);
      byteStart = byteEnd + 1;
      textStart = textEnd + 1;
    }
    this.#partial(text, textStart, text.length, chunk.length - byteStart);
  }

  /** Ends the stream: a final line without a newline is still decoded. Idempotent. */
  end(): void {
    if (this.#ended) return;
    const tail = this.#utf8.decode();
    if (tail.length > 0) this.#partial(tail, 0, tail.length, utf8ByteLength(tail));
    this.#ended = true;
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    if (this.#pieces.length > 0) {
      const text = this.#pieces.join('');
      this.#pieces = [];
      this.#pendingBytes = 0;
      this.#emit(text);
    }
  }

  #pushText(text: string): void {
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end === -1) break;
      this.#line(text, start, end, this.#discarding ? 0 : utf8ByteLength(text.slice(start, end)));
      start = end + 1;
    }
    if (start < text.length) {
      const rest = text.slice(start);
      this.#partial(rest, 0, rest.length, this.#discarding ? 0 : utf8ByteLength(rest));
    }
  }

  /** A piece of text that ends the current line. */
  #line(text: string, start: number, end: number, bytes: number): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    if (this.#pendingBytes + bytes > this.#max) {
      this.#tooLarge(this.#pendingBytes + bytes);
      this.#discarding = false;
      return;
    }
    let line = text.slice(start, end);
    if (this.#pieces.length > 0) {
      this.#pieces.push(line);
      line = this.#pieces.join('');
      this.#pieces = [];
    }
    this.#pendingBytes = 0;
    this.#emit(line);
  }

  /** A piece of text that does not end the current line. */
  #partial(text: string, start: number, end: number, bytes: number): void {
    if (this.#discarding || start >= end) return;
    this.#pendingBytes += bytes;
    if (this.#pendingBytes > this.#max) {
      this.#tooLarge(this.#pendingBytes);
      return;
    }
    this.#pieces.push(start === 0 && end === text.length ? text : text.slice(start, end));
  }

  #tooLarge(seen: number): void {
    this.#pieces = [];
    this.#pendingBytes = 0;
    this.#discarding = true;
    this.#onerror(
      new TransportError(
        TransportErrorCode.MessageTooLarge,
        `${TAG} message exceeds maxMessageBytes (${this.#max} bytes; at least ${seen} received); it was discarded`,
      ),
    );
  }

  #emit(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (isBlank(line)) return;
    const result = decodeMessage(line);
    if (result.ok) this.#onmessage(result.message);
    else this.#onerror(result.error);
  }
}

/**
 * Frames one message for a byte stream: its JSON plus `\n`. `JSON.stringify` escapes every line
 * break inside strings, so the frame holds exactly one raw newline, at its end (ST-4).
 */
export function encodeLine(message: JSONRPCMessage): string {
  return `${encodeMessage(message)}\n`;
}

function isBlank(line: string): boolean {
  if (line.length === 0) return true;
  // Only whitespace lines are blank; checking the first char keeps the common case O(1).
  const first = line.charCodeAt(0);
  if (first !== 0x20 && first !== 0x09 && first !== 0x0d) return false;
  return line.trim().length === 0;
}
