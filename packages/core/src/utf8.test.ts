import { describe, expect, it } from 'vitest';
import { utf8ByteLength } from './index.js';

const encoded = (text: string): number => new TextEncoder().encode(text).length;

describe('utf8ByteLength', () => {
  // Every length must agree with what TextEncoder writes, lone surrogates (written as U+FFFD, 3
  // bytes) included: transports compare it with maxMessageBytes.
  const pieces = ['a', 'é', '€', '😀', '\uD800', '\uDC00', '\uD800a', 'a\uDBFF', '\uDC00\uD800'];
  for (const piece of pieces) {
    for (const repeat of [1, 3, 300]) {
      const text = piece.repeat(repeat);
      it(`counts ${JSON.stringify(piece)} × ${repeat} as TextEncoder writes it`, () => {
        expect(utf8ByteLength(text)).toBe(encoded(text));
      });
    }
  }

  it('counts a mixed 10 MB string as TextEncoder writes it', () => {
    const text = `${'x'.repeat(5_000_000)}é😀\uD800${'€'.repeat(1_000_000)}`;
    expect(utf8ByteLength(text)).toBe(encoded(text));
  });
});
