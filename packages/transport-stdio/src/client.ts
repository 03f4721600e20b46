/**
 * The client side of stdio (ST-2): spawns the MCP server as a child process and speaks
 * newline-delimited JSON-RPC on its stdin/stdout.
 */
import type { ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { encodeLine, LineDecoder, toError, TransportError, TransportErrorCode } from '@mcp-transports/core';
import type { JSONRPCMessage, Transport, TransportSendOptions } from '@mcp-transports/core';
import spawn from 'cross-spawn';
import { getDefaultEnvironment } from './_env.js';
import { isErrno, killTree } from './_kill.js';
import { messageDecoder } from './_reader.js';
import { BatchingWriter } from './_writer.js';

const TAG = '[mcp-transports/stdio]';

/** Options of {@link StdioClientTransport}; a superset of the SDK's `StdioServerParameters`. */
export interface StdioClientTransportOptions {
  /** The executable to run (`node`, `npx`, `uvx`, a path). `.cmd` shims resolve on Windows. */
  command: string;
  /** Arguments for the command. @default [] */
  args?: string[] | undefined;
  /**
   * Variables for the child, merged over {@link getDefaultEnvironment} (a short allow-list of the
   * parent's: `HOME LOGNAME PATH SHELL TERM USER` on POSIX). @default {}
   */
  env?: Record<string, string> | undefined;
  /** Working directory of the child. @default the parent's */
  cwd?: string | undefined;
  /**
   * What happens to the child's stderr (its log, never an error signal: ST-6). `'pipe'` makes
   * {@link StdioClientTransport.stderr} a readable stream, available before `start()`.
   * @default 'inherit'
   */
  stderr?: 'inherit' | 'pipe' | 'ignore' | undefined;
  /** Largest incoming message in UTF-8 bytes; a longer line is reported and skipped. @default 16 MiB */
  maxMessageBytes?: number | undefined;
  /** How long `close()` waits after closing stdin before sending SIGTERM. @default 2000 */
  closeTimeoutMs?: number | undefined;
  /** How long `close()` waits after SIGTERM before sending SIGKILL. @default 2000 */
  killTimeoutMs?: number | undefined;
}

/** Why the transport closed; readable from {@link StdioClientTransport.closeReason}. */
export interface StdioCloseReason {
  /** `close` — our `close()`; `exit` — the child exited (or was killed) on its own; `spawn-error` — it never started. */
  by: 'close' | 'exit' | 'spawn-error';
  /** The child's exit code, if it exited normally. */
  exitCode: number | null;
  /** The signal that ended the child, if one did. */
  signal: NodeJS.Signals | null;
  /** The strongest signal `close()` had to send, if closing stdin was not enough. */
  escalation?: 'SIGTERM' | 'SIGKILL' | undefined;
  /** The spawn error, for `spawn-error`. */
  error?: Error | undefined;
}

/** Children still running, signalled when the parent exits normally (best effort, see README). */
const live = new Map<StdioClientTransport, () => void>();
let exitHookInstalled = false;

/**
 * Spawns an MCP server and talks to it over stdin/stdout.
 *
 * On POSIX the child leads its own process group, so `close()` (stdin closed → SIGTERM →
 * SIGKILL) reaches everything it spawned. `onclose` fires exactly once, whether the child exits by
 * itself, crashes, is killed or is closed by us.
 */
export class StdioClientTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T) => void) | undefined;

  readonly #options: StdioClientTransportOptions;
  readonly #stderr: PassThrough | undefined;
  readonly #decoder: LineDecoder;
  #child: ChildProcess | undefined;
  #writer: BatchingWriter | undefined;
  #state: 'new' | 'starting' | 'open' | 'closed' = 'new';
  #closing: Promise<void> | undefined;
  #exited = false;
  #exitWaiters: (() => void)[] = [];
  #closeWaiters: (() => void)[] = [];
  #exitFallback: NodeJS.Timeout | undefined;
  #closeReason: StdioCloseReason | undefined;
  #escalation: 'SIGTERM' | 'SIGKILL' | undefined;
  #group = process.platform !== 'win32';

  constructor(options: StdioClientTransportOptions) {
    this.#options = options;
    if (options.stderr === 'pipe') this.#stderr = new PassThrough();
    this.#decoder = messageDecoder(
      options.maxMessageBytes,
      (message) => this.onmessage?.(message),
      (error) => {
        this.#report(error);
      },
    );
  }

  /** The child's stderr with `stderr: 'pipe'` (available before `start()`), otherwise `null`. */
  get stderr(): Readable | null {
    return this.#stderr ?? null;
  }

  /** The child's process id once spawned. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The child's exit code once it has exited normally, otherwise `null`. */
  get exitCode(): number | null {
    return this.#child?.exitCode ?? null;
  }

  /** The signal that ended the child, once it has exited by a signal, otherwise `null`. */
  get signalCode(): NodeJS.Signals | null {
    return this.#child?.signalCode ?? null;
  }

  /** Why the transport closed, once it has. */
  get closeReason(): StdioCloseReason | undefined {
    return this.#closeReason;
  }

  /** Spawns the server. Resolves once it runs; rejects (`ERR_CONNECTION`) naming the command if it cannot. */
  start(): Promise<void> {
    if (this.#state !== 'new') {
      return Promise.reject(
        new TransportError(
          TransportErrorCode.AlreadyStarted,
          `${TAG} start() was called twice; note that the SDK's connect() calls start() for you`,
        ),
      );
    }
    this.#state = 'starting';
    const { command, args = [], cwd } = this.#options;
    return new Promise<void>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(command, args, {
          env: { ...getDefaultEnvironment(), ...this.#options.env },
          cwd,
          stdio: ['pipe', 'pipe', this.#options.stderr ?? 'inherit'],
          shell: false,
          windowsHide: true,
          detached: this.#group,
        });
      } catch (error) {
        const failure = this.#spawnError(command, error);
        this.#finish({ by: 'spawn-error', exitCode: null, signal: null, error: failure });
        reject(failure);
        return;
      }
      this.#child = child;
      child.once('spawn', () => {
        if (this.#state === 'starting') this.#state = 'open';
        live.set(this, () => {
          if (child.pid !== undefined && !this.#exited) killTree(child.pid, 'SIGTERM', this.#group);
        });
        installExitHook();
        resolve();
      });
      child.on('error', (error) => {
        if (this.#state === 'starting') {
          const failure = this.#spawnError(command, error);
          this.#finish({ by: 'spawn-error', exitCode: null, signal: null, error: failure });
          reject(failure);
          return;
        }
        // A failed kill() or a stdio failure on a running child: worth knowing, not fatal here.
        this.#report(error);
      });
      child.once('exit', () => {
        this.#onExit();
      });
      child.once('close', () => {
        this.#finishAfterExit();
      });
      const stdin = child.stdin;
      const stdout = child.stdout;
      if (stdin === null || stdout === null) throw new Error(`${TAG} spawn() returned no stdio pipes`);
      this.#writer = new BatchingWriter(stdin);
      stdin.on('error', (error) => {
        // EPIPE / ECONNRESET: the child closed its stdin or died; the 'exit' handler closes us.
        const closed = new TransportError(TransportErrorCode.Closed, `${TAG} the server's stdin is closed`, {
          cause: error,
        });
        this.#writer?.fail(closed);
        if (!isErrno(error, 'EPIPE') && !isErrno(error, 'ECONNRESET')) this.#report(error);
      });
      stdout.on('data', (chunk: Buffer) => {
        this.#decoder.push(chunk);
      });
      stdout.on('end', () => {
        this.#decoder.end();
      });
      stdout.on('error', (error) => {
        this.#report(error);
      });
      if (this.#stderr !== undefined) child.stderr?.pipe(this.#stderr);
    });
  }

  /** Sends one message to the server's stdin; resolves once it is written to the pipe. */
  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.#state === 'closed' || this.#closing !== undefined) {
      return Promise.reject(new TransportError(TransportErrorCode.Closed, `${TAG} send() after close`));
    }
    if (this.#state !== 'open' || this.#writer === undefined) {
      return Promise.reject(new TransportError(TransportErrorCode.NotStarted, `${TAG} send() before start()`));
    }
    let line: string;
    try {
      line = encodeLine(message);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    return this.#writer.write(line);
  }

  /**
   * Stops the server: closes its stdin, waits `closeTimeoutMs`, sends SIGTERM to its process
   * group, waits `killTimeoutMs`, sends SIGKILL. Resolves once the child has exited and
   * `onclose` has fired. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    if (this.#state === 'closed') return Promise.resolve();
    if (this.#state === 'new' || this.#child === undefined) {
      this.#finish({ by: 'close', exitCode: null, signal: null });
      return Promise.resolve();
    }
    this.#closing = this.#shutdown(this.#child);
    return this.#closing;
  }

  async #shutdown(child: ChildProcess): Promise<void> {
    this.#writer?.flushNow();
    this.#writer?.fail(new TransportError(TransportErrorCode.Closed, `${TAG} the transport was closed`));
    child.stdin?.end();
    const closeMs = this.#options.closeTimeoutMs ?? 2000;
    const killMs = this.#options.killTimeoutMs ?? 2000;
    if (!(await this.#waitForExit(closeMs)) && child.pid !== undefined) {
      this.#escalation = 'SIGTERM';
      killTree(child.pid, 'SIGTERM', this.#group);
      if (!(await this.#waitForExit(killMs))) {
        this.#escalation = 'SIGKILL';
        killTree(child.pid, 'SIGKILL', this.#group);
        await this.#waitForExit(killMs);
      }
    }
    // The leader is gone; stragglers in its group holding the pipes are handled by #onExit's fallback.
    await new Promise<void>((resolve) => {
      if (this.#state === 'closed') resolve();
      else this.#closeWaiters.push(resolve);
    });
  }

  /** Resolves `true` once the child has exited, `false` after `ms`. */
  #waitForExit(ms: number): Promise<boolean> {
    if (this.#exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        resolve(false);
      }, ms);
      this.#exitWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  #onExit(): void {
    this.#exited = true;
    live.delete(this);
    const waiters = this.#exitWaiters;
    this.#exitWaiters = [];
    for (const w of waiters) w();
    const child = this.#child;
    if (child?.pid === undefined) return;
    // The leader is gone. Anything left in its group (a grandchild holding our pipes) is an
    // orphan: ask it to go, then make it go, so 'close' fires and onclose with it.
    if (this.#group) killTree(child.pid, 'SIGTERM', true);
    this.#exitFallback = setTimeout(() => {
      if (this.#state === 'closed') return;
      killTree(child.pid as number, 'SIGKILL', this.#group);
      child.stdout?.destroy();
      child.stderr?.destroy();
      this.#finishAfterExit();
    }, this.#options.killTimeoutMs ?? 2000);
    this.#exitFallback.unref();
  }

  #finishAfterExit(): void {
    const child = this.#child;
    this.#finish({
      by: this.#closing === undefined ? 'exit' : 'close',
      exitCode: child?.exitCode ?? null,
      signal: child?.signalCode ?? null,
      escalation: this.#escalation,
    });
  }

  #finish(reason: StdioCloseReason): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#closeReason = reason;
    live.delete(this);
    clearTimeout(this.#exitFallback);
    this.#writer?.fail(new TransportError(TransportErrorCode.Closed, `${TAG} the server process has exited`));
    const waiters = [...this.#exitWaiters, ...this.#closeWaiters];
    this.#exitWaiters = [];
    this.#closeWaiters = [];
    for (const w of waiters) w();
    this.#stderr?.end();
    this.onclose?.();
  }

  #spawnError(command: string, error: unknown): TransportError {
    const cause = toError(error);
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'command not found (ENOENT); check the command and PATH'
        : code === 'EACCES'
          ? 'permission denied (EACCES); is the file executable?'
          : cause.message;
    return new TransportError(TransportErrorCode.Connection, `${TAG} cannot start server "${command}": ${why}`, {
      cause,
    });
  }

  #report(error: unknown): void {
    this.onerror?.(toError(error));
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A parent that exits normally (or calls process.exit) takes its servers with it. A parent
  // killed by a signal cannot run this; its servers then see stdin EOF and should exit on their own.
  process.on('exit', () => {
    for (const kill of live.values()) kill();
  });
}
