/**
 * The demo's measurements over one connected client: round-trip latency (sequential echo calls),
 * throughput (echo calls with several in flight) and the time to receive a 1 MB tool result.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { median, percentile } from './stats.js';

export interface Plan {
  readonly warmup: number;
  readonly roundTrips: number;
  readonly throughputCalls: number;
  readonly concurrency: number;
  readonly payloadRuns: number;
}

export const FULL_PLAN: Plan = { warmup: 50, roundTrips: 400, throughputCalls: 2000, concurrency: 16, payloadRuns: 5 };
export const QUICK_PLAN: Plan = { warmup: 5, roundTrips: 40, throughputCalls: 100, concurrency: 8, payloadRuns: 1 };

export const PAYLOAD_BYTES = 1024 * 1024;

export interface Measurement {
  readonly connectMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly callsPerSecond: number;
  readonly payloadMs: number;
}

/** Reports what is running, e.g. `round trips 120/400`. */
export type Progress = (step: string) => void;

const echo = (client: Client): Promise<unknown> => client.callTool({ name: 'echo', arguments: { text: 'ping' } });

export async function measure(client: Client, connectMs: number, plan: Plan, progress: Progress): Promise<Measurement> {
  for (let i = 0; i < plan.warmup; i++) await echo(client);

  const latencies: number[] = [];
  for (let i = 0; i < plan.roundTrips; i++) {
    if (i % 20 === 0) progress(`round trips ${i}/${plan.roundTrips}`);
    const start = performance.now();
    await echo(client);
    latencies.push(performance.now() - start);
  }

  progress(`throughput ${plan.throughputCalls} calls, ${plan.concurrency} in flight`);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (next < plan.throughputCalls) {
        next++;
        await echo(client);
      }
    }),
  );
  const callsPerSecond = plan.throughputCalls / ((performance.now() - started) / 1000);

  const payloads: number[] = [];
  for (let i = 0; i < plan.payloadRuns; i++) {
    progress(`1 MB result ${i + 1}/${plan.payloadRuns}`);
    const start = performance.now();
    const result = await client.callTool({ name: 'largePayload', arguments: { bytes: PAYLOAD_BYTES } });
    payloads.push(performance.now() - start);
    const text = (result.content as { text?: string }[] | undefined)?.[0]?.text;
    if (text?.length !== PAYLOAD_BYTES) throw new Error(`largePayload returned ${String(text?.length)} bytes`);
  }

  return {
    connectMs,
    p50Ms: median(latencies),
    p99Ms: percentile(latencies, 99),
    callsPerSecond,
    payloadMs: median(payloads),
  };
}
