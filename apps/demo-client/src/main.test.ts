import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from './connect.js';
import { findRedis, type DemoRedis } from './demo/redis.js';
import { serverCommand, startServerProcess, type ServerProcess } from './demo/server-process.js';
import { runClientCli } from './main.js';
import { parseTarget } from './target.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runClientCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

const quote = (word: string): string => `'${word}'`;
const stdioTarget = (): string => {
  const { command, args } = serverCommand(['--stdio']);
  return [command, ...args].map(quote).join(' ');
};

describe('demo-client against the demo server over HTTP and WebSocket', () => {
  let server: ServerProcess;
  let mcp: string;
  beforeAll(async () => {
    server = await startServerProcess(['--http', '127.0.0.1:0', '--ws', '127.0.0.1:0']);
    mcp = server.endpoints.get('streamable-http')!;
  });
  afterAll(async () => {
    await server.stop();
  });

  it('lists the tools (the default command)', async () => {
    const { code, stdout } = await run([mcp]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^echo — Returns its text unchanged\.$/m);
    expect(stdout).toMatch(/^largePayload — /m);
  });

  it('calls a tool with JSON arguments and prints text and structured content', async () => {
    const { code, stdout } = await run([mcp, 'call', 'add', '{"a":2,"b":3}']);
    expect(code).toBe(0);
    expect(stdout).toBe('5\n{"sum":5}\n');
  });

  it('exits 1 when the tool reports an error', async () => {
    const { code, stdout, stderr } = await run([mcp, 'call', 'test_error_handling']);
    expect(code).toBe(1);
    expect(stdout).toContain('intentionally returns an error');
    expect(stderr).toContain('returned an error');
  });

  it('[SH-54] falls back to legacy HTTP+SSE when Streamable HTTP is refused', async () => {
    const connection = await connect(parseTarget(server.endpoints.get('sse')!));
    try {
      expect(connection.medium).toBe('sse');
      expect((await connection.client.listTools()).tools.length).toBeGreaterThan(5);
    } finally {
      await connection.close();
    }
  });

  it('calls a tool over WebSocket', async () => {
    const { code, stdout } = await run([server.endpoints.get('ws')!, 'call', 'echo', '{"text":"over ws ✓"}']);
    expect(code).toBe(0);
    expect(stdout).toBe('over ws ✓\n');
  });

  it('uses Streamable HTTP when the server speaks it', async () => {
    const connection = await connect(parseTarget(mcp));
    expect(connection.medium).toBe('streamable-http');
    await connection.close();
  });
});

describe('demo-client over stdio', () => {
  it('spawns the command, calls a tool and ends the child', async () => {
    const { code, stdout } = await run([stdioTarget(), 'call', 'echo', '{"text":"over stdio ✓"}']);
    expect(code).toBe(0);
    expect(stdout).toBe('over stdio ✓\n');
  });
});

describe('demo-client errors', () => {
  it.each([
    [[], 'missing target'],
    [['http://127.0.0.1:1/mcp', 'call'], 'unknown command'],
    [['http://127.0.0.1:1/mcp', 'call', 'echo', '{not json'], 'must be JSON'],
    [['http://127.0.0.1:1/mcp', 'call', 'echo', '[1]'], 'must be a JSON object'],
    [['http://127.0.0.1:1/mcp', 'frobnicate'], 'unknown command'],
    [['gopher://example.com'], 'unsupported scheme'],
  ])('exits 2 with the usage for %j', async (argv, message) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('Usage: mcp-demo-client');
  });

  it('prints the usage for --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('redis://127.0.0.1:6379#demo');
  });

  it('exits 1 when nothing listens at the URL', async () => {
    const { code, stderr } = await run(['http://127.0.0.1:1/mcp']);
    expect(code).toBe(1);
    expect(stderr).toContain('could not connect');
  });

  it('exits 1 when the stdio command does not exist', async () => {
    const { code, stderr } = await run(['/nonexistent/mcp-server-binary']);
    expect(code).toBe(1);
    expect(stderr).toContain('could not connect');
  });
});

describe('demo-client over Redis', () => {
  let redis: DemoRedis | undefined;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    const found = await findRedis();
    // CI must have Redis (.ci/run installs redis-server); only a developer machine may lack it.
    if (typeof found === 'string' && process.env.CI) throw new Error(`Redis is required under CI: ${found}`);
    if (typeof found === 'string') return;
    redis = found;
    server = await startServerProcess(['--redis', `${redis.url}#client-test-${process.pid}`]);
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
  });

  it('calls a tool on a Redis endpoint', async (context) => {
    if (redis === undefined) context.skip('no Redis reachable and no redis-server to start');
    const { code, stdout } = await run([`${redis!.url}#client-test-${process.pid}`, 'call', 'add', '{"a":20,"b":22}']);
    expect(code).toBe(0);
    expect(stdout).toBe('42\n{"sum":42}\n');
  });
});
