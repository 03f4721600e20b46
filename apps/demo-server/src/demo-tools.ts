/**
 * The demo's own tools. They only use what the SDK hands a tool (arguments and the request's
 * `extra`), so they behave the same on every transport.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { NotificationSender, RequestLogger } from './_logging.js';

/** Largest payload `largePayload` produces: under the transports' default 16 MiB message limit. */
export const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function registerDemoTools(server: McpServer, logger: (extra: NotificationSender) => RequestLogger): void {
  server.registerTool(
    'echo',
    {
      title: 'Echo',
      description: 'Returns its text unchanged.',
      inputSchema: { text: z.string().describe('Text to send back') },
    },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  );

  server.registerTool(
    'add',
    {
      title: 'Add',
      description: 'Adds two numbers.',
      inputSchema: { a: z.number(), b: z.number() },
      outputSchema: { sum: z.number() },
    },
    ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }),
  );

  server.registerTool(
    'longRunningTask',
    {
      title: 'Long-running task',
      description: 'Works for `steps` × `stepMs` milliseconds, reporting progress after each step when asked to.',
      inputSchema: {
        steps: z.number().int().min(1).max(1000).default(5),
        stepMs: z.number().int().min(0).max(10_000).default(100),
      },
    },
    async ({ steps, stepMs }, extra) => {
      const token = extra._meta?.progressToken;
      for (let step = 1; step <= steps; step++) {
        await sleep(stepMs, extra.signal);
        if (token !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: step, total: steps, message: `step ${step} of ${steps}` },
          });
        }
      }
      return { content: [{ type: 'text', text: `Finished ${steps} steps.` }] };
    },
  );

  server.registerTool(
    'logStream',
    {
      title: 'Log stream',
      description: 'Sends `count` log notifications, `intervalMs` apart, at the given level.',
      inputSchema: {
        count: z.number().int().min(1).max(10_000).default(5),
        intervalMs: z.number().int().min(0).max(10_000).default(50),
        level: z.enum(['debug', 'info', 'notice', 'warning', 'error']).default('info'),
      },
    },
    async ({ count, intervalMs, level }, extra) => {
      const log = logger(extra);
      for (let i = 1; i <= count; i++) {
        if (i > 1) await sleep(intervalMs, extra.signal);
        await log(level, `log line ${i} of ${count}`);
      }
      return { content: [{ type: 'text', text: `Sent ${count} log messages.` }] };
    },
  );

  server.registerTool(
    'largePayload',
    {
      title: 'Large payload',
      description: `Returns a text of exactly \`bytes\` bytes (at most ${MAX_PAYLOAD_BYTES}).`,
      inputSchema: { bytes: z.number().int().min(0).max(MAX_PAYLOAD_BYTES) },
    },
    ({ bytes }) => ({ content: [{ type: 'text', text: 'x'.repeat(bytes) }] }),
  );
}
