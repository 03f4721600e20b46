// The Streamable HTTP wire checks against a deliberately broken endpoint (a node:http server that
// answers 200 `{}` to everything): every check fails with a reason, the n/a rules hold, and the
// CLI's `http` mode reports the same. The passing side runs in transport-sse against its listener.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_CHECKS, type HttpTarget } from './http-wire.js';
import { runWireChecks } from './wire.js';
import { runCli } from './fixtures/run-cli.js';

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('HTTP_CHECKS against an endpoint that answers 200 {} to everything', () => {
  it('every check fails, each with a reason that says what was expected', async () => {
    const target: HttpTarget = { url, maxMessageBytes: 1024, resumable: true };
    const results = await runWireChecks(HTTP_CHECKS, target);
    expect(results.map((r) => r.id)).toEqual(HTTP_CHECKS.map((c) => c.id));
    expect(results.filter((r) => r.status !== 'fail')).toEqual([]);
    const message = (id: string): string => results.find((r) => r.id === id)?.message ?? '';
    expect(message('SH-39.initialize')).toBe('expected a visible-ASCII Mcp-Session-Id, got null');
    expect(message('SH-10.notification-202')).toBe('initialize: no result with a protocolVersion in the response');
    expect(message('SH-45.unknown-session-404')).toMatch(/^POST with unknown session id: expected HTTP 404, got 200/);
    expect(message('SH-8.accept-406')).toMatch(/^Accept: application\/json: expected HTTP 406, got 200/);
    expect(message('SH-11.content-type-415')).toMatch(/expected HTTP 415, got 200/);
    expect(message('JR-2.malformed-json-400')).toMatch(/^malformed JSON: expected HTTP 400, got 200/);
    expect(message('SH-1.method-405')).toMatch(/^PUT: expected HTTP 405, got 200/);
    expect(message('SH-3.origin-refused')).toMatch(/^Origin: evil\.example: expected HTTP 403, got 200/);
    expect(message('TC-6.oversize-413')).toMatch(/^oversized body: expected HTTP 413, got 200/);
    for (const id of ['SH-32.one-stream', 'SH-33.distinct-event-ids', 'SH-37.no-foreign-replay']) {
      expect(message(id)).toBe('initialize: no result with a protocolVersion in the response');
    }
  });

  it('a server without sessions: SH-39 fails on the missing initialize result; the session checks are n/a', async () => {
    const results = await runWireChecks(HTTP_CHECKS, { url, sessions: false, originCheck: false });
    const notApplicable = results.filter((r) => r.status === 'n/a');
    expect(notApplicable.map((r) => [r.id, r.message])).toEqual([
      ['SH-44.missing-session-400', 'the server assigns no session ids (sessions: false)'],
      ['SH-45.unknown-session-404', 'the server assigns no session ids (sessions: false)'],
      ['LC-1.second-initialize-400', 'the server assigns no session ids (sessions: false)'],
      ['SH-47.delete-session', 'the server assigns no session ids (sessions: false)'],
      ['SH-3.origin-refused', 'the server does not check Origin (originCheck: false)'],
      ['TC-6.oversize-413', 'no maxMessageBytes declared'],
      ['SH-32.one-stream', 'the server assigns no session ids (sessions: false)'],
      ['SH-33.distinct-event-ids', 'the server is not declared resumable (resumable: false)'],
      ['SH-37.no-foreign-replay', 'the server is not declared resumable (resumable: false)'],
    ]);
    expect(results.find((r) => r.id === 'SH-39.initialize')).toMatchObject({
      status: 'fail',
      message: 'no initialize result with id 1',
    });
  });
});

