/**
 * The bridge as a user runs it: a real `mcp-bridge` process in front of the official
 * `@modelcontextprotocol/server-everything`, driven by the official SDK v1 `Client`.
 */
import { RedisClientTransport } from '@mcp-transports/redis';
import { WebSocketClientTransport } from '@mcp-transports/websocket';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bridgeCommand,
  commandLine,
  freePort,
  HAS_REDIS_SERVER,
  isAlive,
  SERVER_EVERYTHING,
  startBridge,
  startRedis,
  waitFor,
  type RunningBridge,
  type TestRedis,
} from './_test-helpers.js';

type Medium = 'http' | 'ws';

/**
 * An SDK v1 client that can sample (every `sampling/createMessage` gets a fixed text), elicit (every
 * `elicitation/create` is accepted with `{ name: 'Ada' }`) and has one root.
 */
function samplingClient(): {
  client: Client;
  samplingRequests: unknown[];
  elicitations: unknown[];
  rootLists: number[];
} {
  const client = new Client(
    { name: 'bridge-test', version: '0.0.0' },
    { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
  );
  const samplingRequests: unknown[] = [];
  const elicitations: unknown[] = [];
  const rootLists: number[] = [];
  client.setRequestHandler(CreateMessageRequestSchema, (request) => {
    samplingRequests.push(request.params);
    return { role: 'assistant', model: 'test-model', content: { type: 'text', text: 'sampled by the test client' } };
  });
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    elicitations.push(request.params);
    return { action: 'accept', content: { name: 'Ada' } };
  });
  client.setRequestHandler(ListRootsRequestSchema, () => {
    rootLists.push(Date.now());
    return { roots: [{ uri: 'file:///bridge-test-root', name: 'bridge test root' }] };
  });
  return { client, samplingRequests, elicitations, rootLists };
}

function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((part) => part.text ?? '').join('\n');
}

/** Every pid of a command upstream the bridge has announced: none may outlive the test. */
const seenPids = new Set<number>();
const trackPids = (bridge: RunningBridge): number[] => {
  const pids = bridge.sessions().flatMap((line) => (line.pid === undefined ? [] : [line.pid]));
  for (const pid of pids) seenPids.add(pid);
  return pids;
};

afterAll(async () => {
  // No process left behind: every upstream child the bridges spawned is gone.
  await waitFor(() => [...seenPids].every((pid) => !isAlive(pid)), 'every upstream child to be gone');
});

