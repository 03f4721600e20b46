/**
 * The reusable wire checks (conformance layer 2) against our listener, in every mode, plus the
 * SDK's own server transport as a reference point where it differs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { McpHttpServer } from './index.js';
import { startOurs } from './_fixtures/servers.js';
import { runWireChecks, streamableHttpWireChecks, type WireCheckOptions } from './wire-checks.js';

const modes: { name: string; options: Record<string, unknown>; sessions: boolean }[] = [
  { name: 'stateful SSE', options: {}, sessions: true },
  { name: 'stateful JSON', options: { enableJsonResponse: true }, sessions: true },
  { name: 'stateful SSE + resumability', options: { resumability: true }, sessions: true },
  { name: 'stateless shared', options: { sessionIdGenerator: undefined }, sessions: false },
  {
    name: 'stateless per-request JSON',
    options: { stateless: 'per-request', enableJsonResponse: true },
    sessions: false,
  },
];

describe.each(modes)('wire checks: our listener, $name', ({ options, sessions }) => {
  let running: McpHttpServer;
  let checkOptions: WireCheckOptions;
  beforeAll(async () => {
    running = await startOurs({ ...options, maxMessageBytes: 64 * 1024 });
    checkOptions = { url: running.url, sessions, originCheck: true, maxMessageBytes: 64 * 1024 };
  });
  afterAll(() => running.close());

  for (const check of streamableHttpWireChecks) {
    it.skipIf(!check.applies({ url: '', sessions, originCheck: true, maxMessageBytes: 1 }))(
      `[${check.id}] ${check.name}`,
      async () => {
        await check.run(checkOptions);
      },
    );
  }
});

it('runWireChecks reports every check as passed or skipped against our listener', async () => {
  const running = await startOurs({ maxMessageBytes: 4096 });
  try {
    const results = await runWireChecks({ url: running.url, sessions: true, originCheck: true, maxMessageBytes: 4096 });
    expect(results.filter((r) => r.status === 'failed')).toEqual([]);
    expect(results.filter((r) => r.status === 'passed').length).toBe(streamableHttpWireChecks.length);
  } finally {
    await running.close();
  }
});

it('runWireChecks reports failures with a reason instead of throwing (a server that answers 200 to everything)', async () => {
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const results = await runWireChecks({ url: `http://127.0.0.1:${port}/mcp`, sessions: true });
    const failed = results.filter((r) => r.status === 'failed');
    expect(failed.length).toBeGreaterThan(5);
    expect(failed.every((r) => typeof r.error === 'string' && r.error.length > 0)).toBe(true);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
