/**
 * Test peer: the official SDK v2 `WebStandardStreamableHTTPServerTransport` (one stateful session)
 * with a v2 `McpServer`, behind node:http through a small Node → fetch-API adapter.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { z } from 'zod';

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
  const http = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers.set(name, value);
      }
      const body = Buffer.concat(chunks);
      const response = await transport.handleRequest(
        new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
          method: req.method ?? 'GET',
          headers,
          ...(body.length === 0 ? {} : { body }),
        }),
      );
      const out: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        out[name] = value;
      });
      res.writeHead(response.status, out);
      res.flushHeaders();
      if (response.body !== null) {
        const reader = response.body.getReader();
        res.on('close', () => void reader.cancel().catch(() => undefined));
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          res.write(value);
        }
      }
      res.end();
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
      else res.destroy();
    });
  });
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
