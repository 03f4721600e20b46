/**
 * Conformance layer 1 (the transport contract) on a real HTTP pair: our listener on an ephemeral
 * loopback port, one session's server transport, and as the client the official SDK v1
 * `StreamableHTTPClientTransport` (this package's own client lands from a parallel branch).
 */
import type { JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions } from '@mcp-transports/core';
import { describeTransportConformance } from '@mcp-transports/conformance/vitest';
import type { TransportPairFactory } from '@mcp-transports/conformance';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createMcpHttpServer, type StreamableHTTPListenerOptions } from './index.js';

const LIMIT = 256 * 1024;

/**
 * The server end the suite drives. A session's transport only exists once `initialize` arrives,
 * after the suite has started both ends, so this stands in for it and forwards to it once it
 * exists. Test plumbing only: it adds no behaviour of its own.
 */
class SessionEnd implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  #real: Transport | undefined;
  #started = false;
  #closed = false;

  attach(real: Transport): void {
    this.#real = real;
    real.onmessage = (message, extra) => this.onmessage?.(message, extra);
    real.onerror = (error) => this.onerror?.(error);
    real.onclose = () => this.#fireClose();
    void real.start();
  }

  #fireClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }

  start(): Promise<void> {
    if (this.#started) return Promise.reject(new Error('already started'));
    this.#started = true;
    return Promise.resolve();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!this.#started) return Promise.reject(new Error('send() before start()'));
    if (this.#closed || this.#real === undefined) return Promise.reject(new Error('closed or no session yet'));
    return this.#real.send(message, options);
  }

  async close(): Promise<void> {
    if (this.#real !== undefined) await this.#real.close();
    this.#fireClose();
  }
}

function factory(options: StreamableHTTPListenerOptions): TransportPairFactory {
  return async () => {
    const server = new SessionEnd();
    const http = await createMcpHttpServer({
      ...options,
      maxMessageBytes: LIMIT,
      onconnection: (transport) => server.attach(transport),
    });
    const client = new StreamableHTTPClientTransport(http.url) as unknown as Transport;
    return {
      client,
      server,
      close: async () => {
        await client.close().catch(() => undefined);
        await http.close();
      },
    };
  };
}

const capabilities = {
  maxMessageBytes: LIMIT,
  handshake: true,
  sessions: true,
  // The GET stream opens after `initialized`; give the SDK client a moment to hold it.
  settleMs: 100,
  stressMessages: 200,
  // Shared, busy CI machines: waiting longer costs nothing when things work.
  timeoutMs: 30_000,
  orderMessages: 200,
};

// Known gaps of the client end (the SDK v1 client), kept as data: each runs as `it.fails`.
const sdkClientGaps = [
  { id: 'TC-4.close-idempotent', reason: 'SDK v1 StreamableHTTPClientTransport fires onclose on every close() call' },
  {
    id: 'TC-4.close-from-client',
    reason: 'SDK v1 client close() does not DELETE the session, so the server end cannot notice it',
  },
  {
    id: 'TC-4.close-from-server',
    reason: 'a server-side session end is only seen by the SDK v1 client on its next request (404)',
  },
];

// JSON-response mode is not run here: its response headers wait for the JSON body, and the SDK v1
// client's send() awaits the headers, so a suite step that awaits send() before the server end
// answers cannot finish. The interop and wire tests cover JSON mode.
describeTransportConformance(
  'Streamable HTTP (stateful, SSE) — our listener + SDK v1 client',
  factory({}),
  capabilities,
  {
    expectedFailures: sdkClientGaps,
  },
);
