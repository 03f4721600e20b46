/**
 * HTTP medium, on `@mcp-transports/sse/client`. `auto` is its FallbackClientTransport: Streamable
 * HTTP first, the legacy HTTP+SSE transport when `initialize` gets 400/404/405 (SH-54).
 */
import { FallbackClientTransport, SSEClientTransport, StreamableHTTPClientTransport } from '@mcp-transports/sse/client';
import { connection, type ClientFactory, type Connection } from './types.js';

export const HTTP_IMPLEMENTATION = 'ours: @mcp-transports/sse';

export type HttpMode = 'auto' | 'streamable-http' | 'sse';

export async function connectHttp(url: URL, createClient: ClientFactory, mode: HttpMode = 'auto'): Promise<Connection> {
  const client = createClient();
  if (mode === 'auto') {
    const transport = new FallbackClientTransport(url);
    await client.connect(transport);
    return connection(client, transport.kind);
  }
  await client.connect(mode === 'sse' ? new SSEClientTransport(url) : new StreamableHTTPClientTransport(url));
  return connection(client, mode);
}
