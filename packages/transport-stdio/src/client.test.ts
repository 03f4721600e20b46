import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTransportError, TransportErrorCode } from '@mcp-transports/core';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, isAlive, rpc, waitFor } from './fixtures/helpers.js';
import { DEFAULT_INHERITED_ENV_VARS, getDefaultEnvironment, StdioClientTransport } from './index.js';
import type { StdioClientTransportOptions } from './index.js';

const open: StdioClientTransport[] = [];
function client(options: Partial<StdioClientTransportOptions> = {}, ...flags: string[]) {
  const transport = new StdioClientTransport({ ...fixture('echo-server', ...flags), stderr: 'pipe', ...options });
  open.push(transport);
  return transport;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

describe('StdioClientTransport: start and lifecycle', () => {
  it('[ST-2] spawns the server and exchanges messages in order', async () => {
    const transport = client();
    const peer = rpc(transport);
    await transport.start();
    expect(transport.pid).toBeTypeOf('number');
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => peer.request('echo', { i })));
    expect(replies.map((r) => r.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peer.errors).toEqual([]);
  });

  it('[TC-1] rejects a second start()', async () => {
    const transport = client();
    await transport.start();
    await expect(transport.start()).rejects.toMatchObject({ code: TransportErrorCode.AlreadyStarted });
  });

  it('[TC-2] send() before start() and after close() rejects, never throws', async () => {
    const transport = client();
    await expect(transport.send({ jsonrpc: '2.0', method: 'x' })).rejects.toMatchObject({
      code: TransportErrorCode.NotStarted,
    });
    await transport.start();
    await transport.close();
    await expect(transport.send({ jsonrpc: '2.0', method: 'x' })).rejects.toMatchObject({
      code: TransportErrorCode.Closed,
    });
  });

  it('rejects with an error naming the command when it does not exist (ENOENT)', async () => {
    const transport = new StdioClientTransport({ command: 'no-such-mcp-server-xyz', args: [] });
    let closes = 0;
    transport.onclose = () => closes++;
    const error: unknown = await transport.start().catch((e: unknown) => e);
    expect(isTransportError(error, TransportErrorCode.Connection)).toBe(true);
    expect((error as Error).message).toContain('no-such-mcp-server-xyz');
    expect((error as Error).message).toContain('ENOENT');
    await transport.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(closes).toBe(1);
    expect(transport.closeReason?.by).toBe('spawn-error');
  });

  it('rejects with an error naming the command when it is not executable (EACCES)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stdio-eacces-'));
    const file = join(dir, 'server.sh');
    writeFileSync(file, '#!/bin/sh\necho hi\n');
    chmodSync(file, 0o644);
    try {
      const transport = new StdioClientTransport({ command: file });
      const error: unknown = await transport.start().catch((e: unknown) => e);
      expect(isTransportError(error, TransportErrorCode.Connection)).toBe(true);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toContain('EACCES');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('[TC-4] close() is idempotent and fires onclose once; exit code readable', async () => {
    const transport = client();
    const peer = rpc(transport);
    await transport.start();
    await Promise.all([transport.close(), transport.close()]);
    await transport.close();
    expect(peer.closes).toBe(1);
    expect(transport.closeReason?.by).toBe('close');
    expect(transport.closeReason?.escalation).toBeUndefined();
    expect(transport.exitCode).toBe(0);
  });

  it('[TC-4] fires onclose once when the server exits by itself, with its exit code', async () => {
    const transport = client();
    const peer = rpc(transport);
    await transport.start();
    await peer.request('exit', { code: 3 });
    await waitFor(() => peer.closes === 1, 5000, 'onclose');
    expect(transport.exitCode).toBe(3);
    expect(transport.closeReason).toMatchObject({ by: 'exit', exitCode: 3, signal: null });
    await transport.close();
    expect(peer.closes).toBe(1);
  });

  it('[TC-4] fires onclose once when the server crashes, with the signal', async () => {
    const transport = client();
    const peer = rpc(transport);
    await transport.start();
    void peer.request('crash').catch(() => {});
    await waitFor(() => peer.closes === 1, 5000, 'onclose');
    expect(transport.signalCode).toBe('SIGKILL');
    expect(transport.closeReason).toMatchObject({ by: 'exit', signal: 'SIGKILL' });
    await expect(transport.send({ jsonrpc: '2.0', method: 'x' })).rejects.toMatchObject({
      code: TransportErrorCode.Closed,
    });
  });

  it('[TC-4] fires onclose once when the server is killed from outside', async () => {
    const transport = client();
    const peer = rpc(transport);
    await transport.start();
    process.kill(transport.pid!, 'SIGTERM');
    await waitFor(() => peer.closes === 1, 5000, 'onclose');
    expect(transport.signalCode).toBe('SIGTERM');
    await transport.close();
    expect(peer.closes).toBe(1);
  });
});

