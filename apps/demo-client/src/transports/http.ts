/**
 * HTTP medium. `auto` tries Streamable HTTP and falls back to the legacy HTTP+SSE transport when
 * that fails (the spec's backwards-compatibility advice). Until `@mcp-transports/sse` lands: the
 * SDK's StreamableHTTPClientTransport and SSEClientTransport.
 */
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connection, type ClientFactory, type Connection } from './types.js';

export const HTTP_IMPLEMENTATION = 'SDK StreamableHTTPClientTransport + SSEClientTransport';

export type HttpMode = 'auto' | 'streamable-http' | 'sse';

export async function connectHttp(url: URL, createClient: ClientFactory, mode: HttpMode = 'auto'): Promise<Connection> {
  if (mode !== 'sse') {
    const client = createClient();
    try {
      await client.connect(new StreamableHTTPClientTransport(url));
      return connection(client, 'streamable-http');
    } catch (error) {
      await client.close();
      if (mode === 'streamable-http') throw error;
    }
  }
  const client = createClient();
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the legacy transport is the fallback we want
  await client.connect(new SSEClientTransport(url));
  return connection(client, 'sse');
}
