import { once } from 'node:events';
import { createServer, request } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { RedisClientTransport } from '@mcp-transports/redis';
import { WebSocketClientTransport } from '@mcp-transports/websocket';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, startServer, type RunningServer } from './_spawn.js';
import { runServerCli } from './main.js';
import { HAS_REDIS_SERVER, startRedis } from './_redis.js';

async function echoOver(transport: Transport): Promise<string> {
  const client = new Client({ name: 'cli-test', version: '1.0.0' });
  await client.connect(transport);
  try {
    const result = await client.callTool({ name: 'echo', arguments: { text: 'ping ✓' } });
    return (result.content as { text: string }[])[0]!.text;
  } finally {
    await client.close();
  }
}

/** A raw HTTP request, for the cases an SDK client never produces. */
async function raw(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string; headers: import('node:http').IncomingHttpHeaders }> {
  const req = request(url, { method: init.method ?? 'POST', headers: init.headers, agent: false });
  // A server may answer (413) and close before the whole body is written: the write then fails
  // with EPIPE after the response arrived, which is expected and must not go unhandled.
  const response = new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  req.end(init.body);
  const res = await response;
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return { status: res.statusCode ?? 0, body, headers: res.headers };
}

/** A WebSocket upgrade with a chosen Origin (browsers always send one); resolves with the status. */
async function upgradeStatus(wsUrl: string, origin: string): Promise<number> {
  const req = request(wsUrl.replace(/^ws:/, 'http:'), {
    agent: false,
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
      'sec-websocket-protocol': 'mcp',
      origin,
    },
  });
  req.end();
  return new Promise<number>((resolve, reject) => {
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('demo-server CLI --http --ws', () => {
  let server: RunningServer;
  let mcpUrl: string;
  beforeAll(async () => {
    server = await startServer(['--http', '127.0.0.1:0', '--ws', '127.0.0.1:0']);
    mcpUrl = server.endpoints.get('streamable-http')!;
  });
  afterAll(async () => {
    await server.stop();
  });

  it('announces Streamable HTTP at /mcp and legacy HTTP+SSE at /sse on the port it got', () => {
    expect(mcpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(server.endpoints.get('sse')).toBe(mcpUrl.replace(/\/mcp$/, '/sse'));
  });

  it('serves an SDK client over Streamable HTTP', async () => {
    expect(await echoOver(new StreamableHTTPClientTransport(new URL(mcpUrl)))).toBe('ping ✓');
  });

  it('serves an SDK client over WebSocket at /mcp (ours)', async () => {
    const wsUrl = server.endpoints.get('ws')!;
    expect(wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(await echoOver(new WebSocketClientTransport(wsUrl))).toBe('ping ✓');
  });

  it('serves an SDK client over legacy HTTP+SSE', async () => {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the legacy transport is what this test covers
    expect(await echoOver(new SSEClientTransport(new URL(server.endpoints.get('sse')!)))).toBe('ping ✓');
  });

  it('serves several sessions at once, each with its own server', async () => {
    const texts = await Promise.all(
      Array.from({ length: 3 }, () => echoOver(new StreamableHTTPClientTransport(new URL(mcpUrl)))),
    );
    expect(texts).toEqual(['ping ✓', 'ping ✓', 'ping ✓']);
  });

  it('[SH-45] answers 404 for an unknown session', async () => {
    const res = await raw(mcpUrl, { headers: { ...JSON_HEADERS, 'mcp-session-id': 'nope' }, body: INITIALIZE });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32001 } });
  });

  it('[SH-44] answers 400 for a non-initialize request without a session', async () => {
    const res = await raw(mcpUrl, { headers: JSON_HEADERS, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    expect(res.status).toBe(400);
  });

  it('answers 400 with a parse error for malformed JSON', async () => {
    const res = await raw(mcpUrl, { headers: JSON_HEADERS, body: '{"jsonrpc":' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: -32700 } });
  });

  it('[TC-6] answers 413 for a body over 16 MiB', async () => {
    // Over a raw socket: the server may answer and close before the body is sent, and an HTTP
    // client would then report the failed write (EPIPE) instead of the response that arrived.
    const { port } = new URL(mcpUrl);
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
    const ended = new Promise<void>((resolve) => {
      socket.on('close', () => resolve());
      socket.on('error', () => resolve()); // EPIPE/ECONNRESET once the server has answered and closed
    });
    await once(socket, 'connect');
    const size = 16 * 1024 * 1024 + 1;
    socket.write(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
        `Accept: application/json, text/event-stream\r\nContent-Length: ${size}\r\n\r\n`,
    );
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    for (let sent = 0; sent < size && received === '' && !socket.destroyed; sent += chunk.length) {
      if (!socket.write(chunk.subarray(0, Math.min(chunk.length, size - sent)))) {
        await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), ended]);
      }
    }
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2000))]);
    socket.destroy();
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('[SH-2][SH-3] refuses a foreign Host or Origin with 403 (DNS rebinding protection)', async () => {
    const port = new URL(mcpUrl).port;
    const badHost = await raw(mcpUrl, {
      headers: { ...JSON_HEADERS, host: `evil.example.com:${port}` },
      body: INITIALIZE,
    });
    expect(badHost.status).toBe(403);
    const badOrigin = await raw(mcpUrl, {
      headers: { ...JSON_HEADERS, origin: 'http://evil.example.com' },
      body: INITIALIZE,
    });
    expect(badOrigin.status).toBe(403);
    const good = await raw(mcpUrl, {
      headers: { ...JSON_HEADERS, origin: `http://localhost:${port}` },
      body: INITIALIZE,
    });
    expect(good.status).toBe(200);
    // No --allow-origin: no CORS, so no page on another origin can read an answer.
    expect(good.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers 404 for other paths', async () => {
    expect((await raw(mcpUrl.replace(/\/mcp$/, '/elsewhere'), { method: 'GET' })).status).toBe(404);
  });

  it('exits 0 on SIGTERM with a session still open', async () => {
    const client = new Client({ name: 'cli-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(server.stderr()).toContain('SIGTERM: closing every session');
    await client.close();
  });
});

describe('demo-server CLI --allow-origin', () => {
  const PAGE = 'http://127.0.0.1:5173';
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(['--http', '127.0.0.1:0', '--ws', '127.0.0.1:0', '--allow-origin', PAGE]);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answers the preflight and the POST of a page on that origin with CORS headers', async () => {
    const mcpUrl = server.endpoints.get('streamable-http')!;
    const preflight = await raw(mcpUrl, {
      method: 'OPTIONS',
      headers: {
        origin: PAGE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, mcp-protocol-version',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(PAGE);
    const post = await raw(mcpUrl, { headers: { ...JSON_HEADERS, origin: PAGE }, body: INITIALIZE });
    expect(post.status).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBe(PAGE);
    expect(post.headers['access-control-expose-headers']).toMatch(/mcp-session-id/);
  });

  it('[SH-2] refuses every other origin, loopback ones included, on HTTP and WebSocket', async () => {
    const mcpUrl = server.endpoints.get('streamable-http')!;
    const other = 'http://127.0.0.1:9999';
    expect((await raw(mcpUrl, { headers: { ...JSON_HEADERS, origin: other }, body: INITIALIZE })).status).toBe(403);
    const wsUrl = server.endpoints.get('ws')!;
    expect(await upgradeStatus(wsUrl, PAGE)).toBe(101);
    expect(await upgradeStatus(wsUrl, other)).toBe(403);
  });
});

describe('demo-server CLI --stdio', () => {
  it('serves an SDK v1 client (SDK StdioClientTransport) over stdio', async () => {
    const transport = new StdioClientTransport({ ...cliCommand(['--stdio']), stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await echoOver(transport)).toBe('ping ✓');
    expect(stderr).toContain('[demo-server] listening stdio');
  });

  it('[LC-11] exits 0 by itself when its stdin ends', async () => {
    const server = await startServer(['--stdio']);
    const exited = once(server.child, 'exit');
    server.child.stdin!.end();
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });

  it('combines --stdio with --http, and SIGINT closes both', async () => {
    const server = await startServer(['--stdio', '--http', '127.0.0.1:0']);
    expect([...server.endpoints.keys()].sort()).toEqual(['sse', 'stdio', 'streamable-http']);
    expect(await echoOver(new StreamableHTTPClientTransport(new URL(server.endpoints.get('streamable-http')!)))).toBe(
      'ping ✓',
    );
    expect(await server.stop('SIGINT')).toBe(0);
    expect(server.stderr()).toContain('SIGINT: closing every session');
  });
});

describe('demo-server CLI errors (in-process)', () => {
  const run = async (argv: string[]): Promise<{ code: number; stderr: string }> => {
    let stderr = '';
    const code = await runServerCli(argv, { stderr: { write: (text: string) => (stderr += text) } });
    return { code, stderr };
  };

  it('exits 2 with the usage when no medium is chosen', async () => {
    const { code, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/at least one transport[\s\S]*Usage: mcp-demo-server/);
  });

  it('prints the usage and exits 0 for --help', async () => {
    const { code, stderr } = await run(['--help']);
    expect(code).toBe(0);
    expect(stderr).toContain('--http HOST:PORT');
  });

  it('exits 2 for an unknown flag or a malformed address', async () => {
    expect((await run(['--nope'])).code).toBe(2);
    const { code, stderr } = await run(['--http', 'localhost']);
    expect(code).toBe(2);
    expect(stderr).toContain('--http expects HOST:PORT');
  });

  it('exits 1 when the port is taken, closing what it had started', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    const { code, stderr } = await run(['--http', `127.0.0.1:${port}`]);
    expect(code).toBe(1);
    expect(stderr).toContain('EADDRINUSE');
    blocker.close();
  });
});

describe.skipIf(!HAS_REDIS_SERVER)('demo-server CLI --redis', () => {
  it('serves an SDK client over Redis (ours), one session per client, and exits 0 on SIGTERM', async () => {
    const redis = await startRedis();
    try {
      const server = await startServer(['--redis', `${redis.url}#cli-test`]);
      expect(server.endpoints.get('redis')).toBe(`${redis.url}#cli-test`);
      const texts = await Promise.all(
        Array.from({ length: 2 }, () => echoOver(new RedisClientTransport({ redis: redis.url, endpoint: 'cli-test' }))),
      );
      expect(texts).toEqual(['ping ✓', 'ping ✓']);
      expect(await server.stop('SIGTERM')).toBe(0);
    } finally {
      await redis.stop();
    }
  });
});
