/**
 * Runs checks and turns each into a {@link CheckResult}: a fresh pair per check, the leak guard
 * around it, teardown whatever happened, and expected failures applied as data.
 */
import { CheckFailure, describeError, LeakGuard, within } from './_harness.js';
import type { ContractCheck } from './contract.js';
import { CONTRACT_CHECKS, createContext } from './contract.js';
import type {
  CheckResult,
  CheckStatus,
  ExpectedFailure,
  ResolvedCapabilities,
  TransportCapabilities,
  TransportPairFactory,
} from './types.js';
import { resolveCapabilities } from './types.js';

export interface RunOptions {
  /** Known gaps: a listed check that fails is `expected-fail`, one that passes is `stale`. @default [] */
  expectedFailures?: readonly ExpectedFailure[];
  /** Run only the checks whose id is listed (or starts with an entry ending in `.`). @default every check */
  only?: readonly string[];
  /** Called after each check, for progress output. */
  onResult?: (result: CheckResult) => void;
}

/** Outcome of a check before expected failures apply. */
export interface RawOutcome {
  status: 'pass' | 'fail' | 'n/a';
  message: string;
  durationMs: number;
}

/** Upper bound for one check: generous, since a check makes several waits of `timeoutMs`. */
export function checkBudgetMs(caps: ResolvedCapabilities): number {
  return caps.timeoutMs * 4 + caps.closeTimeoutMs * 4;
}

/** Runs one contract check on a fresh pair. Never rejects. */
export async function runContractCheck(
  check: ContractCheck,
  factory: TransportPairFactory,
  caps: ResolvedCapabilities,
): Promise<RawOutcome> {
  const started = Date.now();
  const notApplicable = check.notApplicable?.(caps);
  if (notApplicable !== undefined) return { status: 'n/a', message: notApplicable, durationMs: 0 };
  const guard = new LeakGuard();
  guard.install();
  let message = '';
  try {
    const pair = await within(factory(), caps.timeoutMs, 'the pair factory');
    const context = createContext(pair, caps);
    try {
      await within(check.run(context), checkBudgetMs(caps), check.id);
    } catch (error) {
      message = error instanceof CheckFailure ? error.message : `unexpected error: ${describeError(error)}`;
    }
    // Teardown runs whatever happened; its trouble is reported only when the check itself passed.
    const teardown: string[] = [];
    for (const side of [context.client, context.server]) {
      try {
        await within(side.transport.close(), caps.closeTimeoutMs, `${side.name}.close() at teardown`);
      } catch (error) {
        teardown.push(`${side.name}.close() at teardown: ${describeError(error)}`);
      }
    }
    try {
      await within(pair.close(), caps.timeoutMs, 'pair.close()');
    } catch (error) {
      teardown.push(`pair.close(): ${describeError(error)}`);
    }
    if (message === '' && teardown.length > 0) message = `teardown failed: ${teardown.join('; ')}`;
  } catch (error) {
    message = describeError(error);
  } finally {
    await guard.uninstall();
  }
  if (guard.leaks.length > 0) {
    const leaks = `leaked ${guard.describe()}`;
    message = message === '' ? leaks : `${message}; ${leaks}`;
  }
  return { status: message === '' ? 'pass' : 'fail', message, durationMs: Date.now() - started };
}

/** Applies the expected-failure list to a raw outcome. */
export function classify(
  check: { id: string; title: string; requirements: readonly string[] },
  outcome: RawOutcome,
  expectedFailures: readonly ExpectedFailure[],
): CheckResult {
  const expected = expectedFailures.find((entry) => entry.id === check.id);
  let status: CheckStatus = outcome.status;
  let message = outcome.message;
  if (expected !== undefined && outcome.status === 'fail') {
    status = 'expected-fail';
    message = `${expected.reason} (${outcome.message})`;
  } else if (expected !== undefined && outcome.status === 'pass') {
    status = 'stale';
    message = `listed as an expected failure ("${expected.reason}") but passed: remove the entry`;
  }
  return {
    id: check.id,
    title: check.title,
    requirements: [...check.requirements],
    status,
    message,
    durationMs: outcome.durationMs,
  };
}

export function selected(id: string, only: readonly string[] | undefined): boolean {
  if (only === undefined || only.length === 0) return true;
  return only.some(
    (entry) => entry === id || (entry.endsWith('.') && id.startsWith(entry)) || id.startsWith(`${entry}.`),
  );
}

/**
 * Runs the transport contract (layer 1) against pairs made by `factory`, one check at a time.
 *
 * ```ts
 * const results = await runConformance(async () => ({ ...createInMemoryPair(), close: async () => {} }), {});
 * ```
 */
export async function runConformance(
  factory: TransportPairFactory,
  capabilities: TransportCapabilities = {},
  options: RunOptions = {},
): Promise<CheckResult[]> {
  const caps = resolveCapabilities(capabilities);
  const results: CheckResult[] = [];
  for (const check of CONTRACT_CHECKS) {
    if (!selected(check.id, options.only)) continue;
    const result = classify(check, await runContractCheck(check, factory, caps), options.expectedFailures ?? []);
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}
