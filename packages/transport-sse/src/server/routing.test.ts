/**
 * The routing hook with an in-process router between two real HTTP servers: the client's requests
 * alternate between the nodes (a round-robin balancer without sticky sessions), the session lives
 * on one of them.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createMcpHttpServer, type McpHttpServer, type RoutedRequest, type SessionRouter } from './index.js';

/** Routes between listeners of this process; a node's sessions are `<node>.<id>`. */
class LocalRouter implements SessionRouter {
  serve: ((request: Request) => Promise<Response>) | undefined;
  forwarded = 0;
  constructor(
    readonly id: string,
    readonly nodes: Map<string, LocalRouter>,
  ) {
    nodes.set(id, this);
  }
  attach(serve: (request: Request) => Promise<Response>): void {
    this.serve = serve;
  }
  sessionId(generated: string): string {
    return `${this.id}.${generated}`;
  }
  async forward(sessionId: string, request: RoutedRequest, signal: AbortSignal): Promise<Response | undefined> {
    const owner = this.nodes.get(sessionId.slice(0, sessionId.indexOf('.')));
    if (owner === undefined || owner === this || owner.serve === undefined) return undefined;
    this.forwarded++;
    const { method, url, headers, body } = request;
    return owner.serve(new Request(url, { method, headers, body, signal }));
  }
}

function createServer(): McpServer {
  const server = new McpServer({ name: 'routed', version: '1.0.0' });
  server.registerTool('count', { inputSchema: { n: z.number() } }, async ({ n }, extra) => {
    for (let i = 1; i <= n; i++) {
      await extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken: extra._meta?.progressToken ?? 0, progress: i, total: n },
      });
    }
    return { content: [{ type: 'text', text: `counted ${n}` }] };
  });
  server.registerTool('roots', {}, async (extra) => {
    // A server-to-client request on the tool call's stream; the client's answer is a POST that
    // may land on any node.
    const roots = await server.server.listRoots(undefined, { relatedRequestId: extra.requestId });
    return { content: [{ type: 'text', text: roots.roots.map((r) => r.uri).join(',') }] };
  });
  return server;
}

describe('session routing (router option)', () => {
  const running: McpHttpServer[] = [];
  afterEach(async () => {
    for (const server of running.splice(0)) await server.close();
  });

  it('requests alternating between two nodes reach the session on its owner: responses, progress, server requests, DELETE', async () => {
    const nodes = new Map<string, LocalRouter>();
    const routers = [new LocalRouter('a', nodes), new LocalRouter('b', nodes)];
    for (const router of routers) {
      running.push(
        await createMcpHttpServer({
          router,
          resumability: true,
          onconnection: (transport) => void createServer().connect(transport),
        }),
      );
    }
    const urls = running.map((server) => server.url);
    let next = 0;
    const methods: string[] = [];
    const balancer = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const target = urls[next++ % urls.length] as URL;
      methods.push(init?.method ?? 'GET');
      return fetch(target, init);
    };
    const client = new Client({ name: 'c', version: '1.0.0' }, { capabilities: { roots: {} } });
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: 'file:///routed' }] }));
    const transport = new StreamableHTTPClientTransport(urls[0] as URL, { fetch: balancer });
    await client.connect(transport);
    expect(transport.sessionId).toMatch(/^[ab]\./);
    for (let i = 0; i < 6; i++) {
      const progress: number[] = [];
      const result = await client.callTool({ name: 'count', arguments: { n: 3 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      expect(result.content).toEqual([{ type: 'text', text: 'counted 3' }]);
      expect(progress).toEqual([1, 2, 3]);
    }
    const roots = await client.callTool({ name: 'roots', arguments: {} });
    expect(roots.content).toEqual([{ type: 'text', text: 'file:///routed' }]);
    expect(routers[0]!.forwarded + routers[1]!.forwarded).toBeGreaterThan(3);
    await transport.terminateSession();
    expect(running.reduce((sum, server) => sum + server.listener.sessionCount, 0)).toBe(0);
    await client.close();
  });

  it('a session no node holds is 404 (the client starts anew); without a router nothing is forwarded', async () => {
    const nodes = new Map<string, LocalRouter>();
    const router = new LocalRouter('a', nodes);
    running.push(await createMcpHttpServer({ router, onconnection: (t) => void createServer().connect(t) }));
    running.push(await createMcpHttpServer({ onconnection: (t) => void createServer().connect(t) }));
    for (const server of running) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': 'zz.unknown',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32001);
    }
    expect(router.forwarded).toBe(0);
  });

  it('[SEC-4] the owner authenticates a forwarded request: another principal gets 403, a missing token 401', async () => {
    const nodes = new Map<string, LocalRouter>();
    for (const id of ['a', 'b']) {
      running.push(
        await createMcpHttpServer({
          router: new LocalRouter(id, nodes),
          authenticate: ({ token }) =>
            token === undefined ? undefined : { token, clientId: token.split('-')[0] as string, scopes: [] },
          onconnection: (t) => void createServer().connect(t),
        }),
      );
    }
    const [a, b] = running as [McpHttpServer, McpHttpServer];
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(a.url, {
      method: 'POST',
      headers: { ...headers, authorization: 'Bearer alice-1' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      }),
    });
    await init.text();
    const sessionId = init.headers.get('mcp-session-id') as string;
    const ping = (authorization?: string) =>
      fetch(b.url, {
        method: 'POST',
        headers: {
          ...headers,
          'mcp-session-id': sessionId,
          ...(authorization === undefined ? {} : { authorization }),
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
    const other = await ping('Bearer bob-1');
    expect(other.status).toBe(403);
    await other.text();
    const none = await ping();
    expect(none.status).toBe(401);
    await none.text();
    const same = await ping('Bearer alice-2');
    expect(same.status).toBe(200);
    expect(await same.text()).toContain('"id":1');
  });

  it('a body over maxMessageBytes for a session elsewhere is refused (413) by the node that received it', async () => {
    const nodes = new Map<string, LocalRouter>();
    const router = new LocalRouter('b', nodes);
    new LocalRouter('a', nodes).attach(() => Promise.reject(new Error('must not be reached')));
    running.push(
      await createMcpHttpServer({ router, maxMessageBytes: 100, onconnection: (t) => void createServer().connect(t) }),
    );
    const response = await fetch(running[0]!.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': 'a.1',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(200) } }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/maxMessageBytes/);
    expect(router.forwarded).toBe(0);
  });

  it('a router that fails is answered 502 with the reason', async () => {
    const router: SessionRouter = {
      attach: () => undefined,
      sessionId: (id) => id,
      forward: () => Promise.reject(new Error('link down')),
    };
    running.push(await createMcpHttpServer({ router, onconnection: (t) => void createServer().connect(t) }));
    const response = await fetch(running[0]!.url, {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'mcp-session-id': 'elsewhere' },
    });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/link down/);
  });
});
