import { describe, expect, it } from 'vitest';
import { parseBridgeArgs, USAGE, UsageError } from './args.js';
import { runBridgeCli } from './main.js';

describe('parseBridgeArgs', () => {
  it('reads a command after --, with flags for the downstream', () => {
    const args = parseBridgeArgs([
      '--http',
      '127.0.0.1:0',
      '--ws',
      'localhost:8080',
      '--',
      'npx',
      '-y',
      'server',
      '--port',
      '1',
    ]);
    expect(args.upstream).toEqual({ kind: 'stdio', command: 'npx', args: ['-y', 'server', '--port', '1'] });
    expect(args.http).toEqual({ host: '127.0.0.1', port: 0 });
    expect(args.ws).toEqual({ host: 'localhost', port: 8080 });
    expect(args.stdio).toBe(false);
  });

  it('reads one quoted command line, URLs and Redis endpoints', () => {
    expect(parseBridgeArgs(['--stdio', 'node "my server.js" --x']).upstream).toEqual({
      kind: 'stdio',
      command: 'node',
      args: ['my server.js', '--x'],
    });
    expect(parseBridgeArgs(['--stdio', 'https://example.com/mcp']).upstream).toMatchObject({ kind: 'http' });
    expect(parseBridgeArgs(['--stdio', 'wss://example.com/mcp']).upstream).toMatchObject({ kind: 'ws' });
    expect(parseBridgeArgs(['--http', '127.0.0.1:0', 'redis://127.0.0.1:6379#tools']).upstream).toEqual({
      kind: 'redis',
      url: 'redis://127.0.0.1:6379',
      endpoint: 'tools',
    });
  });

  it('reads --redis with the endpoint default "bridge", --env, --cwd and --header', () => {
    expect(parseBridgeArgs(['--redis', 'redis://127.0.0.1:6379', '--', 'x']).redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      endpoint: 'bridge',
    });
    const args = parseBridgeArgs(['--stdio', '--env', 'A=1', '--env', 'B=x=y', '--cwd', '/tmp', '--', 'x']);
    expect(args.env).toEqual({ A: '1', B: 'x=y' });
    expect(args.cwd).toBe('/tmp');
    expect(parseBridgeArgs(['--stdio', '--header', 'Authorization: Bearer t', 'https://h/mcp']).headers).toEqual({
      authorization: 'Bearer t',
    });
  });

  it.each([
    [['--', 'x'], /choose at least one downstream transport/],
    [['--http', '127.0.0.1:0'], /name the upstream server/],
    [['--http', 'nope', '--', 'x'], /--http expects HOST:PORT/],
    [['--ws', '127.0.0.1:70000', '--', 'x'], /--ws expects HOST:PORT/],
    [['--redis', 'http://h', '--', 'x'], /--redis expects a redis:\/\/ or rediss:\/\/ URL/],
    [['--stdio', 'ftp://h/mcp'], /upstream: unsupported scheme "ftp:\/\/"/],
    [['--stdio', 'redis://127.0.0.1:6379'], /upstream: a Redis target names its endpoint after "#"/],
    [['--stdio', 'node "unterminated'], /upstream: unterminated " quote/],
    [['--stdio', 'https://h/mcp', 'extra'], /a URL upstream takes no further words/],
    [['--stdio', '--env', 'NOEQUALS', '--', 'x'], /--env expects KEY=VALUE/],
    [['--stdio', '--env', 'A=1', 'https://h/mcp'], /--env and --cwd apply to a command upstream only/],
    [['--stdio', '--header', 'no colon', 'https://h/mcp'], /--header expects "Name: value"/],
    [['--stdio', '--header', 'A: b', '--', 'x'], /--header applies to an http\(s\):\/\/ or ws\(s\):\/\/ upstream only/],
    [['--stdio', '--bogus', '--', 'x'], /Unknown option '--bogus'/],
    [['--http', '--', 'x'], /--http/],
  ])('refuses %j with a clear error', (argv, message) => {
    expect(() => parseBridgeArgs(argv)).toThrow(UsageError);
    expect(() => parseBridgeArgs(argv)).toThrow(message);
  });
});

describe('runBridgeCli', () => {
  const run = async (argv: string[]): Promise<{ code: number; stderr: string }> => {
    let stderr = '';
    const code = await runBridgeCli(argv, { stderr: { write: (text: string) => (stderr += text) } });
    return { code, stderr };
  };

  it('--help prints the usage and exits 0', async () => {
    const { code, stderr } = await run(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe(`${USAGE}\n`);
  });

  it('a usage error prints the reason and the usage, and exits 2', async () => {
    const { code, stderr } = await run(['--http', 'nope', '--', 'x']);
    expect(code).toBe(2);
    expect(stderr).toContain('[mcp-bridge] --http expects HOST:PORT');
    expect(stderr).toContain(USAGE);
  });

  it('a Redis downstream whose server is unreachable exits 1 naming it (after the 10 s connect timeout)', async () => {
    const { freePort } = await import('./_test-helpers.js');
    const port = await freePort(); // nothing listens there
    const { code, stderr } = await run(['--redis', `redis://127.0.0.1:${port}#x`, '--', 'x']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot reach Redis .*ECONNREFUSED/);
  });

  it('a listener that cannot start (port taken) exits 1 naming the cause', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const { code, stderr } = await run(['--ws', `127.0.0.1:${port}`, '--', 'x']);
      expect(code).toBe(1);
      expect(stderr).toMatch(/EADDRINUSE/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
