/** The browser entry: bundles with no Node built-in and no undici, and works on a plain `fetch`. */
import { getEventListeners } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { build } from 'tsdown';
import { afterEach, describe, expect, it } from 'vitest';
import { startSdkPeer, type SdkPeer } from './_fixtures/sdk-server.js';
import { fetchRequester } from './_http.js';
import { StreamableHTTPClientTransport } from './browser.js';

let peer: SdkPeer | undefined;

afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** Bundles `entry` with everything inlined (core too), so a Node import anywhere in the graph shows up. */
async function bundle(entry: string): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'sse-browser-'));
  try {
    await build({
      config: false,
      entry: { out: fileURLToPath(new URL(entry, import.meta.url)) },
      outDir,
      platform: 'browser',
      format: 'esm',
      dts: false,
      noExternal: [/.*/],
      logLevel: 'silent',
    });
    let code = '';
    for (const file of await readdir(outDir)) {
      if (file.endsWith('.js') || file.endsWith('.mjs')) code += await readFile(join(outDir, file), 'utf8');
    }
    return code;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

const NODE_IMPORT = /["'`]node:/;

describe('@mcp-transports/sse/browser', () => {
  it('bundles for the browser with no node: import and no undici', async () => {
    const code = await bundle('./browser.ts');
    expect(code).toContain('StreamableHTTPClientTransport');
    expect(code).not.toMatch(NODE_IMPORT);
    expect(code).not.toMatch(/(from|import|require)\s*\(?\s*["'`]undici/);
    expect(code).not.toMatch(/\b(Buffer|process)\./);
  });

  it('the same check does catch Node imports (in the Node entry, which bundles undici)', async () => {
    expect(await bundle('./index.ts')).toMatch(NODE_IMPORT);
  });

  it('talks to the SDK v1 server through a plain fetch', async () => {
    peer = await startSdkPeer();
    let calls = 0;
    const transport = new StreamableHTTPClientTransport(peer.url, {
      fetch: (url, init) => {
        calls++;
        return fetch(url, init);
      },
    });
    const client = new Client({ name: 'browser', version: '1.0.0' });
    await client.connect(transport);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'from a page' } });
    expect((result as { content: { text: string }[] }).content[0]?.text).toBe('from a page');
    expect(calls).toBeGreaterThanOrEqual(3);
    await client.close();
  });

  it('the fetch stack unlinks from a shared signal once each body is done (Node fetch would keep it)', async () => {
    peer = await startSdkPeer();
    const http = fetchRequester((url, init) => fetch(url, init));
    const shared = new AbortController();
    const url = new URL(peer.url);
    for (let i = 0; i < 5; i++) {
      const response = await http({ method: 'GET', url, headers: {}, signal: shared.signal });
      if (i % 2 === 0) await response.text(4096);
      else await response.dump();
    }
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });
});
