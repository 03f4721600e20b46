import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExpectedFailure } from '../index.js';

/** The recorded deviations of one third-party transport: `expected-failures/<name>.json`. */
export function expectedFailures(name: string): ExpectedFailure[] {
  const file = join(import.meta.dirname, '..', '..', 'expected-failures', `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as ExpectedFailure[];
}
