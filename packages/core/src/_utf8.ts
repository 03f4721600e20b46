/**
 * UTF-8 helpers on the web-platform globals (`TextDecoder`, `TextEncoder`), which exist in Node,
 * browsers, Deno, Bun and edge runtimes alike. Core never touches `Buffer`.
 */

/** The part of `TextDecoder` we use (spelled out: under Node's types `TextDecoder` is no type name). */
export interface Utf8Decoder {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

/** A streaming UTF-8 decoder that replaces invalid sequences with U+FFFD and keeps a byte order mark. */
export function createStreamingUtf8Decoder(): Utf8Decoder {
  return new TextDecoder('utf-8', { ignoreBOM: true });
}

const lenientUtf8: Utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });
/**
 * Decodes complete UTF-8 (not a stream: no state between calls), replacing invalid sequences with
 * U+FFFD instead of throwing, and keeping a byte order mark as U+FEFF.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  return lenientUtf8.decode(bytes);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** Decodes UTF-8, throwing a `TypeError` on an invalid sequence (JR-1). */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  return strictUtf8.decode(bytes);
}

const encoder = new TextEncoder();
/** Encodes a string as UTF-8 bytes. */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * UTF-8 byte length of a string without allocating. A lone surrogate counts 3 bytes, as
 * `TextEncoder` writes it as U+FFFD.
 */
export function utf8ByteLength(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        // A surrogate pair: two UTF-16 units, four bytes.
        bytes += 2;
        i++;
        continue;
      }
    }
    bytes += 2;
  }
  return bytes;
}