describe('a stdio server (server-everything) bridged to HTTP and WebSocket', () => {
  let bridge: RunningBridge;

  beforeAll(async () => {
    bridge = await startBridge([
      '--http',
      '127.0.0.1:0',
      '--ws',
      '127.0.0.1:0',
      '--',
      process.execPath,
      SERVER_EVERYTHING,
      'stdio',
    ]);
  });

  afterAll(async () => {
    trackPids(bridge);
    // SIGTERM closes every session and its child, then the bridge exits 0.
    expect(await bridge.stop('SIGTERM')).toBe(0);
  });

  async function connect(
    medium: Medium,
  ): Promise<ReturnType<typeof samplingClient> & { closed: Promise<void>; close: () => Promise<void> }> {
    const made = samplingClient();
    const { client } = made;
    let resolveClosed!: () => void;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    client.onclose = () => resolveClosed();
    if (medium === 'http') {
      // The official SDK's own Streamable HTTP client transport: the bridge speaks to any client.
      const transport = new StreamableHTTPClientTransport(new URL(bridge.endpoints.get('streamable-http')!));
      await client.connect(transport);
      return {
        ...made,
        closed,
        close: async () => {
          await transport.terminateSession(); // DELETE ends the session, and with it the upstream child
          await client.close();
        },
      };
    }
    await client.connect(new WebSocketClientTransport(new URL(bridge.endpoints.get('ws')!)));
    return { ...made, closed, close: () => client.close() };
  }

  /** The upstream pid of the session opened after `before` sessions were announced. */
  async function upstreamPidAfter(before: number): Promise<{ session: number; pid: number }> {
    await waitFor(() => bridge.sessions().length > before, 'the session to be announced');
    const line = bridge.sessions()[before]!;
    trackPids(bridge);
    return { session: line.session, pid: line.pid! };
  }

  it('[sse] the legacy HTTP+SSE endpoint: an SDK SSEClientTransport client gets its own child, tools and sampling', async () => {
    const before = bridge.sessions().length;
    const { client, samplingRequests } = samplingClient();
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the legacy transport is what this test is about
    await client.connect(new SSEClientTransport(new URL(bridge.endpoints.get('sse')!)));
    const { session, pid } = await upstreamPidAfter(before);
    expect(commandLine(pid)).toContain('server-everything');
    const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'legacy' } });
    expect(samplingRequests).toHaveLength(1);
    expect(textOf(sampled)).toContain('sampled by the test client');
    await client.close();
    await waitFor(() => bridge.closed(session), `session ${session} to close`);
    await waitFor(() => !isAlive(pid), `upstream child ${pid} to exit`);
  });

  for (const medium of ['http', 'ws'] as const) {
    it(`[${medium}] lists tools, calls one, relays progress and a server→client sampling request`, async () => {
      const before = bridge.sessions().length;
      const { client, samplingRequests, close } = await connect(medium);
      const { session, pid } = await upstreamPidAfter(before);
      expect(commandLine(pid)).toContain('server-everything');

      const { tools } = await client.listTools();
      const names = tools.map((tool) => tool.name);
      expect(names).toContain('echo');
      // Registered only because the client's sampling capability went through the bridge.
      expect(names).toContain('trigger-sampling-request');

      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'over the bridge' } }))).toContain(
        'over the bridge',
      );

      const progress: Progress[] = [];
      const long = await client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 0.2, steps: 2 } },
        undefined,
        { onprogress: (update) => progress.push(update) },
      );
      expect(textOf(long)).toContain('Long running operation completed');
      expect(progress[0]).toEqual({ progress: 1, total: 2 });

      // server → client request, relayed downstream; the answer relayed back upstream.
      const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hello' } });
      expect(samplingRequests).toHaveLength(1);
      expect(textOf(sampled)).toContain('sampled by the test client');

      // Closing the downstream session closes its upstream: the child is gone.
      await close();
      await waitFor(() => bridge.closed(session), `session ${session} to close`);
      await waitFor(() => !isAlive(pid), `upstream child ${pid} to exit`);
    });

    it(`[${medium}] relays elicitation and roots (server → client) and ping (client → server)`, async () => {
      const before = bridge.sessions().length;
      const { client, elicitations, rootLists, close } = await connect(medium);
      const { session, pid } = await upstreamPidAfter(before);

      await client.ping(); // client → server ping, answered upstream

      // The server asks for the roots by itself shortly after initialization (no request of ours is open).
      await waitFor(() => rootLists.length > 0, 'the server to ask for the roots');
      const roots = await client.callTool({ name: 'get-roots-list', arguments: {} });
      expect(textOf(roots)).toContain('file:///bridge-test-root');

      const elicited = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
      expect(elicitations).toHaveLength(1);
      expect(textOf(elicited)).toContain('Ada');

      await close();
      await waitFor(() => bridge.closed(session), `session ${session} to close`);
      await waitFor(() => !isAlive(pid), `upstream child ${pid} to exit`);
    });

    it(`[${medium}] two concurrent sessions get two distinct upstream processes`, async () => {
      const before = bridge.sessions().length;
      const first = await connect(medium);
      const second = await connect(medium);
      await waitFor(() => bridge.sessions().length >= before + 2, 'both sessions to be announced');
      const pids = trackPids(bridge).slice(before, before + 2);
      expect(new Set(pids).size).toBe(2);
      for (const pid of pids) expect(isAlive(pid)).toBe(true);

      // Each answers on its own; closing one leaves the other's child running.
      const [a, b] = await Promise.all([
        first.client.callTool({ name: 'echo', arguments: { message: 'first' } }),
        second.client.callTool({ name: 'echo', arguments: { message: 'second' } }),
      ]);
      expect(textOf(a)).toContain('first');
      expect(textOf(b)).toContain('second');
      await first.close();
      await waitFor(() => !isAlive(pids[0]!), 'the first child to exit');
      expect(isAlive(pids[1]!)).toBe(true);
      expect(textOf(await second.client.callTool({ name: 'echo', arguments: { message: 'still here' } }))).toContain(
        'still here',
      );
      await second.close();
      await waitFor(() => !isAlive(pids[1]!), 'the second child to exit');
    });

    it(`[${medium}] killing the upstream child fails the pending request with a clear error and closes the session`, async () => {
      const before = bridge.sessions().length;
      const { client, closed, close } = await connect(medium);
      const { session, pid } = await upstreamPidAfter(before);

      let firstProgress!: () => void;
      const progressed = new Promise<void>((resolve) => (firstProgress = resolve));
      const pending = client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 600, steps: 600 } },
        undefined,
        { onprogress: () => firstProgress(), timeout: 120_000 },
      );
      const outcome = pending.then(
        () => new Error('the call succeeded'),
        (error: unknown) => error,
      );
      await progressed; // the request is running upstream
      process.kill(pid, 'SIGKILL');

      const error = await outcome;
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(
        /upstream server is gone: the upstream process \(pid \d+\) was killed by SIGKILL/,
      );
      await waitFor(() => bridge.closed(session), `session ${session} to close`);
      if (medium === 'ws') {
        await closed; // the WebSocket is closed by the bridge: the client sees its session end
      } else {
        // The HTTP session is gone: the next request is refused (404 → the SDK client reports it).
        await expect(client.listTools()).rejects.toThrow(/404|not found/i);
      }
      await close().catch(() => undefined);
    });
  }
});

