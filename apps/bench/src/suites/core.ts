/**
 * Core: the codec against bare `JSON.parse`, and newline framing of big messages against
 * collect-then-parse and the official SDK's `ReadBuffer` — all in the same run.
 */
import { decodeMessage, encodeLine, LineDecoder, type JSONRPCMessage } from '@mcp-transports/core';
import { ReadBuffer as SdkReadBuffer } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { compare, median, timeSync, type BenchOptions, type Row } from '../harness.js';

const SUITE = 'core';

function toolsListResult(bytes: number): JSONRPCMessage {
  const tools = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const tool = {
      name: `tool_${i}`,
      description: `Does thing number ${i}, carefully, with a description long enough to be realistic.`,
      inputSchema: {
        type: 'object',
        properties: { path: { type: 'string' }, depth: { type: 'integer' } },
        required: ['path'],
      },
    };
    size += JSON.stringify(tool).length;
    tools.push(tool);
  }
  return { jsonrpc: '2.0', id: 2, result: { tools } };
}

function bigResult(bytes: number, id: number): JSONRPCMessage {
  return { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'é'.repeat(Math.floor(bytes / 2)) }] } };
}

export async function coreSuite(options: BenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const rounds = options.quick ? 3 : 7;

  // -- decode vs JSON.parse ---------------------------------------------------------------
  const inputs: [string, string, number][] = [
    [
      'small request',
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'hi' } },
      }),
      200_000,
    ],
    ['20 KB tools/list result', JSON.stringify(toolsListResult(20 * 1024)), 2_000],
    ['1 MB result', JSON.stringify(bigResult(1024 * 1024, 3)), 40],
  ];
  for (const [name, text, baseIterations] of inputs) {
    const iterations = options.quick ? Math.ceil(baseIterations / 10) : baseIterations;
    let sink = 0;
    const { times, ratios } = await compare(
      {
        'JSON.parse': () =>
          timeSync(() => {
            sink += (JSON.parse(text) as { jsonrpc: string }).jsonrpc.length;
          }, iterations),
        'core decodeMessage': () =>
          timeSync(() => {
            const r = decodeMessage(text);
            if (r.ok) sink += r.message.jsonrpc.length;
          }, iterations),
      },
      rounds,
    );
    if (sink === 0) throw new Error('unreachable: keeps the work observable');
    const perSecond = (ms: number[]) => (iterations / median(ms)) * 1000;
    rows.push({
      suite: SUITE,
      figure: `decode ${name}`,
      contender: 'JSON.parse',
      value: perSecond(times['JSON.parse']!),
      unit: 'msg/s',
    });
    // Throughput ratio: ours / baseline (>= 0.9 means at most ~11% slower than bare JSON.parse).
    const ratio = 1 / median(ratios['core decodeMessage']!);
    rows.push({
      suite: SUITE,
      figure: `decode ${name}`,
      contender: 'core decodeMessage',
      value: perSecond(times['core decodeMessage']!),
      unit: 'msg/s',
      ratio,
      goal: '>= 0.9',
      met: ratio >= 0.9,
    });
  }

  // -- framing of one big message in 64 KiB chunks --------------------------------------------
  for (const mb of options.quick ? [10] : [10, 50]) {
    const bytes = Buffer.from(encodeLine(bigResult(mb * 1024 * 1024, 4)));
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
    const limit = bytes.length + 1024;
    const { times, ratios } = await compare(
      {
        'collect-then-parse': () =>
          timeSync(() => {
            const all = Buffer.concat(chunks);
            const text = all.toString('utf8', 0, all.length - 1);
            JSON.parse(text);
          }),
        'core LineDecoder': () =>
          timeSync(() => {
            let got = 0;
            const decoder = new LineDecoder({
              maxMessageBytes: limit,
              onmessage: () => got++,
              onerror: (e) => {
                throw e;
              },
            });
            for (const chunk of chunks) decoder.push(chunk);
            if (got !== 1) throw new Error('LineDecoder lost the message');
          }),
        'SDK v1 ReadBuffer': () =>
          timeSync(() => {
            const buffer = new SdkReadBuffer({ maxBufferSize: limit });
            let got = 0;
            for (const chunk of chunks) {
              buffer.append(chunk);
              while (buffer.readMessage() !== null) got++;
            }
            if (got !== 1) throw new Error('ReadBuffer lost the message');
          }),
      },
      options.quick ? 1 : 3,
    );
    rows.push({
      suite: SUITE,
      figure: `frame ${mb} MB in 64 KiB chunks`,
      contender: 'collect-then-parse',
      value: median(times['collect-then-parse']!),
      unit: 'ms',
    });
    for (const contender of ['core LineDecoder', 'SDK v1 ReadBuffer']) {
      const ratio = median(ratios[contender]!);
      rows.push({
        suite: SUITE,
        figure: `frame ${mb} MB in 64 KiB chunks`,
        contender,
        value: median(times[contender]!),
        unit: 'ms',
        ratio,
        ...(contender === 'core LineDecoder' ? { goal: '<= 1.2', met: ratio <= 1.2 } : {}),
      });
    }
  }
  return rows;
}
