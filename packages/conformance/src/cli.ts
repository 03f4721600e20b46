#!/usr/bin/env node
/**
 * `mcp-transports-conformance`: run layer 1 against a module's factory, or layer 2 against a stdio
 * command (2025 or 2026-07-28 rules), a Streamable HTTP endpoint (2025 or 2026-07-28 rules) or a WebSocket URL. Prints progress to stderr and a table to stdout; exits 1 on any unexpected result
 * (a failure, or a stale expected failure), 2 on a usage error.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { describeError } from './_harness.js';
import { formatTable, hasUnexpected, toJson, toJUnit } from './report.js';
import { runConformance } from './runner.js';
import { HTTP_CHECKS } from './http-wire.js';
import type { HttpTarget } from './http-wire.js';
import { HTTP26_CHECKS } from './http26-wire.js';
import { STDIO_CHECKS } from './stdio-wire.js';
import { STDIO26_CHECKS } from './stdio26-wire.js';
import type { ToolCall } from './stdio26-wire.js';
import type { CheckResult, ExpectedFailure, TransportCapabilities, TransportPairFactory } from './types.js';
import { WEBSOCKET_CHECKS } from './websocket-wire.js';
import type { WebSocketTarget } from './websocket-wire.js';
import { runWireChecks } from './wire.js';

const USAGE = `Usage:
  mcp-transports-conformance contract <module> [options]
      Layer 1: <module> exports \`factory\` (or a default function) returning { client, server, close },
      and optionally \`capabilities\` and \`expectedFailures\`. TypeScript modules need a loader:
      node --import tsx $(which mcp-transports-conformance) contract ./pair.ts
  mcp-transports-conformance stdio [options] -- <command> [args...]
      Layer 2: spawns <command> and checks the stdio wire rules (ST-*, LC-11).
  mcp-transports-conformance stdio26 [options] -- <command> [args...]
      Layer 2: spawns <command> and checks the 2026-07-28 stdio server rules (M26-*): no initialize,
      server/discover, the per-request _meta envelope.
  mcp-transports-conformance http [options] <url>
      Layer 2: checks a Streamable HTTP endpoint against the 2025-11-25 server rules (SH-*): status
      codes, headers, sessions, the JSON-RPC error shape.
  mcp-transports-conformance http26 [options] <url>
      Layer 2: checks a Streamable HTTP endpoint against the 2026-07-28 server rules (M26-*).
  mcp-transports-conformance websocket <ws-url> [options]
      Layer 2: raw upgrades and frames against an MCP WebSocket endpoint (SEP-1288, TC-5/6, SH-2/3/5, LC-26).

Options:
  --json FILE               write the results as JSON
  --junit FILE              write the results as JUnit XML
  --expected-failures FILE  JSON list of { "id", "reason" }: known gaps (a listed check that passes is "stale")
  --only IDS                comma-separated check ids (or prefixes ending in ".") to run
  --timeout MS              how long one step may wait (default 10000)
  --exit-timeout MS         stdio, stdio26: how long the server may take to exit after stdin ends (default 5000)
  --concurrency N           stdio, stdio26, http, http26, websocket: checks run at once, each with its own process or connection (default 1)
  --tool NAME|JSON          stdio26: a quick tool to call, e.g. '{"name":"echo","arguments":{"text":"hi"}}'
                            (default: the first listed tool that needs no argument)
  --slow-tool NAME|JSON     stdio26: a tool that runs until cancelled (the M26-7 check is n/a without it)
  --no-listen               stdio26: the server does not serve subscriptions/listen
  --modern-only             http26: the endpoint serves only 2026-07-28 (refuses initialize)
  --header 'NAME: VALUE'    http, http26, websocket: a header for every request or upgrade, e.g. 'Authorization: Bearer …' (repeatable)
  --max-message-bytes N     websocket: the server's message limit, for the 1009 check (default 16 MiB);
                            http: the server's body limit, for the 413 check (n/a without it)
  --no-sessions             http: the server assigns no session ids (the session checks are n/a)
  --no-origin-check         http: the server does not refuse a foreign Origin (the 403 check is n/a)
  --resumable               http: the server sends SSE event ids and resumes with Last-Event-ID (runs SH-33, SH-37)
  --heartbeat-ms MS         websocket: the server's ping interval; enables the ping/pong checks
  --requires-auth           websocket: the server refuses upgrades without credentials (runs the 401 check)
  --no-dns-rebinding        websocket: the server does not check Host/Origin (skips those checks)
  -h, --help                show this help

Exit code: 0 when every result is expected, 1 on a failure or a stale expected failure, 2 on a usage error.`;

class UsageError extends Error {}

/** `--tool echo` or `--tool '{"name":"echo","arguments":{…}}'`. */
function parseToolCall(option: string, value: string | undefined): ToolCall | undefined {
  if (value === undefined) return undefined;
  if (!value.trimStart().startsWith('{')) {
    if (value.trim() === '') throw new UsageError(`${option} needs a tool name or a JSON object`);
    return { name: value.trim() };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new UsageError(`${option}: not valid JSON (${describeError(error)})`);
  }
  const { name, arguments: args } = parsed as { name?: unknown; arguments?: unknown };
  if (
    typeof name !== 'string' ||
    (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args)))
  ) {
    throw new UsageError(`${option}: expected { "name": string, "arguments"?: object }`);
  }
  return args === undefined ? { name } : { name, arguments: args as Record<string, unknown> };
}

