/**
 * For server CLIs: exit the process once the stdio transport closes (the client went away).
 *
 * The transport itself never exits the process (TC-7); this helper is what an application opts
 * into. It exits only after stdout has been flushed, so a last reply is not cut off.
 */
import type { Transport } from '@mcp-transports/core';

export interface ExitWhenClosedOptions {
  /** The exit code. @default 0 */
  exitCode?: number | undefined;
  /** Longest wait for stdout to flush before exiting anyway. @default 1000 */
  flushTimeoutMs?: number | undefined;
  /** How to exit; tests inject their own. @default process.exit */
  exit?: ((code: number) => void) | undefined;
}

/**
 * Chains onto `transport.onclose` (keeping any handler already set, and surviving the SDK's
 * `connect()`, which chains the same way) and exits the process when it fires.
 */
export function exitWhenClosed(transport: Transport, options: ExitWhenClosedOptions = {}): void {
  const exitCode = options.exitCode ?? 0;
  // eslint-disable-next-line no-restricted-properties -- the application asked for this explicitly.
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const previous = transport.onclose;
  transport.onclose = () => {
    previous?.();
    const stdout = process.stdout;
    if (stdout.writableLength === 0) {
      exit(exitCode);
      return;
    }
    const timer = setTimeout(() => {
      exit(exitCode);
    }, options.flushTimeoutMs ?? 1000);
    stdout.once('drain', () => {
      clearTimeout(timer);
      exit(exitCode);
    });
  };
}
