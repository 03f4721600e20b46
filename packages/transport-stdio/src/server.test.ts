import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import type { JSONRPCMessage } from '@mcp-transports/core';
import { TransportErrorCode } from '@mcp-transports/core';
import { describe, expect, it } from 'vitest';
import { fixture, isAlive, waitFor } from './fixtures/helpers.js';
import { exitWhenClosed, StdioServerTransport } from './index.js';

function setup(options: { maxMessageBytes?: number; endOnClose?: boolean } = {}) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const transport = new StdioServerTransport({ stdin, stdout, ...options });
  const messages: JSONRPCMessage[] = [];
  const errors: Error[] = [];
  let closes = 0;
  transport.onmessage = (m) => messages.push(m);
  transport.onerror = (e) => errors.push(e);
  transport.onclose = () => closes++;
  let written = '';
  stdout.on('data', (chunk: Buffer) => (written += chunk.toString()));
  return {
    stdin,
    stdout,
    transport,
    messages,
    errors,
    get closes() {
      return closes;
    },
    get written() {
      return written;
    },
  };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('StdioServerTransport', () => {
  it('[ST-4] reads newline-delimited messages and writes one line per message', async () => {
    const s = setup();
    await s.transport.start();
    s.stdin.write('{"jsonrpc":"2.0","id":0,"method":"a"}\n{"jsonrpc":"2.0","id":"","me');
    s.stdin.write('thod":"b"}\r\n\n');
    await tick();
    expect(s.messages).toEqual([
      { jsonrpc: '2.0', id: 0, method: 'a' },
      { jsonrpc: '2.0', id: '', method: 'b' },
    ]);
    await Promise.all([
      s.transport.send({ jsonrpc: '2.0', id: 0, result: { text: 'line\nbreak' } }),
      s.transport.send({ jsonrpc: '2.0', method: 'n' }),
    ]);
    expect(s.written).toBe(
      '{"jsonrpc":"2.0","id":0,"result":{"text":"line\\nbreak"}}\n{"jsonrpc":"2.0","method":"n"}\n',
    );
  });

  it('reassembles a multi-byte UTF-8 character split across chunks', async () => {
    const s = setup();
    await s.transport.start();
    const bytes = Buffer.from('{"jsonrpc":"2.0","method":"m","params":{"t":"é😀中"}}\n');
    const at = bytes.indexOf(Buffer.from('😀')) + 2;
    s.stdin.write(bytes.subarray(0, at));
    await tick();
    s.stdin.write(bytes.subarray(at));
    await tick();
    expect(s.messages).toEqual([{ jsonrpc: '2.0', method: 'm', params: { t: 'é😀中' } }]);
    expect(s.errors).toEqual([]);
  });

  it('[TC-5] reports a malformed line and goes on with the next', async () => {
    const s = setup();
    await s.transport.start();
    s.stdin.write('not json\n{"jsonrpc":"1.0","method":"x"}\n{"jsonrpc":"2.0","method":"ok"}\n');
    await tick();
    expect(s.errors.map((e) => (e as { code?: string }).code)).toEqual([
      TransportErrorCode.ParseError,
      TransportErrorCode.InvalidMessage,
    ]);
    expect(s.messages).toEqual([{ jsonrpc: '2.0', method: 'ok' }]);
    expect(s.closes).toBe(0);
  });

  it('[TC-6] reports an over-limit line (ERR_MESSAGE_TOO_LARGE) and keeps working', async () => {
    const s = setup({ maxMessageBytes: 100 });
    await s.transport.start();
    s.stdin.write(`{"jsonrpc":"2.0","method":"big","params":{"x":"${'x'.repeat(60)}`);
    s.stdin.write(`${'x'.repeat(60)}"}}\n{"jsonrpc":"2.0","method":"small"}\n`);
    await tick();
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toMatchObject({ code: TransportErrorCode.MessageTooLarge });
    expect(s.messages).toEqual([{ jsonrpc: '2.0', method: 'small' }]);
  });

  it('[TC-4] closes once when stdin ends, delivering a final unterminated line first', async () => {
    const s = setup();
    await s.transport.start();
    s.stdin.end('{"jsonrpc":"2.0","method":"last"}');
    await waitFor(() => s.closes === 1, 2000, 'onclose');
    expect(s.messages).toEqual([{ jsonrpc: '2.0', method: 'last' }]);
    expect(s.transport.closeReason).toBe('stdin-end');
    await s.transport.close();
    expect(s.closes).toBe(1);
    await expect(s.transport.send({ jsonrpc: '2.0', method: 'x' })).rejects.toMatchObject({
      code: TransportErrorCode.Closed,
    });
  });

  it('[TC-4] closes when stdin errors, reporting the error', async () => {
    const s = setup();
    await s.transport.start();
    s.stdin.destroy(new Error('boom'));
    await waitFor(() => s.closes === 1, 2000, 'onclose');
    expect(s.errors.map((e) => e.message)).toEqual(['boom']);
    expect(s.transport.closeReason).toBe('stdin-error');
  });

  it('[TC-4] closes when stdin is destroyed without an end (a reset pipe)', async () => {
    const s = setup();
    await s.transport.start();
    s.stdin.destroy();
    await waitFor(() => s.closes === 1, 2000, 'onclose');
    expect(s.errors).toEqual([]);
  });

  it('[TC-1][TC-2] start twice rejects; send before start rejects', async () => {
    const s = setup();
    await expect(s.transport.send({ jsonrpc: '2.0', method: 'x' })).rejects.toMatchObject({
      code: TransportErrorCode.NotStarted,
    });
    await s.transport.start();
    await expect(s.transport.start()).rejects.toMatchObject({ code: TransportErrorCode.AlreadyStarted });
  });

  it('endOnClose ends stdout so the peer sees end of stream', async () => {
    const s = setup({ endOnClose: true });
    await s.transport.start();
    const ended = new Promise((r) => s.stdout.once('end', r));
    void s.transport.send({ jsonrpc: '2.0', method: 'bye' });
    await s.transport.close();
    await ended;
    expect(s.written).toBe('{"jsonrpc":"2.0","method":"bye"}\n');
    expect(s.closes).toBe(1);
  });

  it('a close() right after send() still writes the message', async () => {
    const s = setup();
    await s.transport.start();
    const sent = s.transport.send({ jsonrpc: '2.0', method: 'n' });
    await s.transport.close();
    await sent;
    expect(s.written).toBe('{"jsonrpc":"2.0","method":"n"}\n');
  });

  it('exitWhenClosed chains onclose and exits with the code once the transport closes', async () => {
    const s = setup();
    const codes: number[] = [];
    exitWhenClosed(s.transport, { exitCode: 7, exit: (code) => codes.push(code) });
    await s.transport.start();
    s.stdin.end();
    await waitFor(() => codes.length === 1, 2000, 'exit');
    expect(codes).toEqual([7]);
    expect(s.closes).toBe(1);
  });

  it('a server process exits when its stdin ends (client gone)', async () => {
    const { command, args, cwd } = fixture('echo-server');
    const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor(() => stderr.includes('ready'), 10000, 'server ready');
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.stdin.end();
    expect(await exited).toBe(0);
  });

  it('a server process exits on EPIPE when the client stops reading its stdout', async () => {
    // stdin stays open, so only the EPIPE on stdout can close the transport (and exit the process).
    const { command, args, cwd } = fixture('echo-server');
    const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor(() => stderr.includes('ready'), 10000, 'server ready');
    child.stdout.destroy();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.stdin.write('{"jsonrpc":"2.0","id":1,"method":"echo","params":{}}\n');
    expect(await exited).toBe(0);
    expect(isAlive(child.pid!)).toBe(false);
    child.stdin.destroy();
  });
});
