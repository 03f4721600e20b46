/**
 * Newline framing for byte streams (stdio and anything like it): one JSON-RPC message per line
 * (ST-4).
 *
 * Linear in the bytes received: each chunk is scanned once for line breaks; the complete lines of
 * a chunk are decoded to text with one call. A line that spans chunks is kept as a list of byte
 * pieces (views of the chunks, off the JS heap) and joined and decoded once when its newline
 * arrives, so a 50 MB message costs one copy and one decode, as collecting it would. Nothing
 * pending is ever re-copied or re-scanned per chunk (the SDK's `ReadBuffer` concatenates and
 * re-scans its whole buffer for every chunk, which is quadratic).
 */
import { createStreamingUtf8Decoder, decodeUtf8, utf8ByteLength } from './_utf8.js';
import { decodeMessage, encodeMessage } from './codec.js';
import { TransportError, TransportErrorCode } from './errors.js';
import type { JSONRPCMessage } from './jsonrpc.js';

/** 16 MiB: the largest message every transport of this project accepts unless told otherwise. */
export const DEFAULT_MAX_MESSAGE_BYTES: number = 16 * 1024 * 1024;

const NEWLINE = 0x0a;
/** Byte pieces shorter than this are copied into a shared stage instead of kept as views. */
const SMALL_PIECE = 1024;
const STAGE_BYTES = 16 * 1024;
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
  /** The current, unfinished line, in pieces: bytes as received (or text, from string chunks). */
  #pieces: (Uint8Array | string)[] = [];
  /**
   * Small byte pieces of the current line, copied together (a slow writer can send a line a few
   * bytes per chunk: a view per piece would cost an object per few bytes). Moved into `#pieces`,
   * in order, before anything else is added there.
   */
  #stage: Uint8Array | undefined;
  #staged = 0;
  #pendingBytes = 0;
  /** The current line passed the limit: drop everything up to its newline. */
  #discarding = false;
  #ended = false;
  #first = true;

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

  /**
   * Feeds one chunk. Messages and errors are delivered synchronously, in stream order. The bytes
   * of an unfinished line are kept as a view of `chunk` until its newline arrives: do not reuse a
   * chunk's memory after pushing it (Node streams and web streams never do).
   */
  push(chunk: Uint8Array | string): void {
    if (this.#ended) throw new Error(`${TAG} LineDecoder.push() after end()`);
    if (typeof chunk === 'string') {
      this.#pushText(chunk);
      return;
    }
    let byteStart = 0;
    let byteEnd = chunk.indexOf(NEWLINE);
    if (byteEnd === -1) {
      this.#partial(chunk, chunk.length);
      return;
    }
    if (this.#hasPending() || this.#discarding) {
      // The first line ends one that began in an earlier chunk.
      this.#end(chunk.subarray(0, byteEnd), byteEnd);
      byteStart = byteEnd + 1;
      byteEnd = chunk.indexOf(NEWLINE, byteStart);
    }
    if (byteEnd !== -1) {
      // Every other complete line of the chunk: one decode for all of them. Each 0x0A byte decodes
      // to exactly one "\n" and nothing else does, so the byte and text scans agree.
      const last = chunk.lastIndexOf(NEWLINE);
      const text = decodeUtf8(chunk.subarray(byteStart, last));
      let textStart = 0;
      for (;;) {
        const textEnd = byteEnd === last ? text.length : text.indexOf('\n', textStart);
        this.#end(text.slice(textStart, textEnd), byteEnd - byteStart);
        byteStart = byteEnd + 1;
        if (byteEnd === last) break;
        textStart = textEnd + 1;
        byteEnd = chunk.indexOf(NEWLINE, byteStart);
      }
    }
    if (byteStart < chunk.length) this.#partial(chunk.subarray(byteStart), chunk.length - byteStart);
  }

  /** Ends the stream: a final line without a newline is still decoded. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    if (this.#hasPending()) {
      const text = this.#takePieces();
      this.#pendingBytes = 0;
      this.#emit(text);
    }
  }

  #pushText(text: string): void {
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end === -1) break;
      const line = text.slice(start, end);
      this.#end(line, this.#discarding ? 0 : utf8ByteLength(line));
      start = end + 1;
    }
    if (start < text.length) {
      const rest = text.slice(start);
      this.#partial(rest, this.#discarding ? 0 : utf8ByteLength(rest));
    }
  }

  /** A piece (text, or bytes of a chunk) that ends the current line. */
  #end(piece: string | Uint8Array, bytes: number): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    if (this.#pendingBytes + bytes > this.#max) {
      this.#tooLarge(this.#pendingBytes + bytes);
      this.#discarding = false;
      return;
    }
    let line: string;
    if (!this.#hasPending()) line = typeof piece === 'string' ? piece : decodeUtf8(piece);
    else {
      this.#seal();
      this.#pieces.push(piece);
      line = this.#takePieces();
    }
    this.#pendingBytes = 0;
    this.#emit(line);
  }

  /** A piece (text, or bytes of a chunk) that does not end the current line. */
  #partial(piece: string | Uint8Array, bytes: number): void {
    if (this.#discarding || piece.length === 0) return;
    this.#pendingBytes += bytes;
    if (this.#pendingBytes > this.#max) {
      this.#tooLarge(this.#pendingBytes);
      return;
    }
    if (typeof piece !== 'string' && piece.length < SMALL_PIECE) {
      this.#stageBytes(piece);
      return;
    }
    this.#seal();
    this.#pieces.push(piece);
  }

  #hasPending(): boolean {
    return this.#pieces.length > 0 || this.#staged > 0;
  }

  #stageBytes(piece: Uint8Array): void {
    if (this.#stage === undefined || this.#staged + piece.length > this.#stage.length) {
      this.#seal();
      this.#stage = new Uint8Array(STAGE_BYTES);
    }
    this.#stage.set(piece, this.#staged);
    this.#staged += piece.length;
  }

  /** Moves the staged bytes into `#pieces` (copied to their size when the stage is mostly empty). */
  #seal(): void {
    if (this.#stage === undefined || this.#staged === 0) return;
    const used = this.#stage.subarray(0, this.#staged);
    this.#pieces.push(this.#staged * 2 < this.#stage.length ? used.slice() : used);
    this.#stage = undefined;
    this.#staged = 0;
  }

  /** The text of the pending pieces (emptied); see `decodePieces`. */
  #takePieces(): string {
    this.#seal();
    const pieces = this.#pieces;
    this.#pieces = [];
    let text = '';
    let run: Uint8Array[] = [];
    for (const piece of pieces) {
      if (typeof piece !== 'string') {
        run.push(piece);
        continue;
      }
      // A line fed partly as text and partly as bytes (unusual): each run of bytes decoded whole.
      if (run.length > 0) text += decodePieces(run);
      run = [];
      text += piece;
    }
    if (run.length > 0) text += decodePieces(run);
    return text;
  }

  #tooLarge(seen: number): void {
    this.#pieces = [];
    this.#stage = undefined;
    this.#staged = 0;
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
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.#first) {
      // A byte order mark may open the stream (never a message): skipped, as a UTF-8 decoder would.
      this.#first = false;
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    }
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

