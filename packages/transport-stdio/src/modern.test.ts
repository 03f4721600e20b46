/**
 * MCP 2026-07-28 over stdio, on real child processes: restarting a server that died (M26-9, opt-in),
 * cancellation by `notifications/cancelled` (M26-7), exit on stdin EOF (M26-8), and the SDK v2
 * Client's `server/discover` probe (M26-10) over our client transport.
 */
import { TransportErrorCode } from '@mcp-transports/core';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, isAlive, rpc, waitFor } from './fixtures/helpers.js';
import { StdioClientTransport, type StdioClientTransportOptions } from './index.js';

const FAST = { backoff: { initialDelayMs: 1, maxDelayMs: 5 } };
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

function transport(options: Partial<StdioClientTransportOptions> & Pick<StdioClientTransportOptions, 'command'>) {
  const t = new StdioClientTransport({ stderr: 'pipe', ...options });
  open.push(t);
  return t;
}

function stderrText(t: StdioClientTransport): { text: string } {
  const out = { text: '' };
  t.stderr?.on('data', (chunk: Buffer) => {
    out.text += chunk.toString('utf8');
  });
  return out;
}

describe('StdioClientTransport restart (M26-9, opt-in)', () => {
  it('[M26-9] restarts a server that crashed, fails the request it owed, and carries on', async () => {
    const t = transport({ ...fixture('echo-server'), restart: FAST });
    const peer = rpc(t);
    await t.start();
    const first = t.pid;
    await expect(peer.request('crash')).rejects.toThrow(/exited on SIGKILL before answering this request/);
    expect(peer.errors.map((e) => e.message).join('\n')).toMatch(/restarting it \(attempt 1 of 5\)/);
    const info = (await peer.request('info')) as { pid: number };
    expect(info.pid).not.toBe(first);
    expect(t.pid).toBe(info.pid);
    expect(t.restarts).toBe(1);
    expect(peer.closes).toBe(0);
    if (first !== undefined) expect(isAlive(first)).toBe(false);
  });

  it('[M26-9] sends made while the server restarts go to the new server', async () => {
    const t = transport({ ...fixture('echo-server'), restart: FAST });
    const peer = rpc(t);
    await t.start();
    const first = t.pid as number;
    process.kill(first, 'SIGKILL');
    await waitFor(() => peer.errors.length > 0, 5000, 'the restart notice');
    const echoed = (await peer.request('echo', { n: 1 })) as { n: number };
    expect(echoed.n).toBe(1);
    expect(t.pid).not.toBe(first);
  });

  it('[M26-9] gives up after maxRestarts exits in a row, then closes once', async () => {
    const t = transport({
      command: process.execPath,
      args: ['-e', 'process.exit(3)'],
      restart: { ...FAST, maxRestarts: 2 },
    });
    const peer = rpc(t);
    await t.start();
    await waitFor(() => peer.closes === 1, 10_000, 'onclose');
    expect(t.restarts).toBe(2);
    expect(t.closeReason).toMatchObject({ by: 'exit', exitCode: 3 });
    expect(peer.errors.at(-1)?.message).toMatch(/restarted 2 time\(s\) in a row; giving up/);
    await expect(t.send({ jsonrpc: '2.0', method: 'x' })).rejects.toMatchObject({ code: TransportErrorCode.Closed });
  });

  it('without restart, a crash closes the transport (the default is unchanged)', async () => {
    const t = transport(fixture('echo-server'));
    const peer = rpc(t);
    await t.start();
    process.kill(t.pid as number, 'SIGKILL');
    await waitFor(() => peer.closes === 1, 5000, 'onclose');
    expect(t.restarts).toBe(0);
    expect(t.closeReason).toMatchObject({ by: 'exit', signal: 'SIGKILL' });
  });

  it('close() while a restart is pending closes once and leaves no process', async () => {
    const t = transport({
      ...fixture('echo-server'),
      restart: { backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 } },
    });
    const peer = rpc(t);
    await t.start();
    const first = t.pid as number;
    process.kill(first, 'SIGKILL');
    await waitFor(() => peer.errors.length > 0, 5000, 'the restart notice');
    await t.close();
    expect(peer.closes).toBe(1);
    expect(t.closeReason?.by).toBe('close');
    const last = t.pid;
    if (last !== undefined) expect(isAlive(last)).toBe(false);
  });

  it('rejects a bad maxRestarts with a clear error', () => {
    expect(() => new StdioClientTransport({ command: 'x', restart: { maxRestarts: -1 } })).toThrow(
      /restart.maxRestarts must be a non-negative integer/,
    );
  });

  it('[M26-9] replays the captured initialize and initialized to the new server, swallowing the answer', async () => {
    // The echo server answers `initialize` with an error (unknown method) and echoes notifications back.
    const t = transport({ ...fixture('echo-server'), restart: FAST });
    const peer = rpc(t);
    await t.start();
    await expect(peer.request('initialize', { protocolVersion: '2025-06-18' })).rejects.toThrow(/unknown method/);
    await t.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await waitFor(() => peer.others.length === 1, 5000, 'the echoed notification');
    process.kill(t.pid as number, 'SIGKILL');
    await waitFor(() => peer.others.length === 2, 5000, 'the replayed notification, echoed by the new server');
    expect(peer.others).toEqual([
      { jsonrpc: '2.0', method: 'notifications/initialized', params: {} },
      { jsonrpc: '2.0', method: 'notifications/initialized', params: {} },
    ]);
    // The replayed initialize's answer was not delivered; the new server answers our requests.
    expect((await peer.request('echo', { k: 2 })) as unknown).toEqual({ k: 2 });
    expect(peer.others).toHaveLength(2);
  });

  it('[M26-9] an SDK v1 (2025) session carries on after a crash', async () => {
    const t = transport({ ...fixture('sdk-server', 'v1', 'ours'), restart: FAST });
    const client = new ClientV1({ name: 'restart', version: '1.0.0' });
    open.push(client);
    await client.connect(t);
    const first = t.pid as number;
    process.kill(first, 'SIGKILL');
    await waitFor(() => t.restarts === 1, 5000, 'the restart');
    expect(await client.callTool({ name: 'echo', arguments: { text: 'again' } })).toMatchObject({
      content: [{ type: 'text', text: 'echo: again' }],
    });
  });
});

