/**
 * One bridged session: a downstream transport (the client side, e.g. one HTTP session) tied to its
 * own upstream transport (e.g. one child process). Messages are relayed as they are — requests,
 * responses and notifications both ways — so sampling, elicitation, roots, ping, progress and
 * cancellation work without the bridge knowing MCP beyond what routing needs:
 *
 * - the `initialize` result's protocol version is handed to both transports (HTTP headers need it);
 * - a message from upstream is tied (`relatedRequestId`) to the downstream request it belongs to,
 *   so Streamable HTTP carries it on that request's stream: progress by its token, anything else
 *   when exactly one downstream request is open (stdio carries no such link, so this is a guess,
 *   and the only safe one; otherwise it goes on the client's GET stream);
 * - downstream requests still waiting when the upstream dies are answered with an error naming the
 *   cause, and then the downstream session is closed — a client never waits on a dead server.
 */
import {
  CONNECTION_CLOSED,
  createErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResponse,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
  type Transport,
  type TransportSendOptions,
} from '@mcp-transports/core';

export interface RelayOptions {
  /** The client-facing transport, not yet started. */
  readonly downstream: Transport;
  /** The server-facing transport, not yet started. */
  readonly upstream: Transport;
  /** Says why the upstream closed, for the error sent to waiting requests (e.g. "exited with code 1"). */
  readonly describeUpstreamClose?: (lastError: Error | undefined) => string;
  /** Where trouble and session events are reported (default: nowhere). */
  readonly log?: (line: string) => void;
  /** Called once the upstream has started (with the first downstream message). */
  readonly onopen?: () => void;
}

type ProgressToken = string | number;

const TAG = '[mcp-bridge]';

export class Relay {
  readonly downstream: Transport;
  readonly upstream: Transport;
  /** Settles once both sides are closed. */
  readonly closed: Promise<void>;

  readonly #describe: (lastError: Error | undefined) => string;
  readonly #log: (line: string) => void;
  readonly #onopen: () => void;
  /** Downstream requests the upstream has not answered yet (one object per request, with its progress token). */
  readonly #pending = new Map<RequestId, { readonly progressToken: ProgressToken | undefined }>();
  readonly #progress = new Map<ProgressToken, RequestId>();
  /** Downstream messages that arrived while the upstream was starting. */
  #queue: JSONRPCMessage[] | undefined = [];
  #initializeId: RequestId | undefined;
  #upstreamError: Error | undefined;
  #upstreamStarting = false;
  #upstreamClosed = false;
  #downstreamClosed = false;
  /** Set when we end the session on purpose (shutdown, or the downstream left): no failure to report. */
  #stopping = false;
  #failure: string | undefined;
  #resolveClosed!: () => void;

