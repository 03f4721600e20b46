/**
 * Backwards compatibility (SH-54): try Streamable HTTP first; when the server answers the
 * `initialize` POST with 400, 404 or 405, it predates Streamable HTTP, so open the 2024-11-05
 * HTTP+SSE transport instead (a GET expecting an `endpoint` event) and send `initialize` there.
 */
import { isJSONRPCRequest, type JSONRPCMessage, type Transport, type TransportSendOptions } from '@mcp-transports/core';
import { HTTPStatusError } from './_options.js';
import type { StreamableHTTPClientTransportOptions } from './_streamable.js';

/** Options: those of the Streamable HTTP client (the legacy one uses the HTTP subset), plus `sseUrl`. */
export interface FallbackClientTransportOptions extends StreamableHTTPClientTransportOptions {
  /**
   * Where the legacy SSE stream lives, when not at the same URL (older SDK servers serve it at `/sse`).
   * @default the same URL (SH-54)
   */
  sseUrl?: string | URL | undefined;
}

/** The statuses that mean "no Streamable HTTP here" (2025-11-25; 2025-06-18 said any 4xx). */
const FALLBACK_STATUSES: ReadonlySet<number> = new Set([400, 404, 405]);

export type TransportKind = 'streamable-http' | 'sse';

interface SessionTransport extends Transport {
  terminateSession?: () => Promise<void>;
}

export class FallbackClient implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;

  readonly #createLegacy: () => Transport;
  #active: SessionTransport;
  #kind: TransportKind = 'streamable-http';
  #decided = false;
  #closed = false;
  #protocolVersion: string | undefined;

  constructor(createStreamable: () => SessionTransport, createLegacy: () => Transport) {
    this.#createLegacy = createLegacy;
    this.#active = this.#wire(createStreamable());
  }

  /** Which transport is in use: `streamable-http` until a fallback to `sse` happened. */
  get kind(): TransportKind {
    return this.#kind;
  }

  /** One HTTP request per message only on Streamable HTTP. */
  get hasPerRequestStream(): boolean {
    return this.#kind === 'streamable-http';
  }

  get sessionId(): string | undefined {
    return this.#active.sessionId;
  }

  /** The protocol version the SDK settled on (`2026-07-28` on a stateless connection), once it has. */
  get protocolVersion(): string | undefined {
    return this.#protocolVersion;
  }

  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
    this.#active.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.#active.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#decided || !isJSONRPCRequest(message) || message.method !== 'initialize') {
      await this.#active.send(message, options);
      return;
    }
    try {
      await this.#active.send(message, options);
    } catch (error) {
      if (!(error instanceof HTTPStatusError) || !FALLBACK_STATUSES.has(error.status) || this.#closed) throw error;
      await this.#fallBack();
      await this.#active.send(message, options);
    }
    this.#decided = true;
  }

  /** Ends the Streamable HTTP session (DELETE); nothing to do on the legacy transport. */
  async terminateSession(): Promise<void> {
    await this.#active.terminateSession?.();
  }

  close(): Promise<void> {
    this.#closed = true;
    return this.#active.close();
  }

  async #fallBack(): Promise<void> {
    const previous = this.#active;
    previous.onclose = undefined;
    previous.onerror = undefined;
    previous.onmessage = undefined;
    await previous.close();
    this.#kind = 'sse';
    this.#active = this.#wire(this.#createLegacy());
    if (this.#protocolVersion !== undefined) this.#active.setProtocolVersion?.(this.#protocolVersion);
    await this.#active.start();
  }

  #wire<T extends Transport>(transport: T): T {
    transport.onmessage = (message) => this.onmessage?.(message);
    transport.onerror = (error) => this.onerror?.(error);
    transport.onclose = () => {
      this.#closed = true;
      this.onclose?.();
    };
    return transport;
  }
}