async function readExpectedFailures(file: string | undefined): Promise<ExpectedFailure[]> {
  if (file === undefined) return [];
  const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
  if (!Array.isArray(parsed)) throw new UsageError(`${file}: expected a JSON array of { "id", "reason" }`);
  return parsed.map((entry: unknown, index) => {
    const { id, reason } = (entry ?? {}) as { id?: unknown; reason?: unknown };
    if (typeof id !== 'string' || typeof reason !== 'string') {
      throw new UsageError(`${file}: entry ${index} needs a string "id" and a string "reason"`);
    }
    return { id, reason };
  });
}

interface ContractModule {
  factory: TransportPairFactory;
  capabilities: TransportCapabilities;
  expectedFailures: ExpectedFailure[];
}

async function loadContractModule(specifier: string): Promise<ContractModule> {
  const loaded = (await import(pathToFileURL(resolve(specifier)).href)) as Record<string, unknown>;
  const source =
    typeof loaded.default === 'object' && loaded.default !== null
      ? (loaded.default as Record<string, unknown>)
      : loaded;
  const factory = (typeof source.factory === 'function' ? source.factory : loaded.default) as
    TransportPairFactory | undefined;
  if (typeof factory !== 'function') {
    throw new UsageError(
      `${specifier} must export \`factory\` (or a default function) returning { client, server, close }`,
    );
  }
  return {
    factory,
    capabilities: typeof source.capabilities === 'object' ? (source.capabilities as TransportCapabilities) : {},
    expectedFailures: Array.isArray(source.expectedFailures) ? (source.expectedFailures as ExpectedFailure[]) : [],
  };
}