describe('an upstream that cannot start', () => {
  it('answers initialize with an error naming the command, and closes the session', async () => {
    const bridge = await startBridge(['--ws', '127.0.0.1:0', '--', '/nonexistent/mcp-server', '--flag']);
    try {
      const client = new Client({ name: 'bridge-test', version: '0.0.0' });
      await expect(client.connect(new WebSocketClientTransport(new URL(bridge.endpoints.get('ws')!)))).rejects.toThrow(
        /\/nonexistent\/mcp-server/,
      );
      await client.close();
    } finally {
      expect(await bridge.stop('SIGINT')).toBe(0);
    }
  });
});

describe('an HTTP or WebSocket upstream that refuses connections', () => {
  it.each([
    ['http', /\[mcp-bridge\] the upstream server could not be reached: .*ECONNREFUSED/],
    ['ws', /\[mcp-bridge\] the upstream server is gone: the WebSocket to ws:\/\/.* closed .*ECONNREFUSED/],
  ])('%s: answers initialize with an error naming the refusal', async (scheme, message) => {
    const port = await freePort(); // nothing listens there
    const bridge = await startBridge(['--ws', '127.0.0.1:0', `${scheme}://127.0.0.1:${port}/mcp`]);
    try {
      const client = new Client({ name: 'bridge-test', version: '0.0.0' });
      await expect(client.connect(new WebSocketClientTransport(new URL(bridge.endpoints.get('ws')!)))).rejects.toThrow(
        message,
      );
      await client.close();
    } finally {
      expect(await bridge.stop('SIGTERM')).toBe(0);
    }
  });
});

describe('an HTTP upstream that cuts a response stream', () => {
  it('the waiting request gets an error instead of waiting forever; the session goes on', async () => {
    // A scripted Streamable HTTP server: answers initialize, then cuts the SSE stream of a tools/call
    // before its response (no event ids, so it cannot be resumed), and answers ping normally.
    const server = createHttpServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        if (req.method !== 'POST') return void res.writeHead(405).end();
        const message = JSON.parse(body) as { id?: number | string; method?: string };
        const headers = { 'mcp-session-id': 'cut-session' };
        if (message.id === undefined) return void res.writeHead(202, headers).end();
        if (message.method === 'tools/call') {
          res.writeHead(200, { ...headers, 'content-type': 'text/event-stream' });
          res.write(': the answer is coming\n\n');
          setImmediate(() => res.socket?.destroy());
          return;
        }
        const result =
          message.method === 'initialize'
            ? { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'cut', version: '0' } }
            : {};
        res.writeHead(200, { ...headers, 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const bridge = await startBridge(['--ws', '127.0.0.1:0', `http://127.0.0.1:${port}/mcp`]);
    try {
      const client = new Client({ name: 'bridge-test', version: '0.0.0' });
      await client.connect(new WebSocketClientTransport(new URL(bridge.endpoints.get('ws')!)));
      await expect(client.callTool({ name: 'anything', arguments: {} })).rejects.toThrow(
        /\[mcp-bridge\] the upstream's answer stream for this request ended without a response/,
      );
      await client.ping(); // the session goes on
      await client.close();
    } finally {
      expect(await bridge.stop('SIGTERM')).toBe(0);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('an HTTP server exposed as a local stdio server', () => {
  let upstream: ReturnType<typeof spawn> | undefined;
  let url: string;

  beforeAll(async () => {
    // server-everything's own Streamable HTTP server (the official SDK's HTTP transport on express).
    const port = await freePort();
    const child = spawn(process.execPath, [SERVER_EVERYTHING, 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    upstream = child;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes(`listening on port ${port}`)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`server-everything exited with ${String(code)}: ${stderr}`)));
    });
    url = `http://127.0.0.1:${port}/mcp`;
  });

  afterAll(async () => {
    if (upstream && upstream.exitCode === null && upstream.signalCode === null) {
      const exited = once(upstream, 'exit');
      upstream.kill('SIGKILL');
      await exited;
    }
  });

  it('an SDK StdioClientTransport spawns the bridge: tools, progress and sampling work; closing stdin ends it cleanly', async () => {
    const { command, args } = bridgeCommand(['--stdio', url]);
    const transport = new StdioClientTransport({ command, args, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const { client, samplingRequests } = samplingClient();
    await client.connect(transport);
    const bridgePid = transport.pid!;
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('trigger-sampling-request');
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'via stdio' } }))).toContain(
        'via stdio',
      );
      const progress: Progress[] = [];
      await client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 0.2, steps: 2 } },
        undefined,
        { onprogress: (update) => progress.push(update) },
      );
      // Only the first is certain: the bridge relays both, in order, before the result (checked on the raw
      // wire in 'a stdio downstream whose upstream dies'), but when the last progress and the result arrive in one read, the SDK v1 Client handles
      // the result first (notifications go through a microtask) and drops the late progress.
      expect(progress[0]).toEqual({ progress: 1, total: 2 });
      const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi' } });
      expect(samplingRequests).toHaveLength(1);
      expect(textOf(sampled)).toContain('sampled by the test client');
      expect(stderr).toMatch(/session 1 \(stdio\) open: upstream streamable-http http:\/\/127\.0\.0\.1/);
    } finally {
      await client.close();
    }
    await waitFor(() => !isAlive(bridgePid), 'the bridge to exit once stdin closed');
    expect(stderr).toMatch(/session 1 closed/);
    expect(stderr).not.toMatch(/exiting with status 1/);
  });
});

