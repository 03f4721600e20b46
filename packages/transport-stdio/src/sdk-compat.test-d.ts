// Type-level proof, checked by `tsc -p tsconfig.test.json` (the package's typecheck): a mismatch
// with the SDK's Transport fails the build. Not run by vitest, to keep the test run short.
import type { Transport as V2ClientTransport } from '@modelcontextprotocol/client';
import type { Transport as V1Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Transport as V2ServerTransport } from '@modelcontextprotocol/server';
import { describe, expectTypeOf, test } from 'vitest';
import type { StdioClientTransport, StdioServerTransport } from './index.js';

describe('our stdio transports plug into the SDK with no adapter', () => {
  test('StdioClientTransport is an SDK v1 and v2 client Transport', () => {
    expectTypeOf<StdioClientTransport>().toExtend<V1Transport>();
    expectTypeOf<StdioClientTransport>().toExtend<V2ClientTransport>();
  });
  test('StdioServerTransport is an SDK v1 and v2 server Transport', () => {
    expectTypeOf<StdioServerTransport>().toExtend<V1Transport>();
    expectTypeOf<StdioServerTransport>().toExtend<V2ServerTransport>();
  });
});