describe('StdioClientTransport with 2026-07-28 servers', () => {
  it('[M26-10] the SDK v2 Client probes with server/discover over our transport and settles on 2026-07-28', async () => {
    const t = transport(fixture('modern-server'));
    const client = new ClientV2({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    open.push(client);
    await client.connect(t);
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(await client.callTool({ name: 'echo', arguments: { text: 'new' } })).toMatchObject({
      content: [{ type: 'text', text: 'echo: new' }],
    });
  });

  it('[M26-10] the probe falls back to initialize against a 2025-only server (SDK v1)', async () => {
    const t = transport(fixture('sdk-server', 'v1', 'ours'));
    const client = new ClientV2({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    open.push(client);
    await client.connect(t);
    expect(client.getNegotiatedProtocolVersion()).not.toBe('2026-07-28');
    expect(await client.callTool({ name: 'echo', arguments: { text: 'old' } })).toMatchObject({
      content: [{ type: 'text', text: 'echo: old' }],
    });
  });

  it('[M26-10][M26-9] with restart, the in-place probe survives a server that exits on it', async () => {
    const t = transport({ ...fixture('strict-server'), restart: FAST });
    const client = new ClientV2({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    open.push(client);
    await client.connect(t);
    expect(t.restarts).toBe(1);
    expect(client.getNegotiatedProtocolVersion()).not.toBe('2026-07-28');
    expect(await client.callTool({ name: 'echo', arguments: { text: 'strict' } })).toMatchObject({
      content: [{ type: 'text', text: 'echo: strict' }],
    });
  });

  it("[M26-10] without restart, such a server makes connect() fail with the SDK's negotiation error", async () => {
    const t = transport(fixture('strict-server'));
    const client = new ClientV2({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await expect(client.connect(t)).rejects.toThrow(/server\/discover probe/);
    expect(t.closeReason).toMatchObject({ by: 'exit', exitCode: 1 });
  });

  it('[M26-9] a 2026-07-28 (stateless) connection carries on after a restart with nothing replayed', async () => {
    const t = transport({ ...fixture('modern-server'), restart: FAST });
    const client = new ClientV2({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    open.push(client);
    await client.connect(t);
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    const first = t.pid as number;
    process.kill(first, 'SIGKILL');
    await waitFor(() => t.restarts === 1, 5000, 'the restart');
    expect(await client.callTool({ name: 'echo', arguments: { text: 'reborn' } })).toMatchObject({
      content: [{ type: 'text', text: 'echo: reborn' }],
    });
    expect(t.pid).not.toBe(first);
  });

  it('[M26-7][M26-5] cancelling a call sends notifications/cancelled; the server stops and sends nothing more for it', async () => {
    const t = transport(fixture('modern-server'));
    const err = stderrText(t);
    const client = new ClientV2({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    open.push(client);
    await client.connect(t);
    // Watch the wire from here on: every message the server writes, and every one we write.
    const received: unknown[] = [];
    const sent: unknown[] = [];
    const deliver = t.onmessage;
    t.onmessage = (message) => {
      received.push(message);
      deliver?.(message);
    };
    const send = t.send.bind(t);
    t.send = (message, options) => {
      sent.push(message);
      return send(message, options);
    };
    const abort = new AbortController();
    const call = client.callTool({ name: 'wait', arguments: { tag: 'w1' } }, { signal: abort.signal });
    const settled = call.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await waitFor(() => err.text.includes('started w1'), 5000, 'the tool to start');
    abort.abort(new Error('user gave up'));
    expect(await settled).toBeInstanceOf(Error);
    await waitFor(() => err.text.includes('cancelled w1'), 5000, 'the server to see the cancellation');
    const request = sent.find((m) => (m as { method?: string }).method === 'tools/call') as { id: number };
    expect(sent).toContainEqual(
      expect.objectContaining({
        method: 'notifications/cancelled',
        params: expect.objectContaining({ requestId: request.id }) as unknown,
      }),
    );
    // M26-5: we never wrote a response. M26-7: the server sends nothing more for the request; a
    // later call's answer proves everything written before it has been read.
    expect(sent.every((m) => 'method' in (m as object))).toBe(true);
    expect(await client.callTool({ name: 'echo', arguments: { text: 'after' } })).toMatchObject({
      content: [{ type: 'text', text: 'echo: after' }],
    });
    expect(received.filter((m) => (m as { id?: unknown }).id === request.id)).toEqual([]);
  });

  it('[M26-5] after a server/discover opening the client refuses to write JSON-RPC responses', async () => {
    const t = transport(fixture('echo-server'));
    const peer = rpc(t);
    await t.start();
    await peer.request('server/discover').catch(() => undefined);
    await expect(t.send({ jsonrpc: '2.0', id: 5, result: {} })).rejects.toMatchObject({
      code: TransportErrorCode.InvalidMessage,
      message: expect.stringMatching(/must not write JSON-RPC responses/) as unknown,
    });
    // After an `initialize` (a 2025 fallback) responses are allowed again: 2025 servers send requests.
    await peer.request('initialize').catch(() => undefined);
    await expect(t.send({ jsonrpc: '2.0', id: 5, result: {} })).resolves.toBeUndefined();
  });

  it('[M26-8] the server exits on stdin EOF, before any signal is needed', async () => {
    const t = transport(fixture('modern-server'));
    const client = new ClientV2({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(t);
    const pid = t.pid as number;
    await client.close();
    expect(t.closeReason).toMatchObject({ by: 'close', exitCode: 0 });
    expect(t.closeReason?.escalation).toBeUndefined();
    expect(isAlive(pid)).toBe(false);
  });
});
