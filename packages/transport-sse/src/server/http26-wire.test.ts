/**
 * Conformance layer 2 for the 2026-07-28 revision (spec section H) against our listener serving an
 * SDK v2 McpServer: once on an endpoint that serves every era, once 2026-only.
 */
import { HTTP26_CHECKS, runWireChecks, type Http26Target } from '@mcp-transports/conformance/node';
import type { CheckResult } from '@mcp-transports/conformance';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createMcpHttpServer, type McpHttpServer } from './index.js';
import { createApp } from './_fixtures/modern.js';

const modes = [
  { name: 'every era on one endpoint', modernOnly: false },
  { name: '2026-only endpoint', modernOnly: true },
];

describe.each(modes)('2026-07-28 wire checks: our listener, $name', ({ modernOnly }) => {
  let running: McpHttpServer;
  let results: CheckResult[] = [];
  beforeAll(async () => {
    running = await createMcpHttpServer({
      onconnection: (transport) => void createApp(transport),
      modernOnly,
      requiredClientCapabilities: (method) => (method === 'prompts/get' ? { sampling: {} } : undefined),
      toolInputSchema: (name) =>
        name === 'deploy'
          ? { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' } } }
          : undefined,
    });
    const target: Http26Target = {
      url: running.url,
      modernOnly,
      capabilityGated: { method: 'prompts/get', params: { name: 'summary' } },
      paramHeaderTool: { name: 'deploy', argument: 'region', header: 'Region' },
    };
    results = await runWireChecks(HTTP26_CHECKS, target, { timeoutMs: 10_000 });
  }, 60_000);
  afterAll(() => running.close());

  it('runs every check; only the checks the mode rules out are n/a', () => {
    expect(results.map((r) => r.id)).toEqual(HTTP26_CHECKS.map((c) => c.id));
    const notApplicable = results.filter((r) => r.status === 'n/a').map((r) => r.id);
    expect(notApplicable).toEqual(modernOnly ? [] : ['http26.modern-only-refuses-initialize']);
  });

  it.each(HTTP26_CHECKS.map((check) => [`[${check.requirements.join(', ')}] ${check.id}`, check.id] as const))(
    '%s passes (or does not apply)',
    (_name, id) => {
      const result = results.find((r) => r.id === id);
      expect(['pass', 'n/a'], result?.message).toContain(result?.status);
    },
  );
});

it('the same checks pass against the official SDK v2 createMcpHandler (the checks agree with the reference)', async () => {
  const handler = createMcpHandler(() => {
    const server = new McpServer({ name: 'reference', version: '1.0.0' });
    server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
      content: [{ type: 'text' as const, text }],
    }));
    return server;
  });
  const http = serve({ fetch: (request) => handler.fetch(request), port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => http.once('listening', resolve));
  try {
    const { port } = http.address() as { port: number };
    const results = await runWireChecks(HTTP26_CHECKS, { url: `http://127.0.0.1:${port}/mcp` });
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
    expect(results.filter((r) => r.status === 'pass').length).toBe(HTTP26_CHECKS.length - 3);
  } finally {
    await handler.close();
    await new Promise((resolve) => http.close(resolve));
  }
});

it('the checks fail, with reasons, against a server that answers 200 to everything', async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const results = await runWireChecks(HTTP26_CHECKS, { url: `http://127.0.0.1:${port}/mcp` });
    const applicable = results.filter((r) => r.status !== 'n/a');
    expect(applicable.every((r) => r.status === 'fail' && r.message.length > 0)).toBe(true);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

it('[M26-23] mcp-transports-conformance http26 <url> (the CLI, as a child process) passes against a 2026-only listener', async () => {
  const running = await createMcpHttpServer({
    onconnection: (transport) => void createApp(transport),
    modernOnly: true,
  });
  try {
    const cli = fileURLToPath(import.meta.resolve('@mcp-transports/conformance/cli'));
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      cli,
      'http26',
      '--modern-only',
      '--header',
      'X-Trace: cli',
      running.url.href,
    ]);
    // Two checks need a declared capability gate or x-mcp-header tool: n/a from the CLI.
    expect(stdout).toMatch(new RegExp(`${HTTP26_CHECKS.length} checks: ${HTTP26_CHECKS.length - 2} pass, 0 fail`));
  } finally {
    await running.close();
  }
}, 60_000);
