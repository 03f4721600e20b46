// Conformance layer 2 for WebSocket: the conformance package's raw-frame checks (subprotocol, text
// frames, 1003, 1009, malformed JSON, Host/Origin, auth, ping/pong) against our listener serving
// the official SDK's McpServer — in-process, and through the conformance CLI as a user runs it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { runWireChecks, WEBSOCKET_CHECKS } from '@mcp-transports/conformance/node';
import type { WebSocketTarget } from '@mcp-transports/conformance/node';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketListener } from './listener.js';
import type { WebSocketListenerOptions } from './listener.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MAX = 64 * 1024;

/** Our listener with an SDK McpServer per connection. */
async function serve(options: WebSocketListenerOptions): Promise<string> {
  const listener = new WebSocketListener({ maxMessageBytes: MAX, ...options });
  cleanups.push(() => listener.close());
  listener.onconnection = (transport) => {
    void new McpServer({ name: 'ws-wire', version: '1.0.0' }).connect(transport);
  };
  return (await listener.listen()).url;
}

async function expectAllPass(target: WebSocketTarget): Promise<string[]> {
  const results = await runWireChecks(WEBSOCKET_CHECKS, target, { concurrency: 4 });
  expect(results.map((r) => r.id)).toEqual(WEBSOCKET_CHECKS.map((c) => c.id));
  for (const result of results) {
    expect(['pass', 'n/a'], `[${result.requirements.join(', ')}] ${result.id}: ${result.message}`).toContain(
      result.status,
    );
  }
  return results.filter((r) => r.status === 'pass').map((r) => r.id);
}

describe('WebSocket wire checks (conformance layer 2) against our listener', () => {
  it('[SEP-1288][TC-5][TC-6][SH-2][SH-3][SH-5][LC-26] every check passes with auth and a heartbeat', async () => {
    const url = await serve({
      heartbeatMs: 50,
      authenticate: ({ token }) => (token === 'secret' ? { token, clientId: 'c', scopes: [] } : undefined),
    });
    const passed = await expectAllPass({
      url,
      headers: { authorization: 'Bearer secret' },
      maxMessageBytes: MAX,
      requiresAuth: true,
      heartbeatMs: 50,
    });
    expect(passed).toEqual(WEBSOCKET_CHECKS.map((c) => c.id));
  });

  it('the auth and ping checks are n/a when the target does not claim them; the rest pass', async () => {
    const url = await serve({});
    const passed = await expectAllPass({ url, maxMessageBytes: MAX });
    expect(passed).not.toContain('SH-5.auth-refused');
    expect(passed).not.toContain('LC-26.server-pings');
    expect(passed).toContain('SEP-1288.binary-1003');
  });

  it('fails the Origin and Host checks against a listener with DNS-rebinding protection off', async () => {
    const url = await serve({ dnsRebindingProtection: false });
    const results = await runWireChecks(
      WEBSOCKET_CHECKS,
      { url, maxMessageBytes: MAX },
      { only: ['SH-2.', 'SH-3.', 'SH-5.'] },
    );
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['SH-3.origin-refused', 'fail'],
      ['SH-2.host-refused', 'fail'],
      ['SH-5.auth-refused', 'n/a'],
    ]);
    expect(results[0]?.message).toMatch(/switched protocols \(101\)/);
  });

  it('runs from the CLI: mcp-transports-conformance websocket <url>', { timeout: 60_000 }, async () => {
    const url = await serve({ heartbeatMs: 50 });
    const cli = createRequire(import.meta.url).resolve('@mcp-transports/conformance/cli');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, 'websocket', url, '--max-message-bytes', String(MAX), '--heartbeat-ms', '50'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(() => child.kill('SIGKILL'));
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code, `${lines.join('\n')}\n${stderr}`).toBe(0);
    const table = lines.join('\n');
    expect(table).toContain(`websocket ${url}`);
    expect(table).toContain('SEP-1288.binary-1003');
    expect(table).toContain('TC-6.oversize-1009');
  });
});
