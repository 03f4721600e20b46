// Conformance layer 1 on a real socket pair: a listener on an ephemeral loopback port and our Node
// client (and, separately, the browser client on ws's WebSocket as the global).
//
// The suite wants both ends before either starts, but a listener yields its server transport only
// once a client has connected, which our client does in start(). So the factory hands the suite a
// thin stand-in for the server end that forwards to the real WebSocketServerTransport as soon as the
// upgrade completes — which is before the client's start() resolves (ws creates the server socket
// when it writes the 101). The stand-in only sequences; every byte goes through the real transports.
import { TransportError, TransportErrorCode } from '@mcp-transports/core';
import type { JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions } from '@mcp-transports/core';
import { describeTransportConformance } from '@mcp-transports/conformance/vitest';
import type { TransportPairFactory } from '@mcp-transports/conformance';
import { afterAll, beforeAll } from 'vitest';
import { WebSocket as NodeWs } from 'ws';
import { WebSocketClientTransport as BrowserClient } from './browser.js';
import { WebSocketClientTransport } from './client.js';
import { WebSocketListener } from './listener.js';
import { WebSocketServerTransport } from './server.js';

const LIMIT = 256 * 1024;

class ServerEnd implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  #real: WebSocketServerTransport | undefined;
  #arrived: Promise<WebSocketServerTransport>;
  #resolve!: (t: WebSocketServerTransport) => void;
  #started = false;
  #closed = false;

  constructor() {
    this.#arrived = new Promise((r) => (this.#resolve = r));
  }

  attach(real: WebSocketServerTransport): void {
    this.#real = real;
    real.onmessage = (message, extra) => this.onmessage?.(message, extra);
    real.onerror = (error) => this.onerror?.(error);
    real.onclose = () => {
      if (this.#closed) return;
      this.#closed = true;
      this.onclose?.();
    };
    if (this.#closed) void real.close();
    else if (this.#started) void real.start();
    this.#resolve(real);
  }

  kill(): void {
    this.#real?.terminate();
  }

  start(): Promise<void> {
    if (this.#started)
      return this.#real?.start() ?? Promise.reject(new TransportError(TransportErrorCode.AlreadyStarted, 'started'));
    this.#started = true;
    return this.#real?.start() ?? Promise.resolve();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!this.#started) throw new TransportError(TransportErrorCode.NotStarted, 'send() before start()');
    if (this.#closed) throw new TransportError(TransportErrorCode.Closed, 'send() after close()');
    const real = this.#real ?? (await this.#arrived);
    return real.send(message, options);
  }

  async close(): Promise<void> {
    if (this.#real !== undefined) return this.#real.close();
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }
}

function factoryFor(makeClient: (url: string) => Transport): TransportPairFactory {
  return async () => {
    const listener = new WebSocketListener({ maxMessageBytes: LIMIT, closeTimeoutMs: 500 });
    const server = new ServerEnd();
    listener.onconnection = (t) => {
      if (t instanceof WebSocketServerTransport) server.attach(t);
    };
    const { url } = await listener.listen();
    const client = makeClient(url);
    return {
      client,
      server,
      kill: () => {
        server.kill();
      },
      close: async () => {
        await client.close();
        await listener.close();
      },
    };
  };
}

describeTransportConformance(
  'WebSocket (Node client ↔ listener, real sockets)',
  factoryFor((url) => new WebSocketClientTransport(url, { maxMessageBytes: LIMIT, closeTimeoutMs: 500 })),
  { maxMessageBytes: LIMIT, peerDeath: true },
);

const saved = globalThis.WebSocket;
beforeAll(() => {
  globalThis.WebSocket = NodeWs as unknown as typeof globalThis.WebSocket;
});
afterAll(() => {
  globalThis.WebSocket = saved;
});

describeTransportConformance(
  'WebSocket (browser client on a global WebSocket ↔ listener)',
  factoryFor((url) => new BrowserClient(url, { maxMessageBytes: LIMIT })),
  { maxMessageBytes: LIMIT, peerDeath: true },
);
