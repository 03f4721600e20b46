import { createInMemoryPair } from '@mcp-transports/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CallToolResultSchema,
  LoggingMessageNotificationSchema,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES } from './demo-tools.js';
import { createDemoServer } from './server.js';

// The tools themselves, independent of any medium: an SDK client over core's in-memory pair.
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function connect(): Promise<Client> {
  const pair = createInMemoryPair();
  const server = createDemoServer();
  const client = new Client({ name: 'test', version: '1.0.0' });
  await server.connect(pair.server);
  await client.connect(pair.client);
  cleanup = async () => {
    await client.close();
    await server.close();
  };
  return client;
}

const firstText = (result: unknown): string => {
  const parsed = CallToolResultSchema.parse(result);
  const first = parsed.content[0];
  if (first?.type !== 'text') throw new Error(`expected text content, got ${JSON.stringify(first)}`);
  return first.text;
};

describe('createDemoServer', () => {
  it('lists the demo tools next to the conformance fixtures', async () => {
    const client = await connect();
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'add', 'longRunningTask', 'logStream', 'largePayload']));
    expect(names).toEqual(
      expect.arrayContaining(['test_simple_text', 'test_reconnection', 'json_schema_2020_12_tool']),
    );
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toContain('test_prompt_with_arguments');
    expect((await client.listResources()).resources.map((resource) => resource.uri)).toContain('test://static-text');
  });

  it('echo returns its text, including multi-byte characters', async () => {
    const client = await connect();
    expect(firstText(await client.callTool({ name: 'echo', arguments: { text: 'héllo 🌍\nline' } }))).toBe(
      'héllo 🌍\nline',
    );
  });

  it('add returns the sum as text and structured content', async () => {
    const client = await connect();
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
    expect(firstText(result)).toBe('42');
    expect(result.structuredContent).toEqual({ sum: 42 });
  });

  it('rejects wrong argument shapes with a tool error', async () => {
    const client = await connect();
    const result = await client.callTool({ name: 'add', arguments: { a: 'two', b: 40 } });
    expect(result.isError).toBe(true);
  });

  it('longRunningTask reports increasing progress, one notification per step', async () => {
    const client = await connect();
    const progress: number[] = [];
    await client.callTool({ name: 'longRunningTask', arguments: { steps: 4, stepMs: 1 } }, undefined, {
      onprogress: (update) => progress.push(update.progress),
    });
    expect(progress).toEqual([1, 2, 3, 4]);
  });

  it('logStream sends log notifications and honours logging/setLevel', async () => {
    const client = await connect();
    const logs: LoggingMessageNotification['params'][] = [];
    client.setNotificationHandler(
      LoggingMessageNotificationSchema,
      (notification) => void logs.push(notification.params),
    );
    await client.callTool({ name: 'logStream', arguments: { count: 3, intervalMs: 0, level: 'info' } });
    expect(logs.map((log) => log.data)).toEqual(['log line 1 of 3', 'log line 2 of 3', 'log line 3 of 3']);
    expect(logs.every((log) => log.level === 'info')).toBe(true);

    logs.length = 0;
    await client.setLoggingLevel('warning');
    await client.callTool({ name: 'logStream', arguments: { count: 2, intervalMs: 0, level: 'info' } });
    await client.callTool({ name: 'logStream', arguments: { count: 1, intervalMs: 0, level: 'error' } });
    expect(logs.map((log) => log.level)).toEqual(['error']);
  });

  it('largePayload returns exactly N bytes and refuses more than the maximum', async () => {
    const client = await connect();
    expect(firstText(await client.callTool({ name: 'largePayload', arguments: { bytes: 1_048_576 } }))).toHaveLength(
      1_048_576,
    );
    expect(firstText(await client.callTool({ name: 'largePayload', arguments: { bytes: 0 } }))).toBe('');
    const tooBig = await client.callTool({ name: 'largePayload', arguments: { bytes: MAX_PAYLOAD_BYTES + 1 } });
    expect(tooBig.isError).toBe(true);
  });

  it('gives every session its own server state (logging level)', async () => {
    const first = await connect();
    const firstCleanup = cleanup;
    await first.setLoggingLevel('emergency');
    const second = await connect();
    const logs: unknown[] = [];
    second.setNotificationHandler(
      LoggingMessageNotificationSchema,
      (notification) => void logs.push(notification.params.data),
    );
    await second.callTool({ name: 'logStream', arguments: { count: 1, intervalMs: 0 } });
    expect(logs).toHaveLength(1);
    await firstCleanup?.();
  });
});
