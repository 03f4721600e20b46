/**
 * Interop: the official SDK's clients (v1 and v2; Streamable HTTP and legacy SSE) against our
 * listener with the official SDK's servers (v1 and v2) connected per session.
 */
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as SSEClientV1 } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport as StreamableV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  Client as ClientV2,
  SSEClientTransport as SSEClientV2,
  StreamableHTTPClientTransport as StreamableV2,
} from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { McpHttpServer } from './index.js';
import { startOurs, type Sdk } from './_fixtures/servers.js';

let running: McpHttpServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

type Mode = { name: string; options: Record<string, unknown> };
const modes: Mode[] = [
  { name: 'stateful SSE', options: {} },
  { name: 'stateful JSON', options: { enableJsonResponse: true } },
  { name: 'stateless SSE (shared)', options: { sessionIdGenerator: undefined } },
  { name: 'stateless JSON (per-request)', options: { stateless: 'per-request', enableJsonResponse: true } },
  { name: 'stateful SSE + resumability', options: { resumability: true } },
];

function text(result: unknown): string {
  return ((result as { content: { text: string }[] }).content[0] as { text: string }).text;
}

describe.each(['v1', 'v2'] as Sdk[])('SDK %s server behind our listener', (serverSdk) => {
  describe.each(modes)('$name', ({ options }) => {
    it('[SH-1] [SH-12] [LC-3] SDK v1 Client + StreamableHTTPClientTransport: initialize, list, call', async () => {
      running = await startOurs(options, serverSdk);
      const client = new ClientV1({ name: 'c1', version: '1.0.0' });
      await client.connect(new StreamableV1(running.url));
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toContain('echo');
      for (const id of [0, 1, 2]) {
        expect(text(await client.callTool({ name: 'echo', arguments: { text: `héllo ${id} 🎉` } }))).toBe(
          `héllo ${id} 🎉`,
        );
      }
      await client.close();
    });

    it('[SH-1] [SH-12] SDK v2 Client + StreamableHTTPClientTransport: initialize, list, call', async () => {
      running = await startOurs(options, serverSdk);
      const client = new ClientV2({ name: 'c2', version: '2.0.0' });
      await client.connect(new StreamableV2(running.url));
      const results = await Promise.all(
        [1, 2, 3].map((i) => client.callTool({ name: 'echo', arguments: { text: `x${i}` } })),
      );
      expect(results.map(text)).toEqual(['x1', 'x2', 'x3']);
      await client.close();
    });
  });

  it('[LS-4] [LS-5] [LS-7] SDK v1 SSEClientTransport (legacy 2024-11-05) on the same server', async () => {
    running = await startOurs({}, serverSdk);
    const client = new ClientV1({ name: 'legacy', version: '1.0.0' });
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the legacy transport is what this test is about
    await client.connect(new SSEClientV1(running.sseUrl!));
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'old' } }))).toBe('old');
    await client.close();
  });

  it('[LS-4] [LS-5] SDK v2 SSEClientTransport (legacy) on the same server', async () => {
    running = await startOurs({}, serverSdk);
    const client = new ClientV2({ name: 'legacy2', version: '2.0.0' });
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the legacy transport is what this test is about
    await client.connect(new SSEClientV2(running.sseUrl!));
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'old2' } }))).toBe('old2');
    await client.close();
  });
});

it('[SH-19] related notifications arrive on the request stream before the response (SDK v1)', async () => {
  running = await startOurs({});
  const client = new ClientV1({ name: 'c', version: '1.0.0' });
  const logs: string[] = [];
  await client.connect(new StreamableV1(running.url));
  client.fallbackNotificationHandler = async (n) => {
    logs.push(String((n.params as { data?: unknown }).data));
  };
  expect(text(await client.callTool({ name: 'slow', arguments: { steps: 3 } }))).toBe('done 3');
  expect(logs).toEqual(['step 1', 'step 2', 'step 3']);
  await client.close();
});

it('[SH-47] terminateSession (DELETE) fires onclose on the server side exactly once', async () => {
  let closes = 0;
  running = await startOurs({
    onconnection: (transport) => {
      const prev = transport.onclose;
      void import('./_fixtures/servers.js').then(({ createV1Server }) =>
        createV1Server()
          .connect(transport)
          .then(() => {
            const sdkClose = transport.onclose;
            transport.onclose = () => {
              closes++;
              sdkClose?.();
              prev?.();
            };
          }),
      );
    },
  });
  const transport = new StreamableV1(running.url);
  const client = new ClientV1({ name: 'c', version: '1.0.0' });
  await client.connect(transport);
  expect(running.listener.sessionCount).toBe(1);
  await transport.terminateSession();
  expect(running.listener.sessionCount).toBe(0);
  expect(closes).toBe(1);
  await client.close();
});
