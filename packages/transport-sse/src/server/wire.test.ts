/**
 * Conformance layer 2 for Streamable HTTP (2025-11-25 rules): the `HTTP_CHECKS` of
 * `@mcp-transports/conformance` against our listener in every mode, and once through the CLI
 * (`mcp-transports-conformance http <url>`) as a child process.
 */
import { HTTP_CHECKS, runWireChecks, type HttpTarget } from '@mcp-transports/conformance/node';
import type { CheckResult } from '@mcp-transports/conformance';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { McpHttpServer } from './index.js';
import { startOurs } from './_fixtures/servers.js';

const MAX = 64 * 1024;
const SESSION_CHECKS = [
  'SH-44.missing-session-400',
  'SH-45.unknown-session-404',
  'LC-1.second-initialize-400',
  'SH-47.delete-session',
  'SH-32.one-stream',
];
const RESUMABLE_CHECKS = ['SH-33.distinct-event-ids', 'SH-37.no-foreign-replay'];

const modes: { name: string; options: Record<string, unknown>; sessions: boolean; resumable?: boolean }[] = [
  { name: 'stateful SSE', options: {}, sessions: true },
  { name: 'stateful JSON', options: { enableJsonResponse: true }, sessions: true },
  { name: 'stateful SSE + resumability', options: { resumability: true }, sessions: true, resumable: true },
  { name: 'stateless shared', options: { sessionIdGenerator: undefined }, sessions: false },
  {
    name: 'stateless per-request JSON',
    options: { stateless: 'per-request', enableJsonResponse: true },
    sessions: false,
  },
];

describe.each(modes)('wire checks: our listener, $name', ({ options, sessions, resumable = false }) => {
  let running: McpHttpServer;
  let results: CheckResult[] = [];
  beforeAll(async () => {
    running = await startOurs({ ...options, maxMessageBytes: MAX });
    const target: HttpTarget = { url: running.url, sessions, originCheck: true, maxMessageBytes: MAX, resumable };
    results = await runWireChecks(HTTP_CHECKS, target);
  }, 60_000);
  afterAll(() => running.close());

  it('runs every check; n/a: the session checks without sessions, the resumability checks without resumability', () => {
    expect(results.map((r) => r.id)).toEqual(HTTP_CHECKS.map((c) => c.id));
    const notApplicable = [...(sessions ? [] : SESSION_CHECKS), ...(resumable ? [] : RESUMABLE_CHECKS)];
    expect(results.filter((r) => r.status === 'n/a').map((r) => r.id)).toEqual(notApplicable);
  });

  it.each(HTTP_CHECKS.map((check) => [`[${check.requirements.join(', ')}] ${check.id}: ${check.title}`, check.id]))(
    '%s',
    (_name, id) => {
      const result = results.find((r) => r.id === id);
      expect(['pass', 'n/a'], result?.message).toContain(result?.status);
    },
  );
});

it('mcp-transports-conformance http <url> (the CLI, as a child process) passes against our listener', async () => {
  const running = await startOurs({ maxMessageBytes: 4096, resumability: true });
  try {
    const cli = fileURLToPath(import.meta.resolve('@mcp-transports/conformance/cli'));
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      cli,
      'http',
      running.url.href,
      '--max-message-bytes',
      '4096',
      '--resumable',
      '--header',
      'X-Trace: cli',
    ]);
    expect(stdout).toContain(`http ${running.url.href}`);
    expect(stdout).toMatch(new RegExp(`${HTTP_CHECKS.length} checks: ${HTTP_CHECKS.length} pass, 0 fail`));
  } finally {
    await running.close();
  }
}, 60_000);
