/**
 * `RedisSessionRouter`: the `SessionRouter` of `@mcp-transports/sse`'s listener over Redis
 * pub/sub, so one sessionful Streamable HTTP endpoint runs on many nodes behind a round-robin load
 * balancer. Each node subscribes to one channel, `<prefix>:route:<nodeId>`; a session's id starts
 * with its owner's node id, so any node finds the owner without a lookup (and nothing per session
 * is stored in Redis). A forwarded request is one message to the owner; the owner's response comes
 * back as numbered messages on the forwarder's channel: the head (with the first body chunk), then
 * body chunks, then the end — a complete answer is usually one message.
 *
 * Pub/sub, not streams: both nodes are alive and connected for the whole exchange (PUBLISH says
 * how many subscribers got the message, so a dead node is noticed on the spot), and what is at
 * stake when Redis drops messages is one HTTP response — which the client repeats or, for an SSE
 * stream, resumes with `Last-Event-ID` from the event store. Numbered messages make a loss
 * visible: the relayed response is cut rather than delivered with a hole.
 */
import { randomBytes } from 'node:crypto';
import { TransportError, TransportErrorCode } from '@mcp-transports/core';
import {
  duplicateForBlocking,
  quit,
  release,
  resolveConnection,
  waitReady,
  type Owned,
  type RedisClient,
  type RedisConnection,
} from './_connection.js';
import { TAG } from './_keys.js';

/** A request forwarded to the node that owns its session (`RoutedRequest` of `@mcp-transports/sse`). */
export interface RoutedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface RedisSessionRouterOptions {
  /** ioredis `Redis`/`Cluster` (borrowed: never closed), a URL, or ioredis options. */
  redis: RedisConnection;
  /** First part of every channel name. @default 'mcp' */
  prefix?: string;
  /** This node's id: the prefix of its session ids (base64url, no '.'). @default 12 random characters */
  nodeId?: string;
  /** How often open exchanges check that the node at the other end is still subscribed, in ms. @default 1000 */
  livenessMs?: number;
  /** How long a forwarded request waits for the owner to take it, in ms (then 502). @default 10000 */
  ackTimeoutMs?: number;
  /** How long `ready` waits for Redis, in ms. @default 10000 */
  connectTimeoutMs?: number;
  /** Malformed messages on this node's channel and failed publishes. @default none */
  onerror?: (error: Error) => void;
}

const NODE_ID = /^[A-Za-z0-9_-]+$/;
const encoder = new TextEncoder();
type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;

/** A request this node forwarded and whose answer it is waiting for or relaying. */
interface Outgoing {
  readonly owner: string;
  next: number;
  acked: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve: (response: Response) => void;
  reject: (error: Error) => void;
  controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  done: boolean;
}

/** A request another node forwarded here, being answered. */
interface Incoming {
  readonly from: string;
  readonly abort: AbortController;
  reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
}

/**
 * Routes requests for sessions to the node that holds them, over Redis pub/sub. Give one to each
 * node's `StreamableHTTPListener` (`router` option) with the same Redis and prefix.
 */
export class RedisSessionRouter {
  /** This node's id; every session opened here has an id starting with `<nodeId>.`. */
  readonly nodeId: string;
  /** Resolves once this node's channel is subscribed; rejects with `ERR_CONNECTION`. */
  readonly ready: Promise<void>;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #conn: Owned;
  readonly #sub: RedisClient;
  readonly #ackTimeoutMs: number;
  readonly #onerror: ((error: Error) => void) | undefined;
  readonly #outgoing = new Map<string, Outgoing>();
  readonly #incoming = new Map<string, Incoming>();
  readonly #liveness: ReturnType<typeof setInterval>;
  #serve: ((request: Request) => Promise<Response>) | undefined;
  #counter = 0;
  #readyOnce = false;
  #closed = false;

