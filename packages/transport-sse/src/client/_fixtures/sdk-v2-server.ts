/**
 * Test peer: the official SDK v2 `WebStandardStreamableHTTPServerTransport` (one stateful session)
 * with a v2 `McpServer`, behind node:http through the Node → fetch-API adapter in node-web.ts.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { nodeListener } from './node-web.js';

export interface SdkV2Peer {
  url: string;
  close(): Promise<void>;
}

export async function startSdkV2Peer(options: { json?: boolean } = {}): Promise<SdkV2Peer> {
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    enableJsonResponse: options.json === true,
  });
  const server = new McpServer({ name: 'sdk-v2-peer', version: '2.0.0' });
  server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  await server.connect(transport);
  const http = createServer(nodeListener((request) => transport.handleRequest(request)));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: async () => {
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
