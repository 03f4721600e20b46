export type { RedisClient, RedisConnection } from './_connection.js';
export type { SessionOptions } from './_options.js';
export type { RedisClientTransportOptions } from './client.js';
export { RedisClientTransport } from './client.js';
export type { ConnectRequest, RedisServerListenerOptions } from './listener.js';
export { RedisServerListener, RedisServerTransport } from './listener.js';
export type { RedisEventStoreOptions } from './event-store.js';
export { RedisEventStore } from './event-store.js';
