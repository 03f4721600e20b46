/**
 * Key layout. Every key of one session shares the hash tag `{<sessionId>}`, so a session lives in
 * one cluster slot and the claim script may touch all of them. The user sits in the key (spec
 * security guidance SEC-4: bind sessions to the user, `<user_id>:<session_id>`), so a session id
 * learned from one user's traffic names nothing in another user's namespace.
 */
import { randomBytes } from 'node:crypto';

export const TAG = '[mcp-transports/redis]';

/** All keys of one session. */
export interface SessionKeys {
  /** Stream client → server. */
  readonly c2s: string;
  /** Stream server → client. */
  readonly s2c: string;
  /** Pub/sub channel announcing each entry of `c2s` as it is written (live delivery; not a key). */
  readonly c2sLive: string;
  /** Pub/sub channel announcing each entry of `s2c`. */
  readonly s2cLive: string;
  /** The claiming worker's id; its absence means the session is gone. */
  readonly owner: string;
  /** Client heartbeat (a string with a PX TTL). */
  readonly hbClient: string;
  /** Server heartbeat. */
  readonly hbServer: string;
}

/** The connect queue of an endpoint: a stream read by the workers' consumer group. */
export function connectKey(prefix: string, endpoint: string): string {
  return `${prefix}:endpoint:${encodeURIComponent(endpoint)}:connect`;
}

export function sessionKeys(prefix: string, endpoint: string, user: string, sessionId: string): SessionKeys {
  // encodeURIComponent escapes ':' '{' and '}', so neither part can forge a separator or a hash tag.
  const base = `${prefix}:${encodeURIComponent(endpoint)}:${encodeURIComponent(user)}:{${sessionId}}`;
  return {
    c2s: `${base}:c2s`,
    s2c: `${base}:s2c`,
    // Channels share the session's namespace, so their names are as unguessable as its keys.
    c2sLive: `${base}:c2s:live`,
    s2cLive: `${base}:s2c:live`,
    owner: `${base}:owner`,
    hbClient: `${base}:hb:client`,
    hbServer: `${base}:hb:server`,
  };
}

/** Every key of a session (the pub/sub channels are not keys: nothing to delete or expire). */
export function allKeys(keys: SessionKeys): string[] {
  return [keys.c2s, keys.s2c, keys.owner, keys.hbClient, keys.hbServer];
}

/** 128 bits from the OS CSPRNG, base64url (22 visible ASCII characters): SEC-3, SH-40, SH-41. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;
export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID.test(value);
}

/** The value of `name` in a stream entry's flat `[field, value, …]` list (never a value read as a name). */
export function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
