/**
 * Users count dozens of orphaned MCP servers after their client crashed. These tests kill the
 * client process the hard way (SIGKILL: no handler runs in it) and check that the server, and a
 * grandchild it spawned, are gone shortly after.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, isAlive, waitFor } from './fixtures/helpers.js';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function runParent(server: { command: string; args: string[] }) {
  const { command, args, cwd } = fixture('parent', JSON.stringify(server));
  const parent = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(parent);
  let out = '';
  parent.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await waitFor(() => out.includes('\n'), 15000, 'the parent to report its server');
  return { parent, pids: JSON.parse(out) as { serverPid: number; childPid: number } };
}

describe('no orphans when the client process dies', () => {
  it('[ST-2] parent SIGKILLed → the server exits within a second', async () => {
    const { parent, pids } = await runParent(fixture('echo-server'));
    expect(pids.childPid).toBe(pids.serverPid);
    expect(isAlive(pids.serverPid)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(() => !isAlive(pids.serverPid), 1000, 'the server to exit within a second');
  });

  it('parent SIGKILLed → a server behind a shell wrapper (npx-like grandchild) exits, and the wrapper too', async () => {
    const inner = fixture('echo-server');
    // `sh -c '…; true'` keeps the shell alive as the direct child, with the real server as its child.
    const script = `${[inner.command, ...inner.args].map((a) => `'${a}'`).join(' ')}; true`;
    const { parent, pids } = await runParent({ command: '/bin/sh', args: ['-c', script] });
    expect(pids.childPid).not.toBe(pids.serverPid);
    expect(isAlive(pids.serverPid)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(() => !isAlive(pids.serverPid), 1000, 'the server (grandchild) to exit within a second');
    await waitFor(() => !isAlive(pids.childPid), 1000, 'the wrapper to exit');
  });
});