  constructor(options: RelayOptions) {
    this.downstream = options.downstream;
    this.upstream = options.upstream;
    this.#describe = options.describeUpstreamClose ?? ((error) => error?.message ?? 'the upstream connection closed');
    this.#log = options.log ?? (() => undefined);
    this.#onopen = options.onopen ?? (() => undefined);
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  /** Why the upstream went away by itself (undefined while it lives, or when the downstream ended first). */
  get failure(): string | undefined {
    return this.#failure;
  }

  /**
   * Starts the downstream. The upstream starts with the first downstream message (a connection that
   * never speaks costs no child process), which waits in a queue meanwhile; when the upstream cannot
   * start, that request gets the error naming the cause and the downstream is closed.
   */
  async start(): Promise<void> {
    const { downstream, upstream } = this;
    downstream.onmessage = (message) => {
      if (this.#queue === undefined) {
        this.#toUpstream(message);
        return;
      }
      this.#queue.push(message);
      if (this.#queue.length === 1) void this.#startUpstream();
    };
    downstream.onerror = (error) => this.#log(`downstream: ${error.message}`);
    downstream.onclose = () => void this.#onDownstreamClose();
    upstream.onmessage = (message) => this.#toDownstream(message);
    upstream.onerror = (error) => {
      this.#upstreamError = error;
      this.#log(`upstream: ${error.message}`);
    };
    // While starting, a failed start is handled where start() rejects, with the error in hand.
    upstream.onclose = () => {
      if (!this.#upstreamStarting) void this.#onUpstreamClose();
    };
    await downstream.start();
  }

  async #startUpstream(): Promise<void> {
    this.#upstreamStarting = true;
    try {
      await this.upstream.start();
    } catch (error) {
      this.#upstreamError = error instanceof Error ? error : new Error(String(error));
      await this.#onUpstreamClose();
      return;
    } finally {
      this.#upstreamStarting = false;
    }
    if (this.#stopping || this.#upstreamClosed) return;
    this.#onopen();
    const queued = this.#queue ?? [];
    this.#queue = undefined;
    for (const message of queued) this.#toUpstream(message);
  }

  /** Closes both sides (shutdown). Resolves once both are closed. */
  async close(): Promise<void> {
    this.#stopping = true;
    await Promise.allSettled([this.downstream.close(), this.#closeUpstream()]);
    this.#upstreamClosed = true;
    this.#downstreamClosed = true;
    this.#resolveClosed();
  }

  #toUpstream(message: JSONRPCMessage): void {
    let options: TransportSendOptions | undefined;
    if (isJSONRPCRequest(message)) {
      const meta = (message.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta;
      const token = meta?.progressToken;
      const progressToken = typeof token === 'string' || typeof token === 'number' ? token : undefined;
      const entry = { progressToken };
      this.#pending.set(message.id, entry);
      if (progressToken !== undefined) this.#progress.set(progressToken, message.id);
      if (message.method === 'initialize') this.#initializeId = message.id;
      const id = message.id;
      // Streamable HTTP upstream: the answer stream of this request ended. Its response, if any, was
      // delivered before this fires; still pending means it was lost (cut, not resumable). Checked a
      // turn later, so a failed POST is answered by send()'s rejection, which names the cause.
      options = {
        onRequestStreamEnd: () =>
          void setImmediate(() => {
            if (this.#pending.get(id) !== entry) return;
            this.#settle(id);
            this.#reply(
              this.downstream,
              id,
              `${TAG} the upstream's answer stream for this request ended without a response`,
            );
          }),
      };
    } else if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      // The server does not answer a cancelled request, so there is nothing left to wait for.
      const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof id === 'string' || typeof id === 'number') this.#settle(id);
    }
    this.upstream.send(message, options).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      this.#log(`could not relay ${describe(message)} upstream: ${reason}`);
      if (isJSONRPCRequest(message) && this.#settle(message.id)) {
        this.#reply(this.downstream, message.id, `${TAG} the upstream server could not be reached: ${reason}`);
      }
    });
  }

  #toDownstream(message: JSONRPCMessage): void {
    let options: TransportSendOptions | undefined;
    if (isJSONRPCResponse(message)) {
      const id = message.id;
      if (id !== undefined) this.#settle(id);
      if (id === this.#initializeId && isJSONRPCResultResponse(message)) {
        const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
        if (typeof version === 'string') {
          this.upstream.setProtocolVersion?.(version);
          this.downstream.setProtocolVersion?.(version);
        }
      }
    } else {
      const related = this.#relatedRequest(message);
      if (related !== undefined) options = { relatedRequestId: related };
    }
    this.downstream.send(message, options).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      this.#log(`could not relay ${describe(message)} downstream: ${reason}`);
      if (isJSONRPCRequest(message)) {
        this.#reply(this.upstream, message.id, `${TAG} the request could not be delivered to the client: ${reason}`);
      }
    });
  }

  /** The downstream request an upstream request/notification belongs to, when it can be told. */
  #relatedRequest(message: JSONRPCMessage): RequestId | undefined {
    if (isJSONRPCNotification(message) && message.method === 'notifications/progress') {
      const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
      if (typeof token === 'string' || typeof token === 'number') return this.#progress.get(token);
    }
    if (this.#pending.size !== 1) return undefined;
    const [only] = this.#pending.keys();
    return only;
  }

  /** Forgets a pending downstream request; true when it was pending. */
  #settle(id: RequestId): boolean {
    const entry = this.#pending.get(id);
    if (entry === undefined) return false;
    this.#pending.delete(id);
    if (entry.progressToken !== undefined) this.#progress.delete(entry.progressToken);
    return true;
  }

  #reply(to: Transport, id: RequestId, message: string): void {
    to.send(createErrorResponse(CONNECTION_CLOSED, message, id)).catch((error: unknown) => {
      this.#log(`could not send an error for request ${JSON.stringify(id)}: ${String(error)}`);
    });
  }

  async #onUpstreamClose(): Promise<void> {
    if (this.#upstreamClosed) return;
    this.#upstreamClosed = true;
    if (!this.#stopping && !this.#downstreamClosed) {
      // The upstream went away by itself: every waiting client request learns why, then the session ends.
      const cause = this.#describe(this.#upstreamError);
      this.#failure = cause;
      this.#log(`upstream closed: ${cause}`);
      const message = `${TAG} the upstream server is gone: ${cause}`;
      const waiting = [
        ...this.#pending.keys(),
        ...(this.#queue ?? []).flatMap((m) => (isJSONRPCRequest(m) ? [m.id] : [])),
      ];
      this.#pending.clear();
      this.#progress.clear();
      this.#queue = undefined;
      await Promise.allSettled(
        waiting.map((id) => this.downstream.send(createErrorResponse(CONNECTION_CLOSED, message, id))),
      );
      await this.downstream.close().catch((error: unknown) => this.#log(`downstream close: ${String(error)}`));
      this.#downstreamClosed = true;
    }
    this.#checkClosed();
  }

  async #onDownstreamClose(): Promise<void> {
    if (this.#downstreamClosed) return;
    this.#downstreamClosed = true;
    if (!this.#upstreamClosed) {
      this.#stopping = true;
      await this.#closeUpstream();
      this.#upstreamClosed = true;
    }
    this.#checkClosed();
  }

  async #closeUpstream(): Promise<void> {
    // An HTTP upstream session is ended on the server too (DELETE), not left to expire.
    const terminate = (this.upstream as { terminateSession?: () => Promise<void> }).terminateSession;
    if (terminate !== undefined && this.upstream.sessionId !== undefined) {
      await terminate.call(this.upstream).catch((error: unknown) => this.#log(`upstream DELETE: ${String(error)}`));
    }
    await this.upstream.close().catch((error: unknown) => this.#log(`upstream close: ${String(error)}`));
  }

  #checkClosed(): void {
    if (this.#upstreamClosed && this.#downstreamClosed) this.#resolveClosed();
  }
}

function describe(message: JSONRPCMessage): string {
  if (isJSONRPCRequest(message)) return `request ${message.method} (id ${JSON.stringify(message.id)})`;
  if (isJSONRPCNotification(message)) return `notification ${message.method}`;
  return `response (id ${JSON.stringify((message as { id?: unknown }).id ?? null)})`;
}
