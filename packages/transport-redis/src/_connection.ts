/**
 * Connections. A user hands us an ioredis `Redis` or `Cluster` they already have, a `redis://`
 * URL, or ioredis options. Blocking reads (`XREAD BLOCK`, `XREADGROUP BLOCK`) hold their
 * connection until data arrives, so each reader gets its own connection: a `duplicate()` of the
 * user's client, which keeps its host, auth, TLS and database.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { TransportError, TransportErrorCode } from '@mcp-transports/core';
import { TAG } from './_keys.js';

/** A Redis client we accept: ioredis `Redis` (standalone, Sentinel) or `Cluster`. */
export type RedisClient = Redis | Cluster;

/** Where to find Redis: a client you own (we never close it), a URL, or ioredis options. */
export type RedisConnection = RedisClient | string | RedisOptions;

/** A connection and whether we made it (then we also close it). */
export interface Owned {
  readonly client: RedisClient;
  readonly owned: boolean;
}

/** Options for connections we open ourselves: retry forever, our own deadlines bound the wait. */
const OWN: RedisOptions = { maxRetriesPerRequest: null, lazyConnect: true };

export function resolveConnection(connection: RedisConnection): Owned {
  if (connection instanceof Redis || connection instanceof Cluster) return { client: connection, owned: false };
  const client = typeof connection === 'string' ? new Redis(connection, OWN) : new Redis({ ...connection, ...OWN });
  watchErrors(client);
  return { client, owned: true };
}

/** A dedicated connection for blocking reads, with the same settings as `client`. */
export function duplicateForBlocking(client: RedisClient): RedisClient {
  const copy: RedisClient =
    client instanceof Cluster ? client.duplicate(undefined, { lazyConnect: true }) : client.duplicate(OWN);
  watchErrors(copy);
  return copy;
}

const lastErrors = new WeakMap<RedisClient, Error>();

/**
 * ioredis prints "Unhandled error event" for every failed reconnect of a client without an
 * `error` listener; we keep the last error instead, to name it when a deadline passes.
 */
function watchErrors(client: RedisClient): void {
  client.on('error', (error: Error) => {
    lastErrors.set(client, error);
  });
}

/** Resolves once `client` is ready; rejects with `ERR_CONNECTION` naming the cause after `timeoutMs`. */
export function waitReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (error?: TransportError): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onReady = (): void => {
      done();
    };
    const onEnd = (): void => {
      done(unreachable(client, 'the connection ended'));
    };
    const timer = setTimeout(() => {
      done(unreachable(client, `not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    client.on('ready', onReady);
    client.on('end', onEnd);
    if (client.status === 'wait') {
      client.connect().catch((cause: unknown) => {
        lastErrors.set(client, cause instanceof Error ? cause : new Error(String(cause)));
      });
    }
  });
}

function unreachable(client: RedisClient, why: string): TransportError {
  const cause = lastErrors.get(client);
  return new TransportError(
    TransportErrorCode.Connection,
    `${TAG} cannot reach Redis (${why})${cause === undefined ? '' : `: ${cause.message}`}`,
    cause === undefined ? {} : { cause },
  );
}

/** Closes a connection we own; a borrowed one is left alone. */
export async function release(connection: Owned): Promise<void> {
  if (!connection.owned) return;
  await quit(connection.client);
}

/** QUIT when the connection is up, else drop it: a QUIT would wait in the offline queue forever. */
export async function quit(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch (error) {
      // The server went away while quitting: nothing is left to close but the socket.
      lastErrors.set(client, error instanceof Error ? error : new Error(String(error)));
    }
  }
  client.disconnect();
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
