/**
 * The small toolkit every check is written with: a recorder per side, waiting with a deadline,
 * "rejects, never throws" assertions, and the leak guard that turns an unhandled rejection or an
 * uncaught exception during a check into that check's failure.
 */
import type { JSONRPCMessage, Transport } from '@mcp-transports/core';

/** Thrown by a check to fail with a readable message. */
export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailure';
  }
}

export function fail(message: string): never {
  throw new CheckFailure(message);
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything one end of the pair did: messages received, `onclose` calls, `onerror` reports. */
export class Side {
  readonly name: 'client' | 'server';
  readonly transport: Transport;
  readonly messages: JSONRPCMessage[] = [];
  readonly errors: Error[] = [];
  closes = 0;
  /** Extra reaction to each message (a server answering requests), after it is recorded. */
  react: ((message: JSONRPCMessage) => void) | undefined;

  constructor(name: 'client' | 'server', transport: Transport) {
    this.name = name;
    this.transport = transport;
    transport.onmessage = (message) => {
      this.messages.push(message);
      this.react?.(message);
    };
    transport.onclose = () => {
      this.closes += 1;
    };
    transport.onerror = (error) => {
      this.errors.push(error);
    };
  }

  /** Messages whose `method` starts with `conformance/`, or responses to `conformance` ids. */
  received(method: string): JSONRPCMessage[] {
    return this.messages.filter((m) => 'method' in m && m.method === method);
  }

  /**
   * Sends, turning a synchronous throw or a rejection into a failure that names the step. A
   * rejection is recorded and returned when `allowReject` is set.
   */
  async send(message: JSONRPCMessage, what: string): Promise<void> {
    let pending: Promise<void>;
    try {
      pending = this.transport.send(message);
    } catch (error) {
      fail(
        `${this.name}.send() threw synchronously (${what}); it must return a rejected promise: ${describeError(error)}`,
      );
    }
    try {
      await pending;
    } catch (error) {
      fail(`${this.name}.send() rejected (${what}): ${describeError(error)}`);
    }
  }
}

/** Polls `condition` until it holds or `ms` pass; fails with `what` and the `detail` then. */
export async function waitFor(
  condition: () => boolean,
  ms: number,
  what: string,
  detail?: () => string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) fail(`${what} (waited ${ms} ms)${detail === undefined ? '' : `: ${detail()}`}`);
    await sleep(2);
  }
}

/** Awaits `promise`, failing with `what` when it has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new CheckFailure(`${what} did not settle within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls `operation`, which must return a promise that rejects: a synchronous throw, a resolve or a
 * promise that never settles fails with `what` in the message. Returns the rejection reason.
 */
export async function expectRejects(operation: () => Promise<unknown>, ms: number, what: string): Promise<unknown> {
  let pending: Promise<unknown>;
  try {
    pending = operation();
  } catch (error) {
    fail(`${what} threw synchronously instead of rejecting: ${describeError(error)}`);
  }
  if (!(pending instanceof Promise)) fail(`${what} returned ${typeof pending}, not a promise`);
  const outcome = await within(
    pending.then(
      () => ({ rejected: false as const }),
      (error: unknown) => ({ rejected: true as const, error }),
    ),
    ms,
    what,
  );
  if (!outcome.rejected) fail(`${what} resolved; it must reject`);
  return outcome.error;
}

/** Structural equality of JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((value, index) => jsonEqual(value, b[index]));
  }
  const ak = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Short JSON for failure messages. */
export function preview(value: unknown, max = 160): string {
  let text: string;
  try {
    // JSON.stringify returns undefined for undefined and functions, despite its declared type.
    const json = JSON.stringify(value) as unknown;
    text = typeof json === 'string' ? json : String(value);
  } catch {
    // Not JSON-able (a cycle, a BigInt): String() always works.
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

type Leak = { kind: 'unhandled rejection' | 'uncaught exception'; error: unknown };

/** Guards active right now (checks may run concurrently), and the runner's handlers they displaced. */
const active = new Set<LeakGuard>();
let displaced:
  { rejection: NodeJS.UnhandledRejectionListener[]; exception: NodeJS.UncaughtExceptionListener[] } | undefined;
const onRejection = (error: unknown): void => {
  for (const guard of active) guard.leaks.push({ kind: 'unhandled rejection', error });
};
const onException = (error: unknown): void => {
  for (const guard of active) guard.leaks.push({ kind: 'uncaught exception', error });
};

/**
 * While a check runs, takes over `process`'s `unhandledRejection` and `uncaughtException` events:
 * a transport that leaks either fails the check that provoked it (every check running at that
 * moment, when they run concurrently), and the test runner's own handlers, restored when the last
 * guard goes, do not abort the whole run for it. Outside Node it does nothing.
 */
export class LeakGuard {
  readonly leaks: Leak[] = [];
  #installed = false;

  install(): void {
    if (typeof process === 'undefined' || typeof process.on !== 'function' || this.#installed) return;
    this.#installed = true;
    if (active.size === 0) {
      displaced = {
        rejection: process.listeners('unhandledRejection'),
        exception: process.listeners('uncaughtException'),
      };
      process.removeAllListeners('unhandledRejection');
      process.removeAllListeners('uncaughtException');
      process.on('unhandledRejection', onRejection);
      process.on('uncaughtException', onException);
    }
    active.add(this);
  }

  /** Gives late rejections a few turns of the event loop to surface, then restores the runner's handlers. */
  async uninstall(): Promise<void> {
    if (!this.#installed) return;
    await sleep(10);
    await new Promise((resolve) => setImmediate(resolve));
    this.#installed = false;
    active.delete(this);
    if (active.size > 0 || displaced === undefined) return;
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    for (const listener of displaced.rejection) process.on('unhandledRejection', listener);
    for (const listener of displaced.exception) process.on('uncaughtException', listener);
    displaced = undefined;
  }

  describe(): string {
    return this.leaks.map((leak) => `${leak.kind}: ${describeError(leak.error)}`).join('; ');
  }
}
