import { describe, expect, it } from 'vitest';
import { parseHostPort, parseRedisTarget, parseServerArgs, UsageError } from './args.js';

describe('parseServerArgs', () => {
  it('combines every medium', () => {
    expect(
      parseServerArgs([
        '--stdio',
        '--http',
        '127.0.0.1:3000',
        '--ws',
        'localhost:0',
        '--redis',
        'redis://127.0.0.1:6379#jobs',
      ]),
    ).toEqual({
      stdio: true,
      help: false,
      http: { host: '127.0.0.1', port: 3000 },
      ws: { host: 'localhost', port: 0 },
      redis: { url: 'redis://127.0.0.1:6379', endpoint: 'jobs' },
    });
  });

  it('collects every --allow-origin', () => {
    expect(
      parseServerArgs([
        '--http',
        '127.0.0.1:0',
        '--allow-origin',
        'http://127.0.0.1:5173',
        '--allow-origin',
        'https://play.example.com',
      ]),
    ).toMatchObject({ allowedOrigins: ['http://127.0.0.1:5173', 'https://play.example.com'] });
    expect(parseServerArgs(['--http', '127.0.0.1:0'])).not.toHaveProperty('allowedOrigins');
  });

  it('requires at least one medium', () => {
    expect(() => parseServerArgs([])).toThrow(/at least one transport/);
  });

  it('accepts --help alone', () => {
    expect(parseServerArgs(['-h'])).toMatchObject({ help: true });
  });

  it.each([
    [['--bogus']],
    [['--http']],
    [['--stdio', 'extra']],
    [['--http', '3000']],
    [['--http', '127.0.0.1:70000']],
    [['--http', '127.0.0.1:']],
    [['--ws', 'host:port']],
    [['--redis', 'http://127.0.0.1:6379']],
    [['--redis', 'not a url']],
    [['--http', '127.0.0.1:0', '--allow-origin', '*']],
    [['--http', '127.0.0.1:0', '--allow-origin', 'http://127.0.0.1:5173/']],
    [['--http', '127.0.0.1:0', '--allow-origin', 'file:///tmp/page.html']],
    [['--stdio', '--allow-origin', 'http://127.0.0.1:5173']],
  ])('rejects %j with a UsageError', (argv) => {
    expect(() => parseServerArgs(argv)).toThrow(UsageError);
  });
});

describe('parseHostPort', () => {
  it('reads IPv6 in brackets', () => {
    expect(parseHostPort('--http', '[::1]:8080')).toEqual({ host: '::1', port: 8080 });
  });
});

describe('parseRedisTarget', () => {
  it('defaults the endpoint to "demo" and keeps credentials in the URL', () => {
    expect(parseRedisTarget('rediss://user:pw@example.com:6380/2')).toEqual({
      url: 'rediss://user:pw@example.com:6380/2',
      endpoint: 'demo',
    });
  });
});
