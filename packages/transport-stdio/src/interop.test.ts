/**
 * Interop with the official SDK, both majors, over real child processes: the SDK's Client over
 * our client transport to a server on the SDK's own stdio transport, and the SDK's client
 * transport to a server on ours. Plus a real third-party server (server-everything).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as SdkClientTransportV2 } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as SdkClientTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures/helpers.js';
import { StdioClientTransport } from './index.js';

type AnyClient = {
  connect(t: unknown): Promise<void>;
  listTools(): Promise<{ tools: { name: string }[] }>;
  callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
};
function makeClient(major: 'v1' | 'v2'): AnyClient {
  const info = { name: 'interop-test', version: '1.0.0' };
  return major === 'v1' ? new ClientV1(info) : new ClientV2(info);
}

describe.each(['v1', 'v2'] as const)('interop with SDK %s', (major) => {
  it('[ST-2] SDK Client over our client transport → server on the SDK stdio transport', async () => {
    const transport = new StdioClientTransport({ ...fixture('sdk-server', major, 'sdk'), stderr: 'pipe' });
    const client = makeClient(major);
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo', 'burst']);
      expect(await client.callTool({ name: 'echo', arguments: { text: 'héllo 😀' } })).toMatchObject({
        content: [{ type: 'text', text: 'echo: héllo 😀' }],
      });
    } finally {
      await client.close();
    }
    expect(transport.closeReason?.by).toBe('close');
  });

  it('[TC-3] every progress notification reaches the SDK Client, also when it shares a read with the result', async () => {
    // The SDK runs notification handlers a microtask late but settles a response at once, dropping
    // its progress handler: a transport that hands over a whole read in one loop loses progress.
    const transport = new StdioClientTransport({ ...fixture('sdk-server', major, 'ours'), stderr: 'pipe' });
    const client = makeClient(major) as AnyClient & {
      callTool(p: unknown, ...rest: unknown[]): Promise<unknown>;
    };
    await client.connect(transport);
    try {
      for (let call = 0; call < 10; call++) {
        const seen: number[] = [];
        const options = { onprogress: (p: { progress: number }) => seen.push(p.progress) };
        const params = { name: 'burst', arguments: { steps: 5 } };
        // v1: callTool(params, resultSchema, options); v2: callTool(params, options).
        if (major === 'v1') await client.callTool(params, undefined, options);
        else await client.callTool(params, options);
        expect(seen).toEqual([1, 2, 3, 4, 5]);
      }
    } finally {
      await client.close();
    }
  });

  it('[ST-7] SDK StdioClientTransport → server on our StdioServerTransport (+ guardStdout)', async () => {
    const { command, args, cwd } = fixture('sdk-server', major, 'ours');
    const Transport = major === 'v1' ? SdkClientTransportV1 : SdkClientTransportV2;
    const transport = new Transport({ command, args, cwd, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const errors: Error[] = [];
    const client = makeClient(major);
    await client.connect(transport);
    transport.onerror = (e: Error) => errors.push(e);
    try {
      expect(await client.callTool({ name: 'echo', arguments: { text: 'ok' } })).toMatchObject({
        content: [{ type: 'text', text: 'echo: ok' }],
      });
      expect((await client.listTools()).tools).toHaveLength(2);
    } finally {
      await client.close();
    }
    expect(errors).toEqual([]);
    expect(stderr).toContain('this console.log goes to stderr');
  });
});

describe('a real third-party server', () => {
  it('drives @modelcontextprotocol/server-everything: list tools, call one, read a resource', async () => {
    const require = createRequire(import.meta.url);
    const entry = join(
      dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
      'dist/index.js',
    );
    const transport = new StdioClientTransport({ command: process.execPath, args: [entry, 'stdio'], stderr: 'pipe' });
    const client = new ClientV1({ name: 'interop-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('echo');
      expect(await client.callTool({ name: 'echo', arguments: { message: 'hi' } })).toMatchObject({
        content: [{ type: 'text', text: expect.stringContaining('hi') }],
      });
      const { resources } = await client.listResources();
      const first = resources[0];
      expect(first).toBeDefined();
      const read = await client.readResource({ uri: first!.uri });
      expect(read.contents.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });
});
