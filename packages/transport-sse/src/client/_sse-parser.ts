/**
 * A linear Server-Sent Events parser (WHATWG HTML §9.2.6): CRLF, LF and CR line ends (also split
 * across chunks), multi-line `data`, comments, `id` (ignored when it contains NUL), `retry`
 * (digits only), a leading BOM. Each byte is scanned once: a partial line is kept as a list of
 * pieces and joined only when its end arrives, so one huge event cut into tiny chunks costs
 * O(size), not O(size²).
 *
 * Bounded: an event whose data passes `maxEventBytes` is dropped (reported once through
 * `onOversize`) and the parser skips to the blank line that ends it; later events still arrive.
 */
import { utf8ByteLength } from '@mcp-transports/core';

export interface SseEvent {
  /** The `event` field, `message` when absent. */
  event: string;
  /** The data lines joined with `\n`. */
  data: string;
  /** The last event id seen on this stream so far (`''` when none). */
  id: string;
}

export interface SseParserOptions {
  maxEventBytes: number;
  onEvent: (event: SseEvent) => void;
  onRetry?: (ms: number) => void;
  /** The last event id changed (an event with a new `id` was completed), before its `onEvent`. */
  onLastEventId?: (id: string) => void;
  onOversize?: (bytes: number) => void;
}

const LF = 10;

export class SseParser {
  /**
   * The last event id string: the `id` of the last event completed by its blank line (with or
   * without data). An `id` field of an event cut off by a drop does not count, so resuming from
   * here never skips that event.
   */
  lastEventId = '';
  #idBuffer: string | undefined;
  readonly #options: SseParserOptions;
  readonly #decoder = new TextDecoder();
  #pieces: string[] = [];
  #pendingChars = 0;
  /** The previous chunk ended with CR: a LF at the start of the next one belongs to it. */
  #afterCR = false;
  /** The current line was too long and its start was dropped: ignore the line when it ends. */
  #droppingLine = false;
  #data: string[] = [];
  #dataBytes = 0;
  #eventType = '';
  /** The current event went over the limit: ignore its fields up to the blank line. */
  #skipping = false;

  constructor(options: SseParserOptions) {
    this.#options = options;
  }

  push(chunk: Uint8Array): void {
    this.#feed(this.#decoder.decode(chunk, { stream: true }));
  }

  /** The stream ended. An event without its closing blank line is discarded, as browsers do. */
  end(): void {
    this.#feed(this.#decoder.decode());
  }

  #feed(text: string): void {
    const n = text.length;
    let start = 0;
    if (this.#afterCR && n > 0) {
      this.#afterCR = false;
      if (text.charCodeAt(0) === LF) start = 1;
    }
    let nextLF = text.indexOf('\n', start);
    let nextCR = text.indexOf('\r', start);
    while (nextLF !== -1 || nextCR !== -1) {
      const isCR = nextCR !== -1 && (nextLF === -1 || nextCR < nextLF);
      const end = isCR ? nextCR : nextLF;
      let line = text.slice(start, end);
      if (this.#pieces.length > 0) {
        this.#pieces.push(line);
        line = this.#pieces.join('');
        this.#pieces = [];
        this.#pendingChars = 0;
      }
      if (this.#droppingLine) this.#droppingLine = false;
      else this.#line(line);
      start = end + 1;
      if (isCR) {
        if (start < n) {
          if (text.charCodeAt(start) === LF) start++;
        } else {
          this.#afterCR = true;
        }
      }
      if (nextLF !== -1 && nextLF < start) nextLF = text.indexOf('\n', start);
      if (nextCR !== -1 && nextCR < start) nextCR = text.indexOf('\r', start);
    }
    if (start < n && !this.#droppingLine) {
      this.#pieces.push(start === 0 ? text : text.slice(start));
      this.#pendingChars += n - start;
      // Each UTF-16 unit is at least one UTF-8 byte, so this count never over-reports.
      if (this.#pendingChars + this.#dataBytes > this.#options.maxEventBytes) {
        this.#pieces = [];
        this.#pendingChars = 0;
        this.#droppingLine = true;
        this.#overflow();
      }
    }
  }

  #line(line: string): void {
    if (line === '') {
      this.#dispatch();
      return;
    }
    if (this.#skipping || line.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    switch (field) {
      case 'data':
        this.#data.push(value);
        this.#dataBytes += utf8ByteLength(value) + 1;
        if (this.#dataBytes > this.#options.maxEventBytes) this.#overflow();
        break;
      case 'event':
        this.#eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.#idBuffer = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.#options.onRetry?.(Number(value));
        break;
      default:
      // Unknown fields are ignored (WHATWG HTML §9.2.6).
    }
  }

  #overflow(): void {
    if (this.#skipping) return;
    const bytes = this.#dataBytes + this.#pendingChars;
    this.#skipping = true;
    this.#data = [];
    this.#dataBytes = 0;
    this.#options.onOversize?.(bytes);
  }

  #dispatch(): void {
    if (this.#idBuffer !== undefined && this.#idBuffer !== this.lastEventId) {
      this.lastEventId = this.#idBuffer;
      this.#options.onLastEventId?.(this.lastEventId);
    }
    const { length } = this.#data;
    const data = length === 1 ? (this.#data[0] as string) : this.#data.join('\n');
    const event = this.#eventType === '' ? 'message' : this.#eventType;
    const skipped = this.#skipping;
    this.#data = [];
    this.#dataBytes = 0;
    this.#eventType = '';
    this.#skipping = false;
    if (skipped || length === 0) return;
    this.#options.onEvent({ event, data, id: this.lastEventId });
  }
}
