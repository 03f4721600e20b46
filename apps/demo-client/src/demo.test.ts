import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DEMO = fileURLToPath(new URL('./demo.ts', import.meta.url));
const TSX = createRequire(import.meta.url).resolve('tsx');

/** Pids of live processes whose environment carries `marker` (every descendant inherits it). */
function processesWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) found.push(Number(entry));
    } catch {
      // The process ended while we looked, or belongs to someone else: neither is ours.
      continue;
    }
  }
  return found;
}

describe('pnpm demo (quick mode)', () => {
  it.runIf(process.platform === 'linux')(
    'prints a row per transport, exits 0 and leaves no process behind',
    async () => {
      const marker = `MCP_DEMO_TEST_MARKER=${process.pid}-${Date.now()}`;
      const [key, value] = marker.split('=') as [string, string];
      const child = spawn(process.execPath, ['--import', TSX, DEMO, '--quick'], {
        env: { ...process.env, [key]: value },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code, output).toBe(0);
      expect(output).toMatch(/^transport\s+connect\s+p50\s+p99\s+calls\/s\s+1 MB result$/m);
      for (const medium of ['stdio', 'streamable-http', 'sse (legacy)']) {
        expect(output).toMatch(new RegExp(`^✓ ${medium.replace(/[()]/g, '\\$&')}: connect `, 'm'));
      }
      expect(output).toMatch(/^redis: /m);
      // Give the kernel a moment to reap, then no process may still carry the marker.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(processesWithMarker(marker)).toEqual([]);
    },
    90_000,
  );
});
