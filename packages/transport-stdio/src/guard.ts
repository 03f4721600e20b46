/**
 * Keeps stdout clean for the wire (ST-7): once guarded, anything written to `process.stdout` by
 * other code (`console.log`, a chatty dependency) goes to stderr instead, where the client treats
 * it as log output (ST-5). Only `StdioServerTransport` writes to the real stdout.
 */
import { WIRE_WRITE } from './_writer.js';

/** Undoes {@link guardStdout}. */
export type RestoreStdout = () => void;

type Write = typeof process.stdout.write;

/**
 * Redirects stray writes to `process.stdout` to `process.stderr`. Call it first thing in a stdio
 * server, before anything logs. Idempotent; returns a function that restores the original.
 */
export function guardStdout(): RestoreStdout {
  const stdout = process.stdout as typeof process.stdout & { [WIRE_WRITE]?: Write };
  if (stdout[WIRE_WRITE] !== undefined) return noop;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as a method on the same object.
  const original = stdout.write;
  const wire: Write = original.bind(stdout);
  stdout[WIRE_WRITE] = wire;
  stdout.write = function redirected(this: unknown, ...args: Parameters<Write>): boolean {
    return (process.stderr.write as (...a: Parameters<Write>) => boolean).apply(process.stderr, args);
  } as Write;
  return () => {
    if (stdout[WIRE_WRITE] !== wire) return;
    stdout.write = original;
    Reflect.deleteProperty(stdout, WIRE_WRITE);
  };
}

function noop(): void {
  // Already guarded: the first guard's restore function is the one that undoes it.
}
