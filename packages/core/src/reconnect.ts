/**
 * Reconnection policy shared by every client that reconnects (HTTP, WebSocket, Redis): exponential
 * backoff with full jitter and a bounded budget, so a fleet of clients that lost the same server
 * does not come back in lockstep, and a dead server is given up on in bounded time.
 */

/** The `reconnect` option every reconnecting client takes. */
export interface ReconnectOptions {
  /** Attempts before giving up (then `onclose` fires with the reason). @default 10 */
  maxAttempts?: number;
  /** Delay ceiling before the first retry, in ms. @default 250 */
  initialDelayMs?: number;
  /** Largest delay ceiling, in ms. @default 30_000 */
  maxDelayMs?: number;
}

export const DEFAULT_RECONNECT: Required<ReconnectOptions> = {
  maxAttempts: 10,
  initialDelayMs: 250,
  maxDelayMs: 30_000,
};

/** Fills in the defaults; `false` turns reconnection off (`maxAttempts: 0`). */
export function resolveReconnect(options: ReconnectOptions | false | undefined): Required<ReconnectOptions> {
  if (options === false) return { ...DEFAULT_RECONNECT, maxAttempts: 0 };
  return {
    maxAttempts: options?.maxAttempts ?? DEFAULT_RECONNECT.maxAttempts,
    initialDelayMs: options?.initialDelayMs ?? DEFAULT_RECONNECT.initialDelayMs,
    maxDelayMs: options?.maxDelayMs ?? DEFAULT_RECONNECT.maxDelayMs,
  };
}

/**
 * Delay before reconnect attempt `attempt` (0-based): a uniformly random value in
 * `[0, min(maxDelayMs, initialDelayMs * 2^attempt)]` ("full jitter"). A server-sent hint (an SSE
 * `retry:` field, SH-17) overrides the computed ceiling: it is respected as the minimum wait.
 */
export function reconnectDelay(
  attempt: number,
  options: Required<ReconnectOptions>,
  serverRetryMs?: number,
  random: () => number = Math.random,
): number {
  if (serverRetryMs !== undefined && serverRetryMs >= 0) return serverRetryMs;
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
