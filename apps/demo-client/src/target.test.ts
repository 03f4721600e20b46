import { describe, expect, it } from 'vitest';
import { parseTarget, splitCommand, TargetError } from './target.js';

describe('parseTarget', () => {
  it('reads a command line as a stdio target', () => {
    expect(parseTarget('node "my server.js" --stdio')).toEqual({
      kind: 'stdio',
      command: 'node',
      args: ['my server.js', '--stdio'],
    });
  });

  it.each([
    ['http://127.0.0.1:3000/mcp', 'http'],
    ['https://example.com/mcp', 'http'],
    ['ws://127.0.0.1:3001/mcp', 'ws'],
    ['WSS://example.com/mcp', 'ws'],
  ])('reads %s as %s', (value, kind) => {
    expect(parseTarget(value).kind).toBe(kind);
  });

  it('reads a Redis target with its endpoint after "#"', () => {
    expect(parseTarget('redis://127.0.0.1:6379/0#jobs')).toEqual({
      kind: 'redis',
      url: 'redis://127.0.0.1:6379/0',
      endpoint: 'jobs',
    });
  });

  it.each([
    [''],
    ['   '],
    ['redis://127.0.0.1:6379'],
    ['ftp://example.com'],
    ['http://exa mple.com'],
    ['node "unterminated'],
  ])('rejects %j with a TargetError', (value) => {
    expect(() => parseTarget(value)).toThrow(TargetError);
  });
});

describe('splitCommand', () => {
  it('honours quotes and escapes', () => {
    expect(splitCommand(`a 'b c' "d \\"e\\"" f\\ g ''`)).toEqual(['a', 'b c', 'd "e"', 'f g', '']);
  });
});
