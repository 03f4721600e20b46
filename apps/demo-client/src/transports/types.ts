import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

/** Makes a fresh SDK client (a failed connect leaves a client unusable, so fallbacks need a new one). */
export type ClientFactory = () => Client;

/** A connected client and the medium it actually uses (`streamable-http`, `sse`, `stdio`, …). */
export interface Connection {
  readonly client: Client;
  readonly medium: string;
  /** Closes the client and its transport (stdio: ends the child process). */
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** stdio only: what happens to the server's stderr (default `inherit`). */
  readonly stderr?: 'inherit' | 'ignore';
  /** stdio only: extra environment for the server (the child otherwise gets a safe allow-list only). */
  readonly env?: Readonly<Record<string, string>>;
}

export const connection = (client: Client, medium: string): Connection => ({
  client,
  medium,
  close: () => client.close(),
});
