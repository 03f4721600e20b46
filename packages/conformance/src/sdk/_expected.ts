import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SDK_PAIRS } from '../fixtures/sdk-pairs.js';
import type { ExpectedFailure } from '../index.js';
import { describeTransportConformance } from '../vitest.js';

/** The recorded deviations of one third-party transport: `expected-failures/<name>.json`. */
export function expectedFailures(name: string): ExpectedFailure[] {
  const file = join(import.meta.dirname, '..', '..', 'expected-failures', `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as ExpectedFailure[];
}

/** Runs layer 1 against one SDK pair (its `only` subset, if any), with its expected failures. */
export function describeSdkPair(name: string): void {
  const pair = SDK_PAIRS.find((p) => p.name === name);
  if (pair === undefined) throw new Error(`no SDK pair named ${name}`);
  describeTransportConformance(pair.title, pair.factory, pair.capabilities, {
    expectedFailures: expectedFailures(name),
    ...(pair.only === undefined ? {} : { only: pair.only }),
  });
}