  constructor(options: RedisSessionRouterOptions) {
    const nodeId = options.nodeId ?? randomBytes(9).toString('base64url');
    if (!NODE_ID.test(nodeId)) {
      throw new TypeError(`${TAG} nodeId ${JSON.stringify(nodeId)} must be base64url characters only`);
    }
    this.nodeId = nodeId;
    this.#prefix = options.prefix ?? 'mcp';
    this.#channel = this.#channelOf(nodeId);
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.#onerror = options.onerror;
    this.#conn = resolveConnection(options.redis);
    this.#sub = duplicateForBlocking(this.#conn.client);
    this.#sub.on('message', (channel: string, data: string) => {
      if (channel === this.#channel) this.#receive(data);
    });
    this.#sub.on('ready', () => {
      // A reconnect: messages sent meanwhile may be lost, so no open exchange can be trusted.
      if (this.#readyOnce) this.#breakAll('the connection to Redis was lost');
      this.#readyOnce = true;
    });
    this.ready = this.#start(options.connectTimeoutMs ?? 10_000);
    this.ready.catch((error: unknown) => this.#report(error));
    this.#liveness = setInterval(() => void this.#checkPeers(), options.livenessMs ?? 1000);
    this.#liveness.unref();
  }

  async #start(timeoutMs: number): Promise<void> {
    await Promise.all([waitReady(this.#conn.client, timeoutMs), waitReady(this.#sub, timeoutMs)]);
    await this.#sub.subscribe(this.#channel);
  }

  /** Exchanges in flight: forwarded from here, and served here for other nodes. */
  get inFlight(): { forwarded: number; served: number } {
    return { forwarded: this.#outgoing.size, served: this.#incoming.size };
  }

  attach(serve: (request: Request) => Promise<Response>): void {
    this.#serve = serve;
  }

  sessionId(generated: string): string {
    return `${this.nodeId}.${generated}`;
  }

  async forward(sessionId: string, request: RoutedRequest, signal: AbortSignal): Promise<Response | undefined> {
    const dot = sessionId.indexOf('.');
    const owner = dot > 0 ? sessionId.slice(0, dot) : '';
    if (!NODE_ID.test(owner) || owner === this.nodeId || this.#closed) return undefined;
    const id = `${this.nodeId}:${(++this.#counter).toString(36)}`;
    const answer = new Promise<Response>((resolve, reject) => {
      this.#outgoing.set(id, {
        owner,
        next: 0,
        acked: false,
        timer: undefined,
        resolve,
        reject,
        controller: undefined,
        done: false,
      });
    });
    answer.catch(() => undefined);
    const pending = this.#outgoing.get(id) as Outgoing;
    // Covers a Redis outage too: the PUBLISH below then waits in ioredis' offline queue.
    pending.timer = setTimeout(() => {
      if (pending.acked) return;
      this.#fail(
        id,
        new TransportError(
          TransportErrorCode.Timeout,
          `${TAG} node ${owner} did not take the request within ${this.#ackTimeoutMs} ms`,
        ),
      );
    }, this.#ackTimeoutMs);
    let receivers: number;
    try {
      receivers = await this.#conn.client.publish(this.#channelOf(owner), frame('q', id, 0, JSON.stringify(request)));
    } catch (error) {
      this.#fail(id, error instanceof Error ? error : new Error(String(error)));
      return answer;
    }
    if (receivers === 0 && this.#outgoing.has(id)) {
      // Nobody listens on the owner's channel: that node is gone, and its sessions with it.
      this.#settle(id);
      return undefined;
    }
    const onAbort = (): void => {
      if (!this.#outgoing.has(id)) return;
      // Ends the answer (rejects it, or errors its body) so nothing waits on a gone client.
      this.#fail(id, new TransportError(TransportErrorCode.Closed, `${TAG} the client went away`));
      this.#send(owner, frame('c', id, 0, ''));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return answer;
  }

  /** Ends every exchange, unsubscribes, and closes the connections this router opened. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#liveness);
    this.#breakAll('the router closed');
    await quit(this.#sub);
    await release(this.#conn);
  }

  #channelOf(nodeId: string): string {
    return `${this.#prefix}:route:${nodeId}`;
  }

  #send(nodeId: string, message: string, onGone?: () => void): void {
    this.#conn.client.publish(this.#channelOf(nodeId), message).then(
      (receivers) => {
        if (receivers === 0) onGone?.();
      },
      (error: unknown) => {
        this.#report(error);
        onGone?.();
      },
    );
  }

  #receive(data: string): void {
    const parsed = unframe(data);
    if (parsed === undefined) {
      this.#report(
        new TransportError(TransportErrorCode.InvalidMessage, `${TAG} malformed routing message on ${this.#channel}`),
      );
      return;
    }
    const { kind, id, seq, payload } = parsed;
    if (kind === 'q') void this.#serveOne(id, payload);
    else if (kind === 'c') this.#cancel(id);
    else this.#answer(kind, id, seq, payload);
  }

  // ---------------------------------------------------------------------------------------------
  // The owner's side: serve a forwarded request and stream the answer back.

  async #serveOne(id: string, payload: string): Promise<void> {
    const from = id.slice(0, id.indexOf(':'));
    let request: RoutedRequest;
    try {
      request = JSON.parse(payload) as RoutedRequest;
    } catch (cause) {
      this.#report(
        new TransportError(TransportErrorCode.ParseError, `${TAG} forwarded request is not JSON`, { cause }),
      );
      return;
    }
    const serve = this.#serve;
    if (serve === undefined) {
      this.#send(from, frame('x', id, 0, 'no listener is attached to this router'));
      return;
    }
    const incoming: Incoming = { from, abort: new AbortController(), reader: undefined };
    this.#incoming.set(id, incoming);
    // A JSON answer may take as long as its handler: say at once that the request was taken.
    const ack = setTimeout(() => this.#send(from, frame('a', id, 0, '')), 0);
    let response: Response;
    try {
      response = await serve(
        new Request(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: incoming.abort.signal,
        }),
      );
    } catch (error) {
      clearTimeout(ack);
      this.#incoming.delete(id);
      this.#send(from, frame('x', id, 0, error instanceof Error ? error.message : String(error)));
      return;
    }
    clearTimeout(ack);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const head = JSON.stringify({ status: response.status, headers });
    const gone = (): void => {
      this.#cancel(id);
    };
    const body = response.body;
    if (body === null || !this.#incoming.has(id)) {
      this.#incoming.delete(id);
      this.#send(from, frame('f', id, 0, `${head}\n`), gone);
      return;
    }
    const reader = body.getReader();
    incoming.reader = reader;
    const decoder = new TextDecoder();
    let seq = 0;
    try {
      // What the body has ready now goes with the head; a body that ends as soon goes whole.
      let text = '';
      let following: Promise<ReadResult> | undefined = reader.read();
      while (await settledSoon(following)) {
        const chunk: ReadResult = await following;
        if (chunk.done) {
          following = undefined;
          break;
        }
        text += decoder.decode(chunk.value, { stream: true });
        following = reader.read();
      }
      if (following === undefined) {
        this.#incoming.delete(id);
        this.#send(from, frame('f', id, seq, `${head}\n${text}${decoder.decode()}`), gone);
        return;
      }
      this.#send(from, frame('h', id, seq++, `${head}\n${text}`), gone);
      for (;;) {
        const chunk: ReadResult = await following;
        if (chunk.done) break;
        if (!this.#incoming.has(id)) return;
        this.#send(from, frame('d', id, seq++, decoder.decode(chunk.value, { stream: true })), gone);
        following = reader.read();
      }
      if (this.#incoming.delete(id)) this.#send(from, frame('e', id, seq, ''));
    } catch (error) {
      if (this.#incoming.delete(id)) {
        this.#send(from, frame('x', id, seq, error instanceof Error ? error.message : String(error)));
      }
    }
  }

  /** The forwarder went away, or asked to stop: abort the request (the listener sees the client leave). */
  #cancel(id: string): void {
    const incoming = this.#incoming.get(id);
    if (incoming === undefined) return;
    this.#incoming.delete(id);
    incoming.abort.abort();
    void incoming.reader?.cancel().catch(() => undefined);
  }

  // ---------------------------------------------------------------------------------------------
  // The forwarder's side: turn the owner's messages back into a Response.

  #answer(kind: string, id: string, seq: number, payload: string): void {
    const pending = this.#outgoing.get(id);
    if (pending === undefined) return;
    if (kind === 'a') {
      pending.acked = true;
      return;
    }
    if (kind === 'x') {
      this.#fail(
        id,
        new TransportError(TransportErrorCode.Connection, `${TAG} node ${pending.owner} failed: ${payload}`),
      );
      return;
    }
    if (seq !== pending.next) {
      this.#fail(
        id,
        new TransportError(
          TransportErrorCode.Connection,
          `${TAG} routing messages from node ${pending.owner} were lost`,
        ),
      );
      return;
    }
    pending.next++;
    pending.acked = true;
    if (kind === 'h' || kind === 'f') {
      const newline = payload.indexOf('\n');
      const head = JSON.parse(payload.slice(0, newline)) as { status: number; headers: Record<string, string> };
      const text = payload.slice(newline + 1);
      if (kind === 'f') {
        this.#settle(id);
        pending.resolve(new Response(nullBody(head.status) ? null : text, head));
        return;
      }
      const body = new ReadableStream<Uint8Array>({
        start: (controller) => {
          pending.controller = controller;
        },
        cancel: () => {
          if (!this.#outgoing.has(id)) return;
          this.#settle(id);
          this.#send(pending.owner, frame('c', id, 0, ''));
        },
      });
      if (text !== '') pending.controller?.enqueue(encoder.encode(text));
      pending.resolve(new Response(body, head));
      return;
    }
    if (kind === 'd') {
      pending.controller?.enqueue(encoder.encode(payload));
      return;
    }
    if (kind === 'e') {
      this.#settle(id);
      pending.controller?.close();
    }
  }

  #settle(id: string): void {
    const pending = this.#outgoing.get(id);
    if (pending === undefined) return;
    this.#outgoing.delete(id);
    pending.done = true;
    clearTimeout(pending.timer);
  }

  #fail(id: string, error: Error): void {
    const pending = this.#outgoing.get(id);
    if (pending === undefined) return;
    this.#settle(id);
    if (pending.controller !== undefined) pending.controller.error(error);
    else pending.reject(error);
  }

  #breakAll(why: string): void {
    for (const [id, pending] of [...this.#outgoing]) {
      this.#fail(
        id,
        new TransportError(TransportErrorCode.Connection, `${TAG} ${why} while node ${pending.owner} was answering`),
      );
    }
    for (const id of [...this.#incoming.keys()]) this.#cancel(id);
  }

  /** Ends the exchanges whose node at the other end is no longer subscribed (it died). */
  async #checkPeers(): Promise<void> {
    if (this.#closed || this.#conn.client.status !== 'ready') return;
    const peers = new Set<string>();
    for (const pending of this.#outgoing.values()) peers.add(pending.owner);
    for (const incoming of this.#incoming.values()) peers.add(incoming.from);
    if (peers.size === 0) return;
    const list = [...peers];
    let counts: unknown[];
    try {
      counts = (await this.#conn.client.call('PUBSUB', 'NUMSUB', ...list.map((p) => this.#channelOf(p)))) as unknown[];
    } catch (error) {
      this.#report(error);
      return;
    }
    const dead = new Set(list.filter((_, i) => Number(counts[i * 2 + 1]) === 0));
    if (dead.size === 0) return;
    for (const [id, pending] of [...this.#outgoing]) {
      if (dead.has(pending.owner)) {
        this.#fail(id, new TransportError(TransportErrorCode.Connection, `${TAG} node ${pending.owner} stopped`));
      }
    }
    for (const [id, incoming] of [...this.#incoming]) if (dead.has(incoming.from)) this.#cancel(id);
  }

  #report(error: unknown): void {
    this.#onerror?.(error instanceof Error ? error : new Error(String(error)));
  }
}

/** `<kind> <id> <seq>\n<payload>` */
function frame(kind: string, id: string, seq: number, payload: string): string {
  return `${kind} ${id} ${seq}\n${payload}`;
}

function unframe(data: string): { kind: string; id: string; seq: number; payload: string } | undefined {
  const newline = data.indexOf('\n');
  if (newline < 0) return undefined;
  const [kind, id, seq] = data.slice(0, newline).split(' ');
  if (kind === undefined || id === undefined || !id.includes(':') || seq === undefined || !/^\d+$/.test(seq)) {
    return undefined;
  }
  if (!'qcahfdex'.includes(kind) || kind.length !== 1) return undefined;
  return { kind, id, seq: Number(seq), payload: data.slice(newline + 1) };
}

function nullBody(status: number): boolean {
  return status === 204 || status === 304 || status === 101;
}

/** Whether `promise` settles within this turn of the event loop. */
function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const timer = setImmediate(() => {
      if (!done) resolve(false);
    });
    promise.then(
      () => {
        done = true;
        clearImmediate(timer);
        resolve(true);
      },
      () => {
        done = true;
        clearImmediate(timer);
        resolve(true);
      },
    );
  });
}
