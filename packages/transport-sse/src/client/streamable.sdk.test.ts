/** Interop: our client transport under the official SDK clients, against the official SDK v1 server. */
import { isTransportError } from '@mcp-transports/core';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startSdkPeer, type SdkPeer } from './_fixtures/sdk-server.js';
import { startSdkV2Peer } from './_fixtures/sdk-v2-server.js';
import { HTTPStatusError, StreamableHTTPClientTransport } from './index.js';

let peer: SdkPeer | undefined;
const clients: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await peer?.close();
  peer = undefined;
});

async function connect(
  url: string,
  options: ConstructorParameters<typeof StreamableHTTPClientTransport>[1] = {},
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(url, options);
  const client = new Client({ name: 'test', version: '1.0.0' });
  clients.push(client);
  await client.connect(transport);
  return { client, transport };
}

function text(result: unknown): string | undefined {
  return (result as { content: { text?: string }[] }).content[0]?.text;
}

describe.each([
  ['SSE responses', false],
  ['JSON responses', true],
])('StreamableHTTPClientTransport against SDK v1 StreamableHTTPServerTransport (%s)', (_name, json) => {
  it('[SH-13][SH-43][SH-49] initializes, keeps the session and calls tools', async () => {
    peer = await startSdkPeer({ json });
    const { client, transport } = await connect(peer.url);
    expect(transport.sessionId).toMatch(/^[\x21-\x7e]+$/);
    expect(transport.protocolVersion).toBeDefined();
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'héllo 😀' } }))).toBe('héllo 😀');
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('slow');
    // Every request after initialize carries the session id (SH-43).
    const after = peer.seen.filter((r) => r.method === 'POST').slice(1);
    expect(after.every((r) => r.sessionId === transport.sessionId)).toBe(true);
  });

  it('[SH-19] every progress notification reaches the SDK Client, also those in the same chunk as the result', async () => {
    peer = await startSdkPeer({ json });
    const { client } = await connect(peer.url);
    for (let call = 0; call < 10; call++) {
      const progress: number[] = [];
      await client.callTool({ name: 'burst', arguments: { steps: 5 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      // JSON responses carry no notifications: related ones are dropped without a GET stream.
      expect(progress).toEqual(json ? [] : [1, 2, 3, 4, 5]);
    }
  });

  it('[SH-19] delivers the notifications sent before the response, in order', async () => {
    peer = await startSdkPeer({ json });
    const { client } = await connect(peer.url);
    const notes: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      notes.push(n.params.data);
    });
    expect(text(await client.callTool({ name: 'chatty', arguments: { count: 5 } }))).toBe('sent 5');
    if (!json) expect(notes).toEqual(['note 0', 'note 1', 'note 2', 'note 3', 'note 4']);
  });

  it('[SH-31] serves concurrent requests', async () => {
    peer = await startSdkPeer({ json });
    const { client } = await connect(peer.url);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.callTool({ name: 'echo', arguments: { text: `n${i}` } })),
    );
    expect(results.map(text)).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
  });

  it('[SH-46] re-initializes transparently after the session expired', async () => {
    peer = await startSdkPeer({ json });
    const { client, transport } = await connect(peer.url);
    const first = transport.sessionId as string;
    await peer.sessions.get(first)?.transport.close();
    expect(peer.sessions.has(first)).toBe(false);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'again' } }))).toBe('again');
    expect(transport.sessionId).not.toBe(first);
    expect(peer.sessions.has(transport.sessionId as string)).toBe(true);
    // The replayed initialize went out without the dead session id (SH-46).
    const inits = peer.seen.filter((r) => r.method === 'POST' && r.sessionId === undefined);
    expect(inits).toHaveLength(2);
  });

  it('[SH-45] with reinitializeOnExpiry: false a 404 fails the call with HTTPStatusError', async () => {
    peer = await startSdkPeer({ json });
    const { client, transport } = await connect(peer.url, { reinitializeOnExpiry: false });
    await peer.sessions.get(transport.sessionId as string)?.transport.close();
    const error: unknown = await client.callTool({ name: 'echo', arguments: { text: 'x' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPStatusError);
    expect((error as HTTPStatusError).status).toBe(404);
    expect(isTransportError(error, 'ERR_REFUSED')).toBe(true);
  });
});

describe('StreamableHTTPClientTransport against the SDK v1 server: streams and sessions', () => {
  it('[SH-25][SH-28] receives server-initiated notifications on the GET stream', async () => {
    peer = await startSdkPeer();
    const { client, transport } = await connect(peer.url);
    const changed = new Promise<void>((resolve) => {
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve());
    });
    // Wait until the GET stream is open on the server side, then push a notification on it.
    await expect.poll(() => peer?.seen.some((r) => r.method === 'GET')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    peer.sessions.get(transport.sessionId as string)?.server.sendToolListChanged();
    await changed;
  });

  it('[SH-47] terminateSession() sends DELETE and the server ends the session', async () => {
    peer = await startSdkPeer();
    const { transport } = await connect(peer.url);
    const id = transport.sessionId as string;
    await transport.terminateSession();
    expect(transport.sessionId).toBeUndefined();
    expect(peer.seen.some((r) => r.method === 'DELETE' && r.sessionId === id)).toBe(true);
    expect(peer.sessions.has(id)).toBe(false);
  });

  it('[TC-4] close() aborts in-flight requests and fires onclose exactly once', async () => {
    peer = await startSdkPeer();
    const { client, transport } = await connect(peer.url);
    let closes = 0;
    const previous = transport.onclose;
    transport.onclose = () => {
      closes++;
      previous?.();
    };
    const pending = client.callTool({ name: 'slow', arguments: { ms: 10_000 } }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await transport.close();
    await transport.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(closes).toBe(1);
  });

  it('works under the SDK v2 Client too', async () => {
    peer = await startSdkPeer();
    const transport = new StreamableHTTPClientTransport(peer.url);
    const client = new ClientV2({ name: 'v2', version: '1.0.0' });
    clients.push(client);
    await client.connect(transport);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'v2' } });
    expect(text(result)).toBe('v2');
  });
});

describe.each([
  ['SSE responses', false],
  ['JSON responses', true],
])('StreamableHTTPClientTransport against SDK v2 WebStandardStreamableHTTPServerTransport (%s)', (_name, json) => {
  it('[SH-13][SH-43] initializes and calls tools (SDK v1 Client, our transport, SDK v2 server)', async () => {
    const v2 = await startSdkV2Peer({ json });
    try {
      const { client, transport } = await connect(v2.url);
      expect(transport.sessionId).toBeDefined();
      expect(text(await client.callTool({ name: 'echo', arguments: { text: 'to v2' } }))).toBe('to v2');
      await client.close();
    } finally {
      await v2.close();
    }
  });
});