describe('a stdio downstream whose upstream dies', () => {
  it('answers the pending request with the cause and exits with status 1', async () => {
    const { command, args } = bridgeCommand(['--stdio', '--', process.execPath, SERVER_EVERYTHING, 'stdio']);
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    const send = (message: object): boolean => child.stdin.write(`${JSON.stringify(message)}\n`);
    const lines = (): Record<string, unknown>[] =>
      stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);

    // Raw JSON-RPC on the bridge's stdin/stdout: initialize, then a long call with a progress token.
    send({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    });
    await waitFor(() => lines().some((m) => m.id === 0), 'the initialize answer');
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });

    // Progress is relayed in order, before the result it belongs to.
    send({
      jsonrpc: '2.0',
      id: 'short',
      method: 'tools/call',
      params: {
        name: 'trigger-long-running-operation',
        arguments: { duration: 0.2, steps: 2 },
        _meta: { progressToken: 's' },
      },
    });
    await waitFor(() => lines().some((m) => m.id === 'short'), 'the short call to be answered');
    const relayed = lines().flatMap((m) =>
      m.id === 'short'
        ? ['result']
        : m.method === 'notifications/progress'
          ? [`progress ${String((m.params as { progress: number }).progress)}`]
          : [],
    );
    expect(relayed).toEqual(['progress 1', 'progress 2', 'result']);

    send({
      jsonrpc: '2.0',
      id: 'long',
      method: 'tools/call',
      params: {
        name: 'trigger-long-running-operation',
        arguments: { duration: 600, steps: 600 },
        _meta: { progressToken: 7 },
      },
    });
    await waitFor(
      () =>
        lines().some(
          (m) => m.method === 'notifications/progress' && (m.params as { progressToken?: unknown }).progressToken === 7,
        ),
      'a progress notification of the long call',
    );
    const pid = Number(/session 1 \(stdio\) open: upstream pid (\d+)/.exec(stderr)?.[1]);
    seenPids.add(pid);
    process.kill(pid, 'SIGKILL');

    const [code] = await exited;
    expect(code).toBe(1);
    const answer = lines().find((m) => m.id === 'long') as { error?: { code: number; message: string } } | undefined;
    expect(answer?.error?.code).toBe(-32000);
    expect(answer?.error?.message).toMatch(
      /upstream server is gone: the upstream process \(pid \d+\) was killed by SIGKILL/,
    );
    expect(stderr).toMatch(/exiting with status 1/);
  });
});

