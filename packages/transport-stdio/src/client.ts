/**
 * The client side of stdio (ST-2): spawns the MCP server as a child process and speaks
 * newline-delimited JSON-RPC on its stdin/stdout.
 */
import type { ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import {
  createErrorResponse,
  encodeLine,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResponse,
  reconnectDelay,
  resolveReconnect,
  toError,
  TransportError,
  TransportErrorCode,
} from '@mcp-transports/core';
import type {
  JSONRPCMessage,
  JSONRPCRequest,
  ReconnectOptions,
  RequestId,
  Transport,
  TransportSendOptions,
} from '@mcp-transports/core';
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
  /**
   * Restart the server when it exits without `close()` having been called (M26-9: "the client
   * SHOULD restart it"). Off by default: a restart loses the server's in-memory state, which only
   * the application can judge. `true` takes the defaults of {@link StdioRestartOptions}.
   * @default false
   */
  restart?: boolean | StdioRestartOptions | undefined;
}

/** How {@link StdioClientTransportOptions.restart} restarts a server that exited on its own. */
export interface StdioRestartOptions {
  /**
   * Restarts in a row before giving up (then the transport closes, as without `restart`). The
   * count starts again once a restarted server has sent a message.
   * @default 5
   */
  maxRestarts?: number | undefined;
  /**
   * Wait before each restart: core's reconnect policy (exponential backoff with full jitter).
   * @default { initialDelayMs: 250, maxDelayMs: 30_000 }
   */
  backoff?: Omit<ReconnectOptions, 'maxAttempts'> | undefined;
  /**
   * After a restart, send the captured `initialize` request (its answer is not delivered again) and
   * `notifications/initialized` before anything else, so a 2025-era session carries on. Nothing is
   * replayed on a 2026-07-28 (stateless) connection, which never sent `initialize`.
   * @default true
   */
  replayInitialize?: boolean | undefined;
}

/** JSON-RPC code of the error a request gets when the server exited before answering it. */
const INTERNAL_ERROR = -32603;

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

