/** The 2024-11-05 HTTP+SSE client, and the fallback from Streamable HTTP to it (SH-54). */
import { isTransportError, type JSONRPCMessage } from '@mcp-transports/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { openSse, sse, startRawServer, type RawServer } from './_fixtures/raw-server.js';
import { startSdkPeer, type SdkPeer } from './_fixtures/sdk-server.js';
import { connectWithFallback, FallbackClientTransport, HTTPStatusError, SSEClientTransport } from './index.js';

let peer: SdkPeer | undefined;
const raws: RawServer[] = [];
const clients: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const raw of raws.splice(0)) await raw.close();
  await peer?.close();
  peer = undefined;
});

function text(result: unknown): string | undefined {
  return (result as { content: { text?: string }[] }).content[0]?.text;
}

async function raw(handler: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
  const server = await startRawServer(handler);
  raws.push(server);
  return server;
}

describe('SSEClientTransport (2024-11-05) against the SDK v1 SSEServerTransport', () => {
  it('[LS-5][LS-6][LS-7] waits for the endpoint event, POSTs there and receives messages', async () => {
    peer = await startSdkPeer({ legacy: true });
    const transport = new SSEClientTransport(peer.sseUrl);
    const client = new Client({ name: 'legacy', version: '1.0.0' });
    clients.push(client);
    await client.connect(transport);
    expect(transport.endpoint?.pathname).toBe('/messages');
    const notes: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      notes.push(n.params.data);
    });
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'old' } }))).toBe('old');
    expect(text(await client.callTool({ name: 'chatty', arguments: { count: 3 } }))).toBe('sent 3');
    expect(notes).toEqual(['note 0', 'note 1', 'note 2']);
  });
});

describe('SSEClientTransport faults', () => {
  it('refuses an endpoint on another origin (ERR_REFUSED) and closes', async () => {
    const server = await raw((_req, res) => {
      openSse(res);
      res.write('event: endpoint\ndata: http://evil.example/messages\n\n');
    });
    const transport = new SSEClientTransport(server.url);
    let closes = 0;
    transport.onclose = () => closes++;
    const error = await transport.start().catch((e: unknown) => e);
    expect(isTransportError(error, 'ERR_REFUSED')).toBe(true);
    expect(closes).toBe(1);
  });

  it('rejects start() when the stream ends before the endpoint event', async () => {
    const server = await raw((_req, res) => {
      openSse(res);
      res.end(': nothing here\n\n');
    });
    const transport = new SSEClientTransport(server.url);
    expect(isTransportError(await transport.start().catch((e: unknown) => e), 'ERR_CONNECTION')).toBe(true);
  });

  it('rejects start() on a non-SSE answer with HTTPStatusError', async () => {
    const server = await raw((_req, res) => {
      res.writeHead(404).end('no');
    });
    const error = await new SSEClientTransport(server.url).start().catch((e: unknown) => e);
    expect((error as HTTPStatusError).status).toBe(404);
  });

  it('[TC-4] the server dropping the stream closes the transport: onerror, then onclose once', async () => {
    const server = await raw((req, res) => {
      if (req.method === 'GET') {
        openSse(res);
        res.write('event: endpoint\ndata: /messages?sessionId=1\n\n');
        res.write(sse({ jsonrpc: '2.0', method: 'hello' }));
        setTimeout(() => res.socket?.destroy(), 20);
      }
    });
    const transport = new SSEClientTransport(server.url);
    const messages: JSONRPCMessage[] = [];
    const errors: Error[] = [];
    let closes = 0;
    transport.onmessage = (m) => messages.push(m);
    transport.onerror = (e) => errors.push(e);
    transport.onclose = () => closes++;
    await transport.start();
    expect(transport.endpoint?.href).toBe(new URL('/messages?sessionId=1', server.url).href);
    await expect.poll(() => closes).toBe(1);
    expect(messages).toEqual([{ jsonrpc: '2.0', method: 'hello' }]);
    expect(errors).toHaveLength(1);
    await transport.close();
    expect(closes).toBe(1);
    await expect(transport.send({ jsonrpc: '2.0', method: 'x' })).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});

describe('FallbackClientTransport', () => {
  it('[SH-54] falls back to HTTP+SSE when the initialize POST gets 405', async () => {
    peer = await startSdkPeer({ legacy: true });
    const client = new Client({ name: 'fallback', version: '1.0.0' });
    clients.push(client);
    const transport = await connectWithFallback(client, peer.sseUrl);
    expect(transport.kind).toBe('sse');
    expect(transport.hasPerRequestStream).toBe(false);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'fb' } }))).toBe('fb');
  });

  it('[SH-54] stays on Streamable HTTP when the server speaks it', async () => {
    peer = await startSdkPeer();
    const client = new Client({ name: 'fallback', version: '1.0.0' });
    clients.push(client);
    const transport = new FallbackClientTransport(peer.url);
    await client.connect(transport);
    expect(transport.kind).toBe('streamable-http');
    expect(transport.sessionId).toBeDefined();
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'new' } }))).toBe('new');
  });

  it('does not fall back on a 5xx', async () => {
    const server = await raw((_req, res) => {
      res.writeHead(500).end('boom');
    });
    const transport = new FallbackClientTransport(server.url);
    await transport.start();
    const error = await transport
      .send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: {} })
      .catch((e: unknown) => e);
    expect((error as HTTPStatusError).status).toBe(500);
    expect(transport.kind).toBe('streamable-http');
    await transport.close();
  });
});
