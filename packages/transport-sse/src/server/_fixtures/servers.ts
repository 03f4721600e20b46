/**
 * Test fixtures: real MCP servers (official SDK v1 and v2) behind our listener on an ephemeral
 * loopback port.
 */
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import * as z from 'zod';
import type { Transport } from '@mcp-transports/core';
import { createMcpHttpServer, type McpHttpServer, type McpHttpServerOptions } from '../index.js';

export type Sdk = 'v1' | 'v2';

/** An SDK v1 server with an `echo` tool, a `slow` tool that reports progress, and `whoami`. */
export function createV1Server(): McpServerV1 {
  const server = new McpServerV1({ name: 'fixture-v1', version: '1.0.0' }, { capabilities: { logging: {} } });
  server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('slow', { inputSchema: { steps: z.number() } }, async ({ steps }, extra) => {
    for (let i = 1; i <= steps; i++) {
      await extra.sendNotification({
        method: 'notifications/message',
        params: { level: 'info', data: `step ${i}` },
      });
    }
    return { content: [{ type: 'text', text: `done ${steps}` }] };
  });
  server.registerTool('whoami', {}, (extra) => ({
    content: [{ type: 'text', text: extra.authInfo?.clientId ?? 'anonymous' }],
  }));
  return server;
}

/** An SDK v2 server with an `echo` tool. */
export function createV2Server(): McpServerV2 {
  const server = new McpServerV2({ name: 'fixture-v2', version: '2.0.0' });
  server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
    content: [{ type: 'text' as const, text }],
  }));
  return server;
}

/** Connects a fresh SDK server of the given major to a transport. */
export function connectServer(sdk: Sdk, transport: Transport): void {
  const server = sdk === 'v1' ? createV1Server() : createV2Server();
  void server.connect(transport);
}

/** Our HTTP server on 127.0.0.1:0 with an SDK server per session. */
export function startOurs(options: Partial<McpHttpServerOptions> = {}, sdk: Sdk = 'v1'): Promise<McpHttpServer> {
  return createMcpHttpServer({
    onconnection: (transport) => connectServer(sdk, transport),
    ...options,
  });
}
