/** Test helpers: a listener on an ephemeral loopback port that hands out its connections in order. */
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';
import type { JSONRPCMessage, Transport } from '@mcp-transports/core';
import { WebSocket } from 'ws';
import type { ClientOptions } from 'ws';
import { WebSocketListener } from '../listener.js';
import type { WebSocketListenerOptions } from '../listener.js';
import { WebSocketServerTransport } from '../server.js';

export interface TestListener {
  listener: WebSocketListener;
  url: string;
  port: number;
  /** Errors the listener reported (refused upgrades …). */
  errors: Error[];
  /** The next connection's transport (not started). */
  next(): Promise<WebSocketServerTransport>;
}

export async function startListener(options: WebSocketListenerOptions = {}): Promise<TestListener> {
  const listener = new WebSocketListener(options);
  const waiting: ((t: WebSocketServerTransport) => void)[] = [];
  const ready: WebSocketServerTransport[] = [];
  const errors: Error[] = [];
  listener.onerror = (e) => errors.push(e);
  listener.onconnection = (t) => {
    if (!(t instanceof WebSocketServerTransport)) throw new Error('unexpected transport');
    const w = waiting.shift();
    if (w === undefined) ready.push(t);
    else w(t);
  };
  const { url, port } = await listener.listen({ port: 0 });
  return {
    listener,
    url,
    port,
    errors,
    next: () => {
      const t = ready.shift();
      return t === undefined ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve(t);
    },
  };
}

/** A raw `ws` client, open. */
export async function rawClient(
  url: string,
  protocols: string | string[] = 'mcp',
  options: ClientOptions = {},
): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols, options);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

/** Resolves with the next text message a raw client receives, parsed. */
export function nextMessage(ws: WebSocket): Promise<JSONRPCMessage> {
  return new Promise((resolve) => {
    ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')) as JSONRPCMessage));
  });
}

/** Resolves with the close code and reason a raw client sees. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve({ code: 0, reason: 'already closed' });
  return new Promise((resolve) => {
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() }));
  });
}

/** Resolves when a transport's `onclose` fires (counting how often). */
export function watchClose(t: Transport): { count: () => number; closed: Promise<void> } {
  let count = 0;
  let resolve!: () => void;
  const closedPromise = new Promise<void>((r) => (resolve = r));
  t.onclose = () => {
    count++;
    resolve();
  };
  return { count: () => count, closed: closedPromise };
}

/** Resolves with the messages a transport receives until `n` have arrived. */
export function collect(t: Transport, n: number): Promise<{ message: JSONRPCMessage; extra: unknown }[]> {
  const got: { message: JSONRPCMessage; extra: unknown }[] = [];
  return new Promise((resolve) => {
    t.onmessage = (message, extra) => {
      got.push({ message, extra });
      if (got.length === n) resolve(got);
    };
  });
}

/** Sends a raw upgrade request and returns the HTTP response the server gave (a refusal). */
export function upgradeRequest(
  port: number,
  headers: Record<string, string>,
  path = '/mcp',
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, headers: res.headers, body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

export const ping = (id: number | string): JSONRPCMessage => ({ jsonrpc: '2.0', id, method: 'ping' });
