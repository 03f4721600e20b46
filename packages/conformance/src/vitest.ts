/**
 * The contract suite as vitest tests: one `it` per check, `it.fails` for an expected failure (so a
 * fixed gap turns the run red until its entry goes), `it.skip` for a check that does not apply.
 */
import { describe, it } from 'vitest';
import { CONTRACT_CHECKS } from './contract.js';
import { checkBudgetMs, runContractCheck, selected } from './runner.js';
import type { ExpectedFailure, TransportCapabilities, TransportPairFactory } from './types.js';
import { resolveCapabilities } from './types.js';

export interface DescribeConformanceOptions {
  /** Known gaps, each run with `it.fails` and its reason in the test name. @default [] */
  expectedFailures?: readonly ExpectedFailure[];
  /** Register only these check ids (or ids under a prefix ending in `.`). @default every check */
  only?: readonly string[];
}

/**
 * Registers the transport contract checks as vitest tests under `describe(name)`.
 *
 * ```ts
 * describeTransportConformance('my transport', async () => ({ client, server, close }), { maxMessageBytes: 1 << 20 });
 * ```
 */
export function describeTransportConformance(
  name: string,
  factory: TransportPairFactory,
  capabilities: TransportCapabilities = {},
  options: DescribeConformanceOptions = {},
): void {
  const caps = resolveCapabilities(capabilities);
  const timeout = checkBudgetMs(caps) + caps.timeoutMs * 2;
  describe(name, () => {
    for (const check of CONTRACT_CHECKS) {
      if (!selected(check.id, options.only)) continue;
      const title = `[${check.requirements.join(', ')}] ${check.id}: ${check.title}`;
      const notApplicable = check.notApplicable?.(caps);
      if (notApplicable !== undefined) {
        it.skip(`${title} (n/a: ${notApplicable})`, () => undefined);
        continue;
      }
      const run = async (): Promise<void> => {
        const outcome = await runContractCheck(check, factory, caps);
        if (outcome.status === 'fail') throw new Error(`${check.id}: ${outcome.message}`);
      };
      const expected = options.expectedFailures?.find((entry) => entry.id === check.id);
      if (expected === undefined) it(title, run, timeout);
      else it.fails(`${title} (expected failure: ${expected.reason})`, run, timeout);
    }
  });
}
