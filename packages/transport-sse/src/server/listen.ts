/**
 * `subscriptions/listen` (2026-07-28): a long-lived POST whose SSE stream carries the change
 * notifications the client asked for, fed by a {@link ServerEventBus}. The wire follows the
 * official SDK v2: an acknowledgement first (`notifications/subscriptions/acknowledged` with the
 * honored filter), then one notification per matching event, each stamped with
 * `_meta["io.modelcontextprotocol/subscriptionId"]` (the listen request's id); a graceful end is
 * the listen request's (empty) result, an abrupt one just closes the stream.
 */
import type { JSONRPCRequest, ServerEvent, ServerEventBus } from '@mcp-transports/core';
import type { Exchange, HeaderMap, SseSink } from './_exchange.js';
import { SSE_HEADERS, TAG } from './_http.js';
import { SUBSCRIPTION_ID_META_KEY } from './_modern.js';
import type { SinkRegistry } from './session.js';

/** What a client may subscribe to (the SDK's `SubscriptionFilter`). */
export interface SubscriptionFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

/** Which subscriptions the server can honor (narrows the acknowledged filter). @default all */
export interface ListenCapabilities {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: boolean;
}

export const DEFAULT_MAX_SUBSCRIPTIONS = 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The requested filter, or `undefined` when `params.notifications` is missing or malformed. */
function parseFilter(request: JSONRPCRequest): SubscriptionFilter | undefined {
  const filter = (request.params as { notifications?: unknown } | undefined)?.notifications;
  if (!isObject(filter)) return undefined;
  for (const key of ['toolsListChanged', 'promptsListChanged', 'resourcesListChanged'] as const) {
    if (filter[key] !== undefined && typeof filter[key] !== 'boolean') return undefined;
  }
  const uris = filter.resourceSubscriptions;
  if (uris !== undefined && !(Array.isArray(uris) && uris.every((u) => typeof u === 'string'))) return undefined;
  return filter;
}

function honoredSubset(requested: SubscriptionFilter, can: ListenCapabilities): SubscriptionFilter {
  const honored: SubscriptionFilter = {};
  if (requested.toolsListChanged === true && can.toolsListChanged !== false) honored.toolsListChanged = true;
  if (requested.promptsListChanged === true && can.promptsListChanged !== false) honored.promptsListChanged = true;
  if (requested.resourcesListChanged === true && can.resourcesListChanged !== false) {
    honored.resourcesListChanged = true;
  }
  const uris = requested.resourceSubscriptions;
  if (uris !== undefined && uris.length > 0 && can.resourceSubscriptions !== false) {
    honored.resourceSubscriptions = [...uris];
  }
  return honored;
}

function accepts(filter: SubscriptionFilter, event: ServerEvent): boolean {
  switch (event.kind) {
    case 'tools_list_changed':
      return filter.toolsListChanged === true;
    case 'prompts_list_changed':
      return filter.promptsListChanged === true;
    case 'resources_list_changed':
      return filter.resourcesListChanged === true;
    case 'resource_updated':
      return filter.resourceSubscriptions?.includes(event.uri) === true;
  }
}

function notificationOf(event: ServerEvent): { method: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { ...event.params };
  switch (event.kind) {
    case 'tools_list_changed':
      return { method: 'notifications/tools/list_changed', params };
    case 'prompts_list_changed':
      return { method: 'notifications/prompts/list_changed', params };
    case 'resources_list_changed':
      return { method: 'notifications/resources/list_changed', params };
    case 'resource_updated':
      return { method: 'notifications/resources/updated', params: { ...params, uri: event.uri } };
  }
}

function stamp(params: Record<string, unknown>, id: JSONRPCRequest['id']): Record<string, unknown> {
  const meta = isObject(params._meta) ? params._meta : {};
  return { ...params, _meta: { ...meta, [SUBSCRIPTION_ID_META_KEY]: id } };
}

function event(payload: unknown): string {
  return `event: message\ndata: ${JSON.stringify(payload)}\n\n`;
}

export interface ListenRouterOptions {
  bus: ServerEventBus;
  maxSubscriptions: number;
  capabilities: ListenCapabilities;
  sinks: SinkRegistry;
  /** Stamped into the graceful-close result's `_meta` when given. */
  serverInfo: { name: string; version: string } | undefined;
  onerror: (error: Error) => void;
}

/** @internal Every open listen stream of one listener. */
export class ListenRouter {
  readonly #options: ListenRouterOptions;
  /** Teardown of each open stream; `true` ends it gracefully (with the listen result). */
  readonly #open = new Set<(graceful: boolean) => void>();

  constructor(options: ListenRouterOptions) {
    this.#options = options;
  }

  get openCount(): number {
    return this.#open.size;
  }

  serve(ex: Exchange, request: JSONRPCRequest, headers: HeaderMap): void {
    const options = this.#options;
    const id = request.id;
    const fail = (code: number, message: string) =>
      ex.respond(
        200,
        { ...headers, 'content-type': 'application/json' },
        JSON.stringify({ jsonrpc: '2.0', id, error: { code, message: `${TAG} ${message}` } }),
      );
    if (this.#open.size >= options.maxSubscriptions) {
      options.onerror(new Error(`${TAG} subscriptions/listen refused: ${options.maxSubscriptions} streams are open`));
      fail(-32603, `subscription limit reached (maxSubscriptions ${options.maxSubscriptions})`);
      return;
    }
    const filter = parseFilter(request);
    if (filter === undefined) {
      fail(-32602, "invalid params: 'notifications' is required and must be a SubscriptionFilter");
      return;
    }
    const honored = honoredSubset(filter, options.capabilities);
    const sink: SseSink = ex.sse({ ...SSE_HEADERS, ...headers });
    const subscription: { off?: () => void } = {};
    let done = false;
    const teardown = (graceful: boolean): void => {
      if (done) return;
      done = true;
      this.#open.delete(teardown);
      options.sinks.delete(sink);
      try {
        subscription.off?.();
      } catch (error) {
        options.onerror(error instanceof Error ? error : new Error(String(error)));
      }
      if (!graceful) {
        sink.end();
        return;
      }
      const meta: Record<string, unknown> = { [SUBSCRIPTION_ID_META_KEY]: id };
      if (options.serverInfo !== undefined) meta['io.modelcontextprotocol/serverInfo'] = options.serverInfo;
      sink.end(event({ jsonrpc: '2.0', id, result: { resultType: 'complete', _meta: meta } }));
    };
    sink.onabort = () => teardown(false);
    sink.write(
      event({
        jsonrpc: '2.0',
        method: 'notifications/subscriptions/acknowledged',
        params: stamp({ notifications: honored }, id),
      }),
    );
    if (Object.keys(honored).length === 0) {
      // Nothing the server can deliver: the subscription ends at once, gracefully.
      teardown(true);
      return;
    }
    this.#open.add(teardown);
    options.sinks.add(sink);
    subscription.off = options.bus.subscribe((change) => {
      if (done || !accepts(honored, change)) return;
      const note = notificationOf(change);
      sink.write(event({ jsonrpc: '2.0', method: note.method, params: stamp(note.params, id) }));
    });
  }

  /** Ends every stream gracefully (server shutdown). */
  closeAll(): void {
    for (const teardown of [...this.#open]) teardown(true);
  }
}
