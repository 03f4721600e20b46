import { createInMemoryPair } from '@mcp-transports/core';
import { describe, expect, it } from 'vitest';
import { CONTRACT_CHECKS, runConformance } from './index.js';
import type { TransportPairFactory } from './index.js';
import { describeTransportConformance } from './vitest.js';

const LIMIT = 256 * 1024;
const factory: TransportPairFactory = async () => ({
  ...createInMemoryPair({ maxMessageBytes: LIMIT }),
  close: async () => undefined,
});

// Our own in-memory pair keeps the whole contract: every applicable check passes.
describeTransportConformance('core createInMemoryPair', factory, { maxMessageBytes: LIMIT });

describe('runConformance', () => {
  it('returns one result per check, tagged with requirement ids', async () => {
    const results = await runConformance(factory, { maxMessageBytes: LIMIT, stressMessages: 200 });
    expect(results.map((r) => r.id)).toEqual(CONTRACT_CHECKS.map((c) => c.id));
    for (const result of results) {
      expect(result.requirements.length, result.id).toBeGreaterThan(0);
      expect(result.status, `${result.id}: ${result.message}`).toBe(result.id === 'TC-4.peer-death' ? 'n/a' : 'pass');
    }
  });
});