describe.skipIf(!HAS_REDIS_SERVER)('a stdio server bridged onto Redis', () => {
  let redis: TestRedis | undefined;
  let bridge: RunningBridge | undefined;

  beforeAll(async () => {
    const started = await startRedis();
    redis = started;
    bridge = await startBridge([
      '--redis',
      `${started.url}#bridge-test`,
      '--',
      process.execPath,
      SERVER_EVERYTHING,
      'stdio',
    ]);
  });

  afterAll(async () => {
    if (bridge !== undefined) {
      trackPids(bridge);
      expect(await bridge.stop('SIGTERM')).toBe(0);
    }
    await redis?.stop();
  });

  it('a Redis client session gets its own upstream: tools, sampling, and closing ends the child', async () => {
    const [server, running] = [redis, bridge];
    if (server === undefined || running === undefined) throw new Error('beforeAll did not start Redis and the bridge');
    const { client, samplingRequests } = samplingClient();
    await client.connect(new RedisClientTransport({ redis: server.url, endpoint: 'bridge-test' }));
    await waitFor(() => running.sessions().length === 1, 'the session to be announced');
    const [line] = running.sessions();
    const pid = line!.pid!;
    trackPids(running);
    expect(line!.medium).toBe('redis');
    expect(commandLine(pid)).toContain('server-everything');

    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'via redis' } }))).toContain('via redis');
    const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hey' } });
    expect(samplingRequests).toHaveLength(1);
    expect(textOf(sampled)).toContain('sampled by the test client');

    await client.close();
    await waitFor(() => running.closed(line!.session), 'the session to close');
    await waitFor(() => !isAlive(pid), 'the upstream child to exit');
  });
});

describe('shutdown', () => {
  it('SIGINT with open sessions closes each one, kills every upstream child and exits 0', async () => {
    const bridge = await startBridge([
      '--http',
      '127.0.0.1:0',
      '--ws',
      '127.0.0.1:0',
      '--',
      process.execPath,
      SERVER_EVERYTHING,
      'stdio',
    ]);
    const http = samplingClient().client;
    await http.connect(new StreamableHTTPClientTransport(new URL(bridge.endpoints.get('streamable-http')!)));
    const ws = samplingClient().client;
    let wsClosed!: () => void;
    const closed = new Promise<void>((resolve) => (wsClosed = resolve));
    ws.onclose = () => wsClosed();
    await ws.connect(new WebSocketClientTransport(new URL(bridge.endpoints.get('ws')!)));
    await waitFor(() => bridge.sessions().length === 2, 'both sessions to be announced');
    const pids = trackPids(bridge);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);

    expect(await bridge.stop('SIGINT')).toBe(0);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    await closed;
    expect(bridge.stderr()).toMatch(/SIGINT: closing every session/);
    await http.close();
  });
});

describe('WebSocket and Redis upstreams (a second bridge in front of the first)', () => {
  let redis: TestRedis | undefined;
  let first: RunningBridge | undefined;

  beforeAll(async () => {
    redis = HAS_REDIS_SERVER ? await startRedis() : undefined;
    first = await startBridge([
      '--ws',
      '127.0.0.1:0',
      ...(redis ? ['--redis', `${redis.url}#everything`] : []),
      '--',
      process.execPath,
      SERVER_EVERYTHING,
      'stdio',
    ]);
  });

  afterAll(async () => {
    if (first !== undefined) {
      trackPids(first);
      expect(await first.stop('SIGTERM')).toBe(0);
    }
    await redis?.stop();
  });

  async function throughSecondBridge(upstream: string, downstream: '--http' | '--ws'): Promise<void> {
    const inner = first;
    if (inner === undefined) throw new Error('beforeAll did not start the first bridge');
    const outer = await startBridge([downstream, '127.0.0.1:0', upstream]);
    try {
      const before = inner.sessions().length;
      const { client, samplingRequests } = samplingClient();
      const transport =
        downstream === '--http'
          ? new StreamableHTTPClientTransport(new URL(outer.endpoints.get('streamable-http')!))
          : new WebSocketClientTransport(new URL(outer.endpoints.get('ws')!));
      await client.connect(transport);
      await waitFor(() => inner.sessions().length > before, 'the first bridge to open a session');
      const pid = trackPids(inner)[before]!;
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('trigger-sampling-request');
      const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'two hops' } });
      expect(samplingRequests).toHaveLength(1);
      expect(textOf(sampled)).toContain('sampled by the test client');
      if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession();
      await client.close();
      // The outer session closes its upstream session, and the first bridge then ends the child.
      await waitFor(() => !isAlive(pid), 'the upstream child to exit');
    } finally {
      expect(await outer.stop('SIGTERM')).toBe(0);
    }
  }

  it('ws:// upstream: HTTP clients of the second bridge reach server-everything, sampling included', async () => {
    await throughSecondBridge(first!.endpoints.get('ws')!, '--http');
  });

  it.skipIf(!HAS_REDIS_SERVER)(
    'redis:// upstream: WebSocket clients of the second bridge reach server-everything',
    async () => {
      await throughSecondBridge(first!.endpoints.get('redis')!, '--ws');
    },
  );
});
