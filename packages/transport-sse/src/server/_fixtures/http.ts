/** Raw HTTP helpers for tests: JSON-RPC POSTs and an incremental SSE reader. */

export interface SseEvent {
  event?: string;
  id?: string;
  retry?: number;
  data: string;
  comments: string[];
}

export const INIT = (version = '2025-11-25', id: number | string = 1): string =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 't', version: '0' } },
  });

export function post(
  url: URL | string,
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...headers },
    body,
    ...(signal === undefined ? {} : { signal }),
  });
}

/** Initializes a session; returns the headers to send on later requests. */
export async function open(url: URL | string, version = '2025-11-25'): Promise<Record<string, string>> {
  const response = await post(url, INIT(version));
  if (response.status !== 200) throw new Error(`initialize: ${response.status} ${await response.text()}`);
  await response.text();
  const headers: Record<string, string> = { 'mcp-protocol-version': version };
  const id = response.headers.get('mcp-session-id');
  if (id !== null) headers['mcp-session-id'] = id;
  return headers;
}

/** Reads SSE events from a response as they arrive. */
export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = '';
  #done = false;

  constructor(response: Response) {
    if (response.body === null) throw new Error('no body');
    this.#reader = response.body.getReader();
  }

  /** The next event (comments-only blocks included), or `undefined` at the end of the stream. */
  async next(): Promise<SseEvent | undefined> {
    for (;;) {
      const end = this.#buffer.indexOf('\n\n');
      if (end !== -1) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const event: SseEvent = { data: '', comments: [] };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) event.comments.push(line.slice(1).trim());
          else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
          else if (line.startsWith('id:')) event.id = line.slice(3).trim();
          else if (line.startsWith('event:')) event.event = line.slice(6).trim();
          else if (line.startsWith('retry:')) event.retry = Number(line.slice(6).trim());
        }
        event.data = data.join('\n');
        return event;
      }
      if (this.#done) return undefined;
      const { done, value } = await this.#reader.read();
      if (done) this.#done = true;
      else this.#buffer += this.#decoder.decode(value, { stream: true });
    }
  }

  /** Every remaining message event's parsed data. */
  async rest(): Promise<SseEvent[]> {
    const all: SseEvent[] = [];
    for (let e = await this.next(); e !== undefined; e = await this.next()) all.push(e);
    return all;
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}
