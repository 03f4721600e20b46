/**
 * Test fixtures for the 2026-07-28 era: one McpServer-based application served in every era by
 * one listener, and raw-fetch helpers that speak the 2026 wire by hand.
 */
import { McpServer as McpServerV2, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import * as z from 'zod';
import type { Transport } from '@mcp-transports/core';
import { PerRequestServerTransport } from '../index.js';

export const MODERN = '2026-07-28';

/** What the application saw of cancellations (M26-16). */
export interface AppProbe {
  /** Resolves each time a `wait` tool call is aborted. */
  aborted: string[];
  onAbort?: (() => void) | undefined;
  /** Resolves when a `wait` call has started. */
  onWaitStarted?: (() => void) | undefined;
}

/**
 * The application: an SDK v2 McpServer with `echo`, a `wait` tool that runs until aborted and a
 * `progress` tool that sends a related log notification first. The same factory serves every era.
 *
 * SDK v2 (2.4.0) binds a server instance to the 2026-07-28 era only inside its own entry points
 * (`createMcpHandler`, its `PerRequestHTTPServerTransport`); the one way an application on any
 * other transport gets a 2026-era instance is to set the negotiated version before connecting.
 */
export function createApp(transport: Transport, probe?: AppProbe): McpServerV2 {
  const server = new McpServerV2(
    { name: 'app', version: '1.0.0' },
    { capabilities: { logging: {} }, supportedProtocolVersions: [...SUPPORTED_PROTOCOL_VERSIONS, MODERN] },
  );
  server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
    content: [{ type: 'text' as const, text }],
  }));
  server.registerTool('wait', { inputSchema: z.object({ tag: z.string() }) }, ({ tag }, ctx) => {
    probe?.onWaitStarted?.();
    return new Promise((resolve) => {
      ctx.mcpReq.signal.addEventListener('abort', () => {
        probe?.aborted.push(tag);
        probe?.onAbort?.();
        resolve({ content: [{ type: 'text' as const, text: 'aborted' }] });
      });
    });
  });
  server.registerTool('progress', { inputSchema: z.object({}) }, async (_args, ctx) => {
    await ctx.mcpReq.notify({ method: 'notifications/message', params: { level: 'info', data: 'working' } });
    return { content: [{ type: 'text' as const, text: 'done' }] };
  });
  if (transport instanceof PerRequestServerTransport) {
    (server.server as unknown as { _negotiatedProtocolVersion?: string })._negotiatedProtocolVersion =
      transport.protocolVersion;
  }
  void server.connect(transport);
  return server;
}

/** The `_meta` envelope every 2026 request carries (M26-1). */
export function envelope(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
    ...extra,
  };
}

/** A 2026 request body. */
export function modernRequest(method: string, params: Record<string, unknown> = {}, id: number | string = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: envelope() } });
}

/** The headers a 2026 client sends with a request (M26-17, M26-20). */
export function modernHeaders(method: string, name?: string): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    'mcp-protocol-version': MODERN,
    'mcp-method': method,
  };
  if (name !== undefined) headers['mcp-name'] = name;
  return headers;
}

/** POSTs a body with exactly these headers. */
export function post(url: URL | string, body: string, headers: Record<string, string>, signal?: AbortSignal) {
  return fetch(url, { method: 'POST', headers, body, signal: signal ?? null });
}

/** The JSON-RPC messages of an SSE body. */
export function sseMessages(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const block of text.split('\n\n')) {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice(6))
      .join('\n');
    if (data.length > 0) out.push(JSON.parse(data) as Record<string, unknown>);
  }
  return out;
}
