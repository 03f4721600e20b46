import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Target } from './target.js';
import { connectHttp } from './transports/http.js';
import { connectRedis } from './transports/redis.js';
import { connectStdio } from './transports/stdio.js';
import type { ClientFactory, ConnectOptions, Connection } from './transports/types.js';
import { connectWs } from './transports/ws.js';

export const CLIENT_INFO = { name: 'mcp-transports-demo-client', version: '0.0.0' } as const;

export const createClient: ClientFactory = () => new Client(CLIENT_INFO);

/** Connects an SDK client to a target over the medium its form names. */
export function connect(
  target: Target,
  options: ConnectOptions = {},
  factory: ClientFactory = createClient,
): Promise<Connection> {
  switch (target.kind) {
    case 'stdio':
      return connectStdio(target.command, target.args, factory, options);
    case 'http':
      return connectHttp(target.url, factory);
    case 'ws':
      return connectWs(target.url, factory);
    case 'redis':
      return connectRedis(target.url, target.endpoint, factory);
  }
}