type State = 'new' | 'starting' | 'open' | 'restarting' | 'closed';

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
  #child: ChildProcess | undefined;
  #writer: BatchingWriter | undefined;
  #state: State = 'new';
  // Restart (opt-in): the policy, the attempts in a row, what a new child must be told first.
  readonly #restart: { max: number; backoff: Required<ReconnectOptions>; replay: boolean } | undefined;
  #restartAttempt = 0;
  #restarts = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  /** Sends made while the server restarts wait here. */
  #ready: Promise<void> | undefined;
  #readyResolve: (() => void) | undefined;
  /** Requests written and not yet answered; failed with an error response if the server dies. */
  readonly #outstanding = new Set<RequestId>();
  #initialize: JSONRPCRequest | undefined;
  #initialized: JSONRPCMessage | undefined;
  #replayId: RequestId | undefined;
  #replayed: (() => void) | undefined;
  /** The connection opened with `server/discover` (2026-07-28), not `initialize`. */
  #modern = false;
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
    const restart = options.restart;
    if (restart !== undefined && restart !== false) {
      const settings = restart === true ? {} : restart;
      const max = settings.maxRestarts ?? 5;
      if (!Number.isInteger(max) || max < 0) {
        throw new TypeError(`${TAG} restart.maxRestarts must be a non-negative integer, got ${String(max)}`);
      }
      this.#restart = {
        max,
        backoff: resolveReconnect({ ...settings.backoff, maxAttempts: max }),
        replay: settings.replayInitialize !== false,
      };
    }
  }

  /** How many times the server was restarted (with the `restart` option). */
  get restarts(): number {
    return this.#restarts;
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
    return this.#spawn().catch((error: unknown) => {
      this.#finish({ by: 'spawn-error', exitCode: null, signal: null, error: toError(error) });
      throw error;
    });
  }

  /** Spawns one child and wires it up. Resolves once it runs; rejects with a spawn error. */
  #spawn(): Promise<void> {
    const { command, args = [], cwd } = this.#options;
    this.#exited = false;
    this.#escalation = undefined;
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
        reject(this.#spawnError(command, error));
        return;
      }
      let spawned = false;
      this.#child = child;
      const current = (): boolean => this.#child === child;
      child.once('spawn', () => {
        spawned = true;
        if (!current()) return;
        if (this.#state === 'starting') this.#state = 'open';
        live.set(this, () => {
          if (child.pid !== undefined && !this.#exited) killTree(child.pid, 'SIGTERM', this.#group);
        });
        installExitHook();
        resolve();
      });
      child.on('error', (error) => {
        if (!spawned) {
          reject(this.#spawnError(command, error));
          return;
        }
        // A failed kill() or a stdio failure on a running child: worth knowing, not fatal here.
        if (current()) this.#report(error);
      });
      // A child that never spawned is answered by the rejection above, not by these.
      child.once('exit', () => {
        if (spawned && current()) this.#onExit();
      });
      child.once('close', () => {
        if (spawned && current()) this.#finishAfterExit();
      });
      const stdin = child.stdin;
      const stdout = child.stdout;
      if (stdin === null || stdout === null) throw new Error(`${TAG} spawn() returned no stdio pipes`);
      const writer = new BatchingWriter(stdin);
      this.#writer = writer;
      stdin.on('error', (error) => {
        // EPIPE / ECONNRESET: the child closed its stdin or died; the 'exit' handler closes us.
        const closed = new TransportError(TransportErrorCode.Closed, `${TAG} the server's stdin is closed`, {
          cause: error,
        });
        writer.fail(closed);
        if (!isErrno(error, 'EPIPE') && !isErrno(error, 'ECONNRESET') && current()) this.#report(error);
      });
      const decoder = messageDecoder(
        this.#options.maxMessageBytes,
        (message) => {
          if (current()) this.#receive(message);
        },
        (error) => {
          if (current()) this.#report(error);
        },
      );
      stdout.on('data', (chunk: Buffer) => {
        decoder.push(chunk);
      });
      stdout.on('end', () => {
        decoder.end();
      });
      stdout.on('error', (error) => {
        if (current()) this.#report(error);
      });
      if (this.#stderr !== undefined) child.stderr?.pipe(this.#stderr, { end: false });
    });
  }

  /** One message from the server: bookkeeping for restarts, then `onmessage`. */
  #receive(message: JSONRPCMessage): void {
    if (this.#restart !== undefined) {
      this.#restartAttempt = 0;
      if (isJSONRPCResponse(message)) {
        if (this.#replayId !== undefined && message.id === this.#replayId) {
          // The answer to a replayed `initialize`: the SDK already has the first one.
          this.#replayId = undefined;
          this.#replayed?.();
          return;
        }
        if (message.id !== undefined) this.#outstanding.delete(message.id);
      }
    }
    this.onmessage?.(message);
  }

  /** Sends one message to the server's stdin; resolves once it is written to the pipe. */
  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#state === 'closed' || this.#closing !== undefined) {
      return Promise.reject(new TransportError(TransportErrorCode.Closed, `${TAG} send() after close`));
    }
    if (this.#state === 'restarting' && this.#ready !== undefined) {
      // The server is being restarted: the message goes to the new one.
      return this.#ready.then(() => this.send(message, options));
    }
    if (this.#state !== 'open' || this.#writer === undefined) {
      return Promise.reject(new TransportError(TransportErrorCode.NotStarted, `${TAG} send() before start()`));
    }
    if (isJSONRPCRequest(message)) {
      // The opening request tells the era: `server/discover` is 2026-07-28, `initialize` is 2025.
      if (message.method === 'server/discover') this.#modern = true;
      else if (message.method === 'initialize') this.#modern = false;
    } else if (this.#modern && isJSONRPCResponse(message)) {
      return Promise.reject(
        new TransportError(
          TransportErrorCode.InvalidMessage,
          `${TAG} a 2026-07-28 client must not write JSON-RPC responses (M26-5)`,
        ),
      );
    }
    let line: string;
    try {
      line = encodeLine(message);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    if (this.#restart === undefined) return this.#writer.write(line);
    return this.#track(message, this.#writer.write(line));
  }

  /** With `restart`: remembers `initialize` and the requests awaiting an answer. */
  #track(message: JSONRPCMessage, written: Promise<void>): Promise<void> {
    if (isJSONRPCRequest(message)) {
      if (message.method === 'initialize') this.#initialize = message;
      const id = message.id;
      this.#outstanding.add(id);
      return written.catch((error: unknown) => {
        this.#outstanding.delete(id);
        throw error;
      });
    }
    if (isJSONRPCNotification(message) && message.method === 'notifications/initialized') this.#initialized = message;
    return written;
  }

  /**
   * Stops the server: closes its stdin, waits `closeTimeoutMs`, sends SIGTERM to its process
   * group, waits `killTimeoutMs`, sends SIGKILL. Resolves once the child has exited and
   * `onclose` has fired. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    if (this.#state === 'closed') return Promise.resolve();
    if (this.#state === 'new' || this.#child === undefined || (this.#state === 'restarting' && this.#exited)) {
      // Nothing runs (not started, or between a crash and its restart).
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
    // Already handled: the exit fallback and 'close' both land here, and a restart is under way.
    if (this.#state === 'restarting' && this.#closing === undefined) return;
    const child = this.#child;
    if (this.#closing === undefined && this.#state === 'open' && this.#restart !== undefined) {
      if (this.#restartAttempt < this.#restart.max) {
        this.#beginRestart(child);
        return;
      }
      this.#report(
        new TransportError(
          TransportErrorCode.Connection,
          `${TAG} the server exited ${describeExit(child)} and was restarted ${this.#restartAttempt} time(s) in a row; giving up`,
        ),
      );
    }
    this.#finish({
      by: this.#closing === undefined ? 'exit' : 'close',
      exitCode: child?.exitCode ?? null,
      signal: child?.signalCode ?? null,
      escalation: this.#escalation,
    });
  }

  /** The server exited on its own (all its output read): fail what it owed us, then respawn it. */
  #beginRestart(child: ChildProcess | undefined): void {
    const policy = this.#restart;
    if (policy === undefined) return;
    clearTimeout(this.#exitFallback);
    live.delete(this);
    this.#state = 'restarting';
    this.#ready ??= new Promise<void>((resolve) => {
      this.#readyResolve = resolve;
    });
    const attempt = this.#restartAttempt++;
    const why = `the server exited ${describeExit(child)}`;
    this.#writer?.fail(new TransportError(TransportErrorCode.Connection, `${TAG} ${why} before this was written`));
    this.#report(
      new TransportError(
        TransportErrorCode.Connection,
        `${TAG} ${why}; restarting it (attempt ${attempt + 1} of ${policy.max})`,
      ),
    );
    // M26-9: the requests it had not answered are lost with it. Settle them now, so callers do
    // not wait for their timeouts; re-issuing one is the caller's decision.
    const lost = [...this.#outstanding];
    this.#outstanding.clear();
    for (const id of lost) {
      this.onmessage?.(
        createErrorResponse(INTERNAL_ERROR, `${TAG} ${why} before answering this request; it was restarted`, id, {
          transportError: TransportErrorCode.Connection,
        }),
      );
    }
    this.#restartTimer = setTimeout(
      () => {
        this.#restartTimer = undefined;
        void this.#respawn();
      },
      reconnectDelay(attempt, policy.backoff),
    );
  }

  async #respawn(): Promise<void> {
    if (this.#state !== 'restarting') return;
    try {
      await this.#spawn();
    } catch (error) {
      if (this.#stateNow() !== 'restarting') return;
      this.#report(error);
      // A failed spawn counts as an attempt; #finishAfterExit decides whether to try again.
      this.#exited = true;
      this.#state = 'open';
      this.#finishAfterExit();
      return;
    }
    if (this.#stateNow() !== 'restarting') return;
    this.#restarts++;
    this.#state = 'open';
    const initialize = this.#restart?.replay === true ? this.#initialize : undefined;
    if (initialize !== undefined) {
      const id = `restart-initialize-${this.#restarts}`;
      this.#replayId = id;
      const answered = new Promise<void>((resolve) => {
        this.#replayed = resolve;
      });
      // Written directly: nothing queued behind #ready may overtake it.
      await this.#writer?.write(encodeLine({ ...initialize, id })).catch(() => undefined);
      await Promise.race([answered, this.#untilNotOpen()]);
      this.#replayed = undefined;
      if (this.#initialized !== undefined)
        await this.#writer?.write(encodeLine(this.#initialized)).catch(() => undefined);
    }
    // The new server died already: its own restart (or the close) settles the waiting sends.
    if (this.#exited || this.#stateNow() !== 'open') return;
    const resolve = this.#readyResolve;
    this.#ready = undefined;
    this.#readyResolve = undefined;
    resolve?.();
  }

  /** `#state`, read through a call: TypeScript would keep its narrowing across an `await`. */
  #stateNow(): State {
    return this.#state;
  }

  /** Resolves once the transport is no longer open (the new child died too, or close()). */
  #untilNotOpen(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.#state !== 'open' || this.#closing !== undefined || this.#exited) resolve();
        else this.#exitWaiters.push(check);
      };
      check();
    });
  }

  #finish(reason: StdioCloseReason): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#restartTimer);
    const ready = this.#readyResolve;
    this.#ready = undefined;
    this.#readyResolve = undefined;
    // Sends waiting for a restart now find the transport closed and reject.
    ready?.();
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

function describeExit(child: ChildProcess | undefined): string {
  if (child?.signalCode != null) return `on ${child.signalCode}`;
  return `with code ${String(child?.exitCode ?? null)}`;
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
