/**
 * A WebSocket MCP server in its own process, for fault tests (the test kills it). Prints its URL on
 * stdout, then answers every request with an empty result.
 */
import { WebSocketListener } from '../listener.js';

const listener = new WebSocketListener();
listener.onconnection = (transport) => {
  transport.onmessage = (message) => {
    if ('method' in message && 'id' in message) {
      transport.send({ jsonrpc: '2.0', id: message.id, result: {} }).catch((error: unknown) => {
        console.error(error);
      });
    }
  };
  transport.start().catch((error: unknown) => {
    console.error(error);
  });
};
const { url } = await listener.listen({ port: 0 });
console.log(url);
