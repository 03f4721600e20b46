import { describe, expect, it } from 'vitest';
import { connect, exampleArguments, kindOfUrl } from './session.js';

describe('kindOfUrl', () => {
  it.each([
    ['http://127.0.0.1:3000/mcp', 'http'],
    ['HTTPS://example.com/mcp', 'http'],
    ['ws://127.0.0.1:3001/mcp', 'ws'],
    ['wss://example.com/mcp', 'ws'],
    ['ftp://example.com', undefined],
    ['127.0.0.1:3000', undefined],
  ] as const)('%s → %s', (url, kind) => {
    expect(kindOfUrl(url)).toBe(kind);
  });
});

describe('connect refuses a URL before touching the network', () => {
  it.each([
    ['http', 'not a url', /"not a url" is not a URL/],
    ['http', 'ws://127.0.0.1:1/mcp', /Streamable HTTP needs a URL starting with http:\/\/ or https:\/\//],
    ['ws', 'http://127.0.0.1:1/mcp', /WebSocket needs a URL starting with ws:\/\/ or wss:\/\//],
  ] as const)('%s with %s', async (kind, url, message) => {
    await expect(connect(kind, url)).rejects.toThrow(message);
  });
});

describe('exampleArguments', () => {
  it('takes defaults, and examples for required properties only', () => {
    expect(
      exampleArguments({
        inputSchema: {
          type: 'object',
          properties: {
            text: { type: 'string' },
            steps: { type: 'integer', default: 5 },
            flag: { type: 'boolean' },
            optional: { type: 'string' },
          },
          required: ['text', 'flag'],
        },
      }),
    ).toEqual({ text: 'Hello from the browser', steps: 5, flag: false });
  });

  it('gives {} for a tool without properties', () => {
    expect(exampleArguments({ inputSchema: { type: 'object' } })).toEqual({});
  });
});
