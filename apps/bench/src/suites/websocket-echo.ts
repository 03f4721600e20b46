/**
 * The websocket suite's echo servers, each answering every request with a response carrying the
 * request's text: `ours` (a WebSocketListener echoing through each connection's transport),
 * `raw-json` (bare `ws`: JSON.parse + JSON.stringify per message — the baseline) and `raw` (bare
 * `ws` sending each frame's bytes back). Run in a child process by `websocket-server.ts`; the
 * idle-memory children start them in-process.
 */
import type { JSONRPCMessage } from '@mcp-transports/core';
import { WebSocketListener } from '@mcp-transports/websocket';
import { WebSocketServer } from 'ws';

export type ServerKind = 'ours' | 'raw-json' | 'raw';

export interface EchoServer {
  url: string;
  close(): Promise<void>;
}

export function respond(message: { id: number; params: { arguments: { text: string } } }): JSONRPCMessage {
  return {
    jsonrpc: '2.0',
    id: message.id,
    result: { content: [{ type: 'text', text: message.params.arguments.text }] },
  };
}

/** Starts a `kind` echo server on 127.0.0.1; `maxMessageBytes` raises our listener's limit (16 MiB by default). */
export async function echoServer(kind: ServerKind, maxMessageBytes?: number): Promise<EchoServer> {
  if (kind === 'ours') {
    const listener = new WebSocketListener(maxMessageBytes === undefined ? {} : { maxMessageBytes });
    listener.onconnection = (transport) => {
      transport.onmessage = (message) => {
        transport.send(respond(message as never)).catch((error: unknown) => {
          throw error;
        });
      };
      void transport.start();
    };
    const { url } = await listener.listen();
    return { url, close: () => listener.close() };
  }
  const json = kind === 'raw-json';
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      if (!json) ws.send(data, { binary: false });
      else ws.send(JSON.stringify(respond(JSON.parse(data.toString('utf8')))));
    });
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
