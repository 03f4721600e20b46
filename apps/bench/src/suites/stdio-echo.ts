/**
 * Echo child for the stdio bench: returns every line (message) unchanged. argv[2] picks the stack:
 * `raw` (bytes piped straight back), `raw-json` (JSON.parse + JSON.stringify per line, the floor for
 * any JSON transport), `ours` (@mcp-transports/stdio StdioServerTransport), `sdk-v1` / `sdk-v2`
 * (the official SDK's StdioServerTransport).
 */
const mode = process.argv[2];
const LIMIT = 128 * 1024 * 1024;

if (mode === 'raw') {
  process.stdin.pipe(process.stdout);
} else if (mode === 'raw-json') {
  let pieces: Buffer[] = [];
  process.stdin.on('data', (chunk: Buffer) => {
    let start = 0;
    let out = '';
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      pieces.push(chunk.subarray(start, nl));
      const line = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
      pieces = [];
      out += `${JSON.stringify(JSON.parse(line.toString('utf8')))}\n`;
      start = nl + 1;
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
    if (out.length > 0) process.stdout.write(out);
  });
} else {
  type Echo = {
    onmessage?: (m: unknown) => void;
    send(m: unknown): Promise<void>;
    start(): Promise<void>;
    onclose?: () => void;
  };
  let transport: Echo;
  if (mode === 'ours') {
    const { StdioServerTransport } = await import('@mcp-transports/stdio');
    transport = new StdioServerTransport({ maxMessageBytes: LIMIT }) as unknown as Echo;
  } else if (mode === 'sdk-v1') {
    const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
    transport = new StdioServerTransport(process.stdin, process.stdout, { maxBufferSize: LIMIT }) as unknown as Echo;
  } else {
    const { StdioServerTransport } = await import('@modelcontextprotocol/server/stdio');
    transport = new StdioServerTransport(process.stdin, process.stdout, { maxBufferSize: LIMIT }) as unknown as Echo;
  }
  transport.onmessage = (m) => void transport.send(m);
  await transport.start();
  process.stdin.on('end', () => process.exit(0));
}