describe('StdioClientTransport: environment, cwd, stderr', () => {
  it('passes only the allow-listed parent variables, merged with env', async () => {
    process.env.STDIO_TEST_SECRET = 'do-not-leak';
    try {
      const transport = client({ env: { EXTRA: 'yes' } });
      const peer = rpc(transport);
      await transport.start();
      const info = await peer.request('info');
      expect(info.env.EXTRA).toBe('yes');
      expect(info.env.STDIO_TEST_SECRET).toBeUndefined();
      expect(info.env.PATH).toBe(process.env.PATH);
    } finally {
      delete process.env.STDIO_TEST_SECRET;
    }
  });

  it('getDefaultEnvironment keeps the documented list and drops shell functions', () => {
    expect(DEFAULT_INHERITED_ENV_VARS).toEqual(['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER']);
    expect(getDefaultEnvironment({ HOME: '/h', SHELL: '() { :; }; echo pwned', AWS_SECRET: 'x' })).toEqual({
      HOME: '/h',
    });
  });

  it('runs the server in cwd', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stdio-cwd-'));
    try {
      const transport = client({ cwd: dir });
      const peer = rpc(transport);
      await transport.start();
      expect((await peer.request('info')).cwd).toBe(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('[ST-5][ST-6] stderr: pipe is readable before start() and is never reported as an error', async () => {
    const transport = client();
    const peer = rpc(transport);
    let text = '';
    transport.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await transport.start();
    await waitFor(() => text.includes('echo-server: ready'), 10000, 'early stderr');
    expect(peer.errors).toEqual([]);
  });

  it('stderr is null unless piped', () => {
    expect(new StdioClientTransport({ command: 'x', stderr: 'ignore' }).stderr).toBeNull();
  });
});

describe('StdioClientTransport: messages and limits', () => {
  it('[TC-6] a 50 MB message goes through both ways when the limit allows it', async () => {
    const transport = client({ maxMessageBytes: 64 * 1024 * 1024 }, '--max=67108864');
    const peer = rpc(transport);
    await transport.start();
    const text = 'é'.repeat(25 * 1024 * 1024); // 50 MiB of UTF-8
    const reply = await peer.request('echo', { text });
    expect(reply.text.length).toBe(text.length);
    expect(reply.text === text).toBe(true);
    expect(peer.errors).toEqual([]);
  });

  it('[TC-6] an over-limit message is reported (ERR_MESSAGE_TOO_LARGE) and the connection keeps working', async () => {
    const transport = client({ maxMessageBytes: 1024 });
    const peer = rpc(transport);
    await transport.start();
    const big = peer.request('big', { bytes: 4096 });
    await waitFor(() => peer.errors.length === 1, 5000, 'onerror');
    expect(peer.errors[0]).toMatchObject({ code: TransportErrorCode.MessageTooLarge });
    expect((await peer.request('echo', { after: true })).after).toBe(true);
    void big;
  });

  it('[ST-7][TC-5] a non-JSON line on the server stdout is reported and skipped', async () => {
    const transport = client();
    const peer = rpc(transport);
    await transport.start();
    await peer.request('raw', { text: 'this is not json\n{"jsonrpc":"2.0","method":"after"}\n' });
    await waitFor(() => peer.others.length === 1, 5000, 'the next message');
    expect(peer.errors).toHaveLength(1);
    expect(peer.errors[0]).toMatchObject({ code: TransportErrorCode.ParseError });
    expect(peer.others[0]).toMatchObject({ method: 'after' });
  });

  it('[ST-7] guardStdout keeps console.log off the wire and sends it to stderr', async () => {
    const transport = client();
    const peer = rpc(transport);
    let text = '';
    transport.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await transport.start();
    expect(await peer.request('log', { text: 'stray output' })).toEqual({ logged: true });
    await waitFor(() => text.includes('stray output (direct)'), 5000, 'stderr');
    expect(text).toContain('stray output\n');
    expect(peer.errors).toEqual([]);
  });

  it('waits for drain without piling up listeners under a burst', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const transport = client();
      const peer = rpc(transport);
      await transport.start();
      const payload = 'y'.repeat(16 * 1024);
      const sends = Array.from({ length: 2000 }, (_, i) =>
        transport.send({ jsonrpc: '2.0', method: 'burst', params: { i, payload } }),
      );
      await Promise.all(sends);
      await waitFor(() => peer.others.length === 2000, 20000, 'every echo');
      expect(peer.others.map((m) => (m as unknown as { params: { i: number } }).params.i)).toEqual(
        Array.from({ length: 2000 }, (_, i) => i),
      );
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('StdioClientTransport: shutdown of the whole tree', () => {
  it('closing stdin is enough for a well-behaved server (no signal needed)', async () => {
    const transport = client();
    await transport.start();
    await transport.close();
    expect(transport.closeReason).toMatchObject({ by: 'close', exitCode: 0, escalation: undefined });
  });

  it('a server that ignores stdin EOF gets SIGTERM after closeTimeoutMs', async () => {
    const transport = client({ closeTimeoutMs: 200, killTimeoutMs: 2000 }, '--ignore-eof');
    await transport.start();
    await transport.close();
    expect(transport.closeReason).toMatchObject({ by: 'close', escalation: 'SIGTERM', signal: 'SIGTERM' });
  });

  it('a server that ignores EOF and SIGTERM is SIGKILLed with its grandchild', async () => {
    const transport = client({ closeTimeoutMs: 200, killTimeoutMs: 300 }, '--ignore-eof', '--ignore-term');
    const peer = rpc(transport);
    await transport.start();
    const { pid: grandchild } = await peer.request('spawn', { ignoreTerm: true });
    expect(isAlive(grandchild)).toBe(true);
    await transport.close();
    expect(transport.closeReason).toMatchObject({ by: 'close', escalation: 'SIGKILL', signal: 'SIGKILL' });
    expect(peer.closes).toBe(1);
    await waitFor(() => !isAlive(grandchild), 2000, 'the grandchild to die');
  });

  it('the grandchild of a well-behaved server dies with it on close()', async () => {
    const transport = client({ closeTimeoutMs: 200, killTimeoutMs: 300 });
    const peer = rpc(transport);
    await transport.start();
    const { pid: grandchild } = await peer.request('spawn', { ignoreTerm: false });
    await transport.close();
    await waitFor(() => !isAlive(grandchild), 2000, 'the grandchild to die');
  });
});
