// The official SDK's transports through layer 1; where they deviate is recorded in expected-failures/.
import { SDK_PAIRS } from '../fixtures/sdk-pairs.js';
import { describeTransportConformance } from '../vitest.js';
import { expectedFailures } from './_expected.js';

for (const pair of SDK_PAIRS) {
  describeTransportConformance(pair.title, pair.factory, pair.capabilities, {
    expectedFailures: expectedFailures(pair.name),
  });
}
