/**
 * Conformance layer 1 (the transport contract), on two pairs:
 * - in-process: two StdioServerTransports over cross-wired PassThrough streams (the framing,
 *   writer and lifecycle of the server end, both ways);
 * - real processes: our StdioClientTransport spawning a relay server whose StdioServerTransport
 *   is driven from this process over a side channel (see fixtures/relay-server.ts).
 */
import { PassThrough } from 'node:stream';
import { describeTransportConformance } from '@mcp-transports/conformance/vitest';
import type { TransportPair } from '@mcp-transports/conformance';
import { relayPair } from './fixtures/relay.js';
import { StdioServerTransport } from './index.js';

const LIMIT = 1024 * 1024;

describeTransportConformance(
  'stdio: StdioServerTransport pair over PassThrough streams',
  async (): Promise<TransportPair> => {
    const up = new PassThrough();
    const down = new PassThrough();
    const client = new StdioServerTransport({ stdin: down, stdout: up, endOnClose: true, maxMessageBytes: LIMIT });
    const server = new StdioServerTransport({ stdin: up, stdout: down, endOnClose: true, maxMessageBytes: LIMIT });
    return {
      client,
      server,
      kill: () => {
        up.destroy();
        down.destroy();
      },
      close: async () => {
        await Promise.all([client.close(), server.close()]);
      },
    };
  },
  { maxMessageBytes: LIMIT, peerDeath: true },
);

describeTransportConformance('stdio: StdioClientTransport ⇄ child process (relay)', () => relayPair(LIMIT), {
  maxMessageBytes: LIMIT,
  peerDeath: true,
  stressMessages: 1000,
});
