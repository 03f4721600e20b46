import { DEFAULT_MAX_MESSAGE_BYTES } from '@mcp-transports/core';
import { TAG } from './_keys.js';

/** Options both sides of a session take. */
export interface SessionOptions {
  /** First part of every key this package writes. @default 'mcp' */
  prefix?: string;
  /**
   * Largest message, in UTF-8 bytes of its JSON: a larger `send()` rejects and a larger incoming
   * entry is reported to `onerror` and skipped (`ERR_MESSAGE_TOO_LARGE`).
   * @default 16 MiB
   */
  maxMessageBytes?: number;
  /** Heartbeat period; a peer is dead after three missed beats. @default 5_000 */
  heartbeatMs?: number;
  /**
   * A session with no message for this long is closed by its worker, and every key of a session
   * carries this TTL (refreshed while both ends live), so nothing outlives an abandoned session.
   * @default 1_800_000 (30 min)
   */
  idleTimeoutMs?: number;
  /**
   * How long a side may lose its Redis connection (or a worker may miss its client) and still
   * resume without losing anything.
   * @default 30_000
   */
  reconnectWindowMs?: number;
}

export interface ResolvedSessionOptions {
  readonly prefix: string;
  readonly maxMessageBytes: number;
  readonly heartbeatMs: number;
  readonly idleTimeoutMs: number;
  readonly reconnectWindowMs: number;
}

export function resolveSessionOptions(options: SessionOptions): ResolvedSessionOptions {
  const resolved = {
    prefix: options.prefix ?? 'mcp',
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    heartbeatMs: options.heartbeatMs ?? 5_000,
    idleTimeoutMs: options.idleTimeoutMs ?? 30 * 60_000,
    reconnectWindowMs: options.reconnectWindowMs ?? 30_000,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`${TAG} ${name} must be a positive number, got ${value}`);
    }
  }
  return resolved;
}
