/**
 * What a transport author hands the suite: a factory for a connected pair, and the capabilities
 * that may legitimately differ between media. What the suite hands back: one result per check.
 */
import type { Transport } from '@mcp-transports/core';

/** A connected client/server pair, not yet started: the suite calls `start()` on each side itself. */
export interface TransportPair {
  /** The client end. */
  client: Transport;
  /** The server end: whatever receives what `client` sends. */
  server: Transport;
  /**
   * Makes the server's side disappear without a goodbye (kill the child process, destroy the
   * socket, stop the backplane). Needed for the peer-death check (`capabilities.peerDeath`).
   */
  kill?: () => Promise<void> | void;
  /** Releases everything the factory made (processes, ports, servers). Called once per check. */
  close(): Promise<void>;
}

/** Makes a fresh pair; called once per check, so checks never share state. */
export type TransportPairFactory = () => Promise<TransportPair>;

/** What the transport under test supports; every field has a default that suits a plain pipe. */
export interface TransportCapabilities {
  /**
   * The declared largest message, in UTF-8 bytes of its JSON. Messages up to exactly this size must
   * arrive; one byte more must get a clear error. `undefined`: no limit is declared, sizes are checked
   * up to {@link sizeCheckBytes} and the over-limit check is n/a.
   * @default undefined
   */
  maxMessageBytes?: number | undefined;
  /** Largest size checked when no limit is declared. @default 1 MiB */
  sizeCheckBytes?: number;
  /** `client.close()` is noticed by the server end (its `onclose` fires). @default true */
  clientCanClose?: boolean;
  /** `server.close()` is noticed by the client end (its `onclose` fires). @default true */
  serverCanClose?: boolean;
  /** The pair has a `kill()` hook, and the client notices a dead peer (its `onclose` fires). @default false */
  peerDeath?: boolean;
  /** The client reconnects on its own after a drop (informational: no check relies on it yet). @default false */
  reconnects?: boolean;
  /** The transport has sessions (`sessionId` is set once connected). @default false */
  sessions?: boolean;
  /**
   * Before messaging, the suite performs an MCP `initialize` request/response and sends
   * `notifications/initialized` (HTTP servers need it to open a session). @default false
   */
  handshake?: boolean;
  /** Pause after the handshake, for transports that open a server-to-client stream lazily. @default 0 */
  settleMs?: number;
  /** How long to wait for the peer's `onclose` after a close or a kill. @default 2000 */
  closeTimeoutMs?: number;
  /** How long to wait for messages to arrive, per step. @default 10000 */
  timeoutMs?: number;
  /** Messages sent each way by the concurrency check. @default 2000 */
  stressMessages?: number;
  /** Messages sent one way by the ordering checks. @default 500 */
  orderMessages?: number;
}

/** Capabilities with every default applied. */
export type ResolvedCapabilities = Required<Omit<TransportCapabilities, 'maxMessageBytes'>> & {
  maxMessageBytes: number | undefined;
};

/** Applies the defaults of {@link TransportCapabilities}. */
export function resolveCapabilities(capabilities: TransportCapabilities = {}): ResolvedCapabilities {
  return {
    maxMessageBytes: capabilities.maxMessageBytes,
    sizeCheckBytes: capabilities.sizeCheckBytes ?? 1024 * 1024,
    clientCanClose: capabilities.clientCanClose ?? true,
    serverCanClose: capabilities.serverCanClose ?? true,
    peerDeath: capabilities.peerDeath ?? false,
    reconnects: capabilities.reconnects ?? false,
    sessions: capabilities.sessions ?? false,
    handshake: capabilities.handshake ?? false,
    settleMs: capabilities.settleMs ?? 0,
    closeTimeoutMs: capabilities.closeTimeoutMs ?? 2000,
    timeoutMs: capabilities.timeoutMs ?? 10_000,
    stressMessages: capabilities.stressMessages ?? 2000,
    orderMessages: capabilities.orderMessages ?? 500,
  };
}

/** A known gap, kept as data: the check `id` is expected to fail, for `reason`. */
export interface ExpectedFailure {
  /** The check id, e.g. `TC-4.close-from-client`. */
  id: string;
  /** Why the transport deviates (shown in reports). */
  reason: string;
}

/**
 * - `pass`: the check passed.
 * - `fail`: the check failed and no expected failure lists it.
 * - `expected-fail`: the check failed, as an expected failure says it would.
 * - `stale`: an expected failure lists the check, but it passed: remove the entry.
 * - `n/a`: the check does not apply to a transport with these capabilities.
 */
export type CheckStatus = 'pass' | 'fail' | 'expected-fail' | 'stale' | 'n/a';

/** The outcome of one check. */
export interface CheckResult {
  /** Stable id, e.g. `TC-1.start-twice` or `ST-7.stdout-only-json`. */
  id: string;
  /** One line saying what the check verifies. */
  title: string;
  /** Requirement ids it covers: `TC-n` from the design's contract, spec ids (`ST-4`, `JR-7`, …). */
  requirements: string[];
  status: CheckStatus;
  /** Why it failed, why it is n/a, or the expected failure's reason; empty on a clean pass. */
  message: string;
  /** Wall time of the check, in milliseconds. */
  durationMs: number;
}

/** `fail` and `stale` are unexpected: a run with either exits non-zero. */
export function isUnexpected(result: CheckResult): boolean {
  return result.status === 'fail' || result.status === 'stale';
}
