/**
 * A hand-driven MCP "server" for transport tests: answers `initialize` and `ping`, and for
 * `test/stream` sends `count` related notifications `delayMs` apart before its response. Tests
 * get each session's transport to send whatever else they need.
 */
import type { JSONRPCMessage, MessageExtraInfo, Transport } from '@mcp-transports/core';

export interface ManualSession {
  transport: Transport;
  received: { message: JSONRPCMessage; extra: MessageExtraInfo | undefined }[];
  closes: number;
}

export function manualServer(sessions: ManualSession[] = []): {
  sessions: ManualSession[];
  onconnection: (transport: Transport) => void;
} {
  return {
    sessions,
    onconnection(transport) {
      const session: ManualSession = { transport, received: [], closes: 0 };
      sessions.push(session);
      transport.onclose = () => session.closes++;
      transport.onmessage = (message, extra) => {
        session.received.push({ message, extra });
        if (!('method' in message) || !('id' in message)) return;
        const id = message.id;
        const params = (message.params ?? {}) as { count?: number; delayMs?: number; protocolVersion?: string };
        if (message.method === 'initialize') {
          void transport.send({
            jsonrpc: '2.0',
            id,
            result: {
              protocolVersion: params.protocolVersion ?? '2025-11-25',
              capabilities: {},
              serverInfo: { name: 'manual', version: '0' },
            },
          });
        } else if (message.method === 'test/stream') {
          void (async () => {
            for (let i = 1; i <= (params.count ?? 0); i++) {
              await new Promise((resolve) => setTimeout(resolve, params.delayMs ?? 0));
              await transport
                .send({ jsonrpc: '2.0', method: 'test/step', params: { i } }, { relatedRequestId: id })
                .catch(() => undefined);
            }
            await transport.send({ jsonrpc: '2.0', id, result: { done: true } }).catch(() => undefined);
          })();
        } else if (message.method !== 'test/hang') {
          void transport.send({ jsonrpc: '2.0', id, result: {} });
        }
      };
      void transport.start();
    },
  };
}