/**
 * The text of a line held as several byte pieces. Mostly-ASCII text (JSON's usual case) decodes
 * fastest joined and decoded in one call; text full of non-ASCII characters decodes about twice as
 * fast piece by piece (a streaming decode carries characters split between pieces) and joined as
 * text. The first piece tells which it is.
 */
function decodePieces(pieces: readonly Uint8Array[]): string {
  const first = pieces[0] as Uint8Array;
  if (pieces.length === 1) return decodeUtf8(first);
  if (isAscii(first)) return decodeUtf8(concatBytes(pieces));
  const decoder = createStreamingUtf8Decoder();
  const texts: string[] = [];
  for (const piece of pieces) texts.push(decoder.decode(piece, { stream: true }));
  texts.push(decoder.decode());
  return texts.join('');
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) >= 0x80) return false;
  return true;
}

function concatBytes(pieces: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const piece of pieces) {
    bytes.set(piece, offset);
    offset += piece.length;
  }
  return bytes;
}

function isBlank(line: string): boolean {
  if (line.length === 0) return true;
  // Only whitespace lines are blank; checking the first char keeps the common case O(1).
  const first = line.charCodeAt(0);
  if (first !== 0x20 && first !== 0x09 && first !== 0x0d) return false;
  return line.trim().length === 0;
}
