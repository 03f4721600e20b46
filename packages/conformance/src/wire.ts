/**
 * Layer 2: black-box checks on the wire. A `WireCheck` gets a target (a stdio command, an HTTP URL,
 * a WebSocket URL …) and speaks raw bytes to it; the runner turns each into a {@link CheckResult}
 * exactly as layer 1 does (expected failures, leak guard, one line per check). Each medium adds
 * its own checks: `STDIO_CHECKS` lives next door; HTTP and WebSocket add theirs the same way.
 */
import { CheckFailure, describeError, LeakGuard, within } from './_harness.js';
import { classify, selected } from './runner.js';
import type { CheckResult, ExpectedFailure } from './types.js';

/** What a wire check may use besides its target. */
export interface WireContext {
  /** How long a single step may wait (a reply, an exit). */
  readonly timeoutMs: number;
  /** Registers cleanup (kill a process, close a socket) that runs after the check, whatever happened. */
  defer(cleanup: () => Promise<void> | void): void;
}

/** One black-box check against a target of type `Target`. Fail with `fail()` (a `CheckFailure`). */
export interface WireCheck<Target> {
  readonly id: string;
  readonly title: string;
  readonly requirements: readonly string[];
  /** Why the check does not apply to this target; `undefined` when it does. */
  notApplicable?(target: Target): string | undefined;
  run(target: Target, context: WireContext): Promise<void>;
}

export interface WireRunOptions {
  /** Known gaps: a listed check that fails is `expected-fail`, one that passes is `stale`. @default [] */
  expectedFailures?: readonly ExpectedFailure[];
  /** Run only these check ids (or ids under a listed prefix). @default every check */
  only?: readonly string[];
  /** How long one step may wait. @default 10000 */
  timeoutMs?: number;
  /** Checks run at once (each has its own process or connection). @default 1 */
  concurrency?: number;
  /** Called after each check, for progress output. */
  onResult?: (result: CheckResult) => void;
}

/** Runs one wire check; never rejects. */
export async function runWireCheck<Target>(
  check: WireCheck<Target>,
  target: Target,
  timeoutMs = 10_000,
): Promise<{ status: 'pass' | 'fail' | 'n/a'; message: string; durationMs: number }> {
  const notApplicable = check.notApplicable?.(target);
  if (notApplicable !== undefined) return { status: 'n/a', message: notApplicable, durationMs: 0 };
  const started = Date.now();
  const cleanups: (() => Promise<void> | void)[] = [];
  const guard = new LeakGuard();
  guard.install();
  let message = '';
  try {
    await within(check.run(target, { timeoutMs, defer: (cleanup) => cleanups.push(cleanup) }), timeoutMs * 4, check.id);
  } catch (error) {
    message = error instanceof CheckFailure ? error.message : `unexpected error: ${describeError(error)}`;
  }
  for (const cleanup of cleanups.reverse()) {
    try {
      // Ending a stubborn process takes stdin-close → SIGTERM → SIGKILL grace periods: its own budget.
      await within(Promise.resolve(cleanup()), Math.max(timeoutMs, 10_000), 'cleanup');
    } catch (error) {
      if (message === '') message = `cleanup failed: ${describeError(error)}`;
    }
  }
  await guard.uninstall();
  if (guard.leaks.length > 0) message = `${message === '' ? '' : `${message}; `}leaked ${guard.describe()}`;
  return { status: message === '' ? 'pass' : 'fail', message, durationMs: Date.now() - started };
}

/** Runs `checks` against `target`, one at a time, and classifies each result. */
export async function runWireChecks<Target>(
  checks: readonly WireCheck<Target>[],
  target: Target,
  options: WireRunOptions = {},
): Promise<CheckResult[]> {
  const chosen = checks.filter((check) => selected(check.id, options.only));
  const results: CheckResult[] = new Array<CheckResult>(chosen.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chosen.length) {
      const index = next++;
      const check = chosen[index];
      if (check === undefined) return;
      const outcome = await runWireCheck(check, target, options.timeoutMs);
      const result = classify(check, outcome, options.expectedFailures ?? []);
      results[index] = result;
      options.onResult?.(result);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, chosen.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