// A server that gets the basics right but sends every response on the POST and the GET stream too,
// reuses event id "1" on every stream, and answers any Last-Event-ID with everything it ever sent.
describe('the stream checks against a server that broadcasts, reuses event ids and replays other streams', () => {
  let leaky: Server;
  let leakyUrl: string;
  const gets: ServerResponse[] = [];
  const sent: string[] = [];
  beforeAll(async () => {
    leaky = createServer((req, res) => {
      const sse = { 'content-type': 'text/event-stream', 'mcp-session-id': 's1' };
      if (req.method === 'GET') {
        res.writeHead(200, sse);
        if (req.headers['last-event-id'] !== undefined) res.end(sent.join(''));
        else res.flushHeaders();
        gets.push(res);
        return;
      }
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const message = JSON.parse(body) as { id?: unknown; method: string };
        if (message.id === undefined) return void res.writeHead(202).end();
        const result = message.method === 'initialize' ? { protocolVersion: '2025-11-25' } : {};
        const event = `id: 1\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: message.id, result })}\n\n`;
        sent.push(event);
        for (const get of gets) if (!get.writableEnded) get.write(event);
        res.writeHead(200, sse).end(`id: 1\ndata: \n\n${event}`);
      });
    });
    await new Promise<void>((resolve) => leaky.listen(0, '127.0.0.1', resolve));
    leakyUrl = `http://127.0.0.1:${(leaky.address() as { port: number }).port}/mcp`;
  });
  afterAll(async () => {
    leaky.closeAllConnections();
    await new Promise((resolve) => leaky.close(resolve));
  });

  it('SH-32, SH-33 and SH-37 fail, each naming what leaked', async () => {
    const only = ['SH-32.one-stream', 'SH-33.distinct-event-ids', 'SH-37.no-foreign-replay'];
    const results = await runWireChecks(HTTP_CHECKS, { url: leakyUrl, resumable: true }, { only });
    expect(results.map((r) => [r.id, r.status])).toEqual(only.map((id) => [id, 'fail']));
    const message = (id: string): string => results.find((r) => r.id === id)?.message ?? '';
    expect(message('SH-32.one-stream')).toMatch(
      /^the GET stream carried JSON-RPC responses \(SH-29, SH-32\): .*sh32-ping/,
    );
    expect(message('SH-33.distinct-event-ids')).toBe(
      'event id "1" appeared on POST stream 1 and again on POST stream 1',
    );
    expect(message('SH-37.no-foreign-replay')).toMatch(
      /^resuming stream A \("sh37-a"\) replayed responses of other streams, to ids \[.*"sh37-b"\]$/,
    );
  });
});

describe('mcp-transports-conformance http', () => {
  it('fails the broken endpoint: failures named with requirements, n/a from the flags, exit 1', async () => {
    const { code, stdout } = await runCli([
      'http',
      url,
      '--no-sessions',
      '--no-origin-check',
      '--header',
      'Authorization: Bearer x',
      '--only',
      'SH-39.,SH-44.,SH-3.,TC-6.,SH-8.',
    ]);
    expect(code, stdout).toBe(1);
    expect(stdout).toContain(`http ${url}`);
    expect(stdout).toMatch(/SH-39\.initialize\s+SH-39, SH-41\s+FAIL\s+no initialize result with id 1/);
    expect(stdout).toMatch(/SH-44\.missing-session-400\s+.*N\/A\s+the server assigns no session ids/);
    expect(stdout).toMatch(/SH-3\.origin-refused\s+SH-3\s+N\/A\s+the server does not check Origin/);
    expect(stdout).toMatch(/TC-6\.oversize-413\s+.*N\/A\s+no maxMessageBytes declared/);
    expect(stdout).toMatch(/SH-8\.accept-406\s+.*FAIL\s+Accept: application\/json: expected HTTP 406, got 200/);
  });

  it.each([
    [['http'], 'http needs exactly one <url>'],
    [['http', 'not a url'], 'http: "not a url" is not a URL'],
    [['http', 'http://127.0.0.1:1/mcp', '--max-message-bytes', '0'], '--max-message-bytes must be a positive integer'],
    [['http', 'http://127.0.0.1:1/mcp', '--header', 'no colon'], '--header "no colon": expected "Name: value"'],
  ])('exits 2 with usage on bad arguments: %j', async (args, error) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toContain(error);
    expect(stderr).toContain('Usage:');
  });
});