function websocketTarget(
  url: string,
  values: {
    header?: string[];
    'max-message-bytes'?: string;
    'heartbeat-ms'?: string;
    'requires-auth'?: boolean;
    'no-dns-rebinding'?: boolean;
  },
): WebSocketTarget {
  if (!url.startsWith('ws://')) throw new UsageError(`websocket needs a ws:// URL, got ${url}`);
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header must look like 'Name: value', got ${JSON.stringify(header)}`);
    headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  const target: WebSocketTarget = { url, headers };
  const max = values['max-message-bytes'];
  if (max !== undefined) {
    target.maxMessageBytes = Number(max);
    if (!Number.isInteger(target.maxMessageBytes) || target.maxMessageBytes < 1)
      throw new UsageError('--max-message-bytes must be a positive integer');
  }
  const heartbeat = values['heartbeat-ms'];
  if (heartbeat !== undefined) {
    target.heartbeatMs = Number(heartbeat);
    if (!(target.heartbeatMs > 0)) throw new UsageError('--heartbeat-ms must be a positive number of ms');
  }
  if (values['requires-auth'] === true) target.requiresAuth = true;
  if (values['no-dns-rebinding'] === true) target.dnsRebindingProtection = false;
  return target;
}

/** `--header 'Name: value'` lines as a header record (names lowercased). */
function headersFrom(lines: readonly string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines ?? []) {
    const colon = line.indexOf(':');
    if (colon < 1) throw new UsageError(`--header ${JSON.stringify(line)}: expected "Name: value"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function httpUrl(mode: string, target: string): URL {
  try {
    return new URL(target);
  } catch {
    throw new UsageError(`${mode}: ${JSON.stringify(target)} is not a URL`);
  }
}

function httpTarget(
  url: URL,
  values: {
    header?: string[];
    'max-message-bytes'?: string;
    'no-sessions'?: boolean;
    'no-origin-check'?: boolean;
    resumable?: boolean;
  },
): HttpTarget {
  const target: HttpTarget = {
    url,
    headers: headersFrom(values.header),
    sessions: values['no-sessions'] !== true,
    originCheck: values['no-origin-check'] !== true,
    resumable: values.resumable === true,
  };
  const max = values['max-message-bytes'];
  if (max !== undefined) {
    target.maxMessageBytes = Number(max);
    if (!Number.isInteger(target.maxMessageBytes) || target.maxMessageBytes < 1)
      throw new UsageError('--max-message-bytes must be a positive integer');
  }
  return target;
}

function progress(result: CheckResult): void {
  process.stderr.write(`${result.status.toUpperCase().padEnd(13)} ${result.id} (${result.durationMs} ms)\n`);
}

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const split = argv.indexOf('--');
  const own = split === -1 ? [...argv] : argv.slice(0, split);
  const command = split === -1 ? [] : argv.slice(split + 1);
  try {
    const { values, positionals } = parseArgs({
      args: own,
      allowPositionals: true,
      options: {
        json: { type: 'string' },
        junit: { type: 'string' },
        'expected-failures': { type: 'string' },
        only: { type: 'string' },
        timeout: { type: 'string' },
        concurrency: { type: 'string' },
        'exit-timeout': { type: 'string' },
        'modern-only': { type: 'boolean' },
        tool: { type: 'string' },
        'slow-tool': { type: 'string' },
        'no-listen': { type: 'boolean' },
        header: { type: 'string', multiple: true },
        'max-message-bytes': { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        'requires-auth': { type: 'boolean' },
        'no-dns-rebinding': { type: 'boolean' },
        'no-sessions': { type: 'boolean' },
        'no-origin-check': { type: 'boolean' },
        resumable: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const only = values.only
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new UsageError(`--timeout must be a positive number of ms`);
    const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new UsageError('--concurrency must be a positive integer');
    const fileFailures = await readExpectedFailures(values['expected-failures']);
    const [mode, target] = positionals;
    let suite: string;
    let results: CheckResult[];
    if (mode === 'contract') {
      if (target === undefined || positionals.length !== 2) throw new UsageError('contract needs exactly one <module>');
      const loaded = await loadContractModule(target);
      suite = `contract ${target}`;
      const capabilities = timeoutMs === undefined ? loaded.capabilities : { ...loaded.capabilities, timeoutMs };
      results = await runConformance(loaded.factory, capabilities, {
        expectedFailures: [...loaded.expectedFailures, ...fileFailures],
        ...(only === undefined ? {} : { only }),
        onResult: progress,
      });
    } else if (mode === 'stdio') {
      const [executable, ...args] = command;
      if (executable === undefined || positionals.length !== 1)
        throw new UsageError('stdio needs -- <command> [args...]');
      suite = `stdio ${command.join(' ')}`;
      const exitTimeoutMs = Number(values['exit-timeout'] ?? 5000);
      if (!(exitTimeoutMs > 0)) throw new UsageError('--exit-timeout must be a positive number of ms');
      results = await runWireChecks(
        STDIO_CHECKS,
        { command: executable, args, exitTimeoutMs },
        {
          expectedFailures: fileFailures,
          ...(only === undefined ? {} : { only }),
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
          concurrency,
          onResult: progress,
        },
      );
    } else if (mode === 'stdio26') {
      const [executable, ...args] = command;
      if (executable === undefined || positionals.length !== 1)
        throw new UsageError('stdio26 needs -- <command> [args...]');
      suite = `stdio26 ${command.join(' ')}`;
      const exitTimeoutMs = Number(values['exit-timeout'] ?? 5000);
      if (!(exitTimeoutMs > 0)) throw new UsageError('--exit-timeout must be a positive number of ms');
      const tool = parseToolCall('--tool', values.tool);
      const slowTool = parseToolCall('--slow-tool', values['slow-tool']);
      results = await runWireChecks(
        STDIO26_CHECKS,
        {
          command: executable,
          args,
          exitTimeoutMs,
          listen: values['no-listen'] !== true,
          ...(tool === undefined ? {} : { tool }),
          ...(slowTool === undefined ? {} : { slowTool }),
        },
        {
          expectedFailures: fileFailures,
          ...(only === undefined ? {} : { only }),
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
          concurrency,
          onResult: progress,
        },
      );
    } else if (mode === 'http') {
      if (target === undefined || positionals.length !== 2) throw new UsageError('http needs exactly one <url>');
      const url = httpUrl('http', target);
      suite = `http ${url.href}`;
      results = await runWireChecks(HTTP_CHECKS, httpTarget(url, values), {
        expectedFailures: fileFailures,
        ...(only === undefined ? {} : { only }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        concurrency,
        onResult: progress,
      });
    } else if (mode === 'http26') {
      if (target === undefined || positionals.length !== 2) throw new UsageError('http26 needs exactly one <url>');
      let url: URL;
      try {
        url = new URL(target);
      } catch {
        throw new UsageError(`http26: ${JSON.stringify(target)} is not a URL`);
      }
      const headers = headersFrom(values.header);
      suite = `http26 ${url.href}`;
      results = await runWireChecks(
        HTTP26_CHECKS,
        { url, headers, modernOnly: values['modern-only'] === true },
        {
          expectedFailures: fileFailures,
          ...(only === undefined ? {} : { only }),
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
          concurrency,
          onResult: progress,
        },
      );
    } else if (mode === 'websocket') {
      if (target === undefined || positionals.length !== 2)
        throw new UsageError('websocket needs exactly one <ws-url>');
      suite = `websocket ${target}`;
      results = await runWireChecks(WEBSOCKET_CHECKS, websocketTarget(target, values), {
        expectedFailures: fileFailures,
        ...(only === undefined ? {} : { only }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        concurrency,
        onResult: progress,
      });
    } else {
      throw new UsageError(
        mode === undefined
          ? 'missing a mode: contract, stdio, stdio26, http, http26 or websocket'
          : `unknown mode "${mode}"`,
      );
    }
    process.stdout.write(`\n${suite}\n\n${formatTable(results)}\n`);
    if (values.json !== undefined) await writeFile(values.json, toJson(suite, results));
    if (values.junit !== undefined) await writeFile(values.junit, toJUnit(suite, results));
    if (results.length === 0) {
      process.stderr.write('no check ran (check --only)\n');
      return 1;
    }
    return hasUnexpected(results) ? 1 : 0;
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`mcp-transports-conformance: ${describeError(error)}\n`);
    return 2;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
