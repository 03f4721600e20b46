/**
 * The incoming side shared by both ends: newline framing (core's linear `LineDecoder`) with the
 * size limit, handing messages over through core's `MessageDelivery` so a progress notification
 * that shares a pipe read with its result still reaches the SDK's handler first. A malformed or
 * oversized line and a throwing `onmessage` are reported, never thrown into the stream's `data`
 * handler, and later messages keep arriving (TC-5).
 */
import { DEFAULT_MAX_MESSAGE_BYTES, LineDecoder, MessageDelivery, type JSONRPCMessage } from '@mcp-transports/core';

export function messageDecoder(
  maxMessageBytes: number | undefined,
  deliver: (message: JSONRPCMessage) => void,
  report: (error: unknown) => void,
): LineDecoder {
  const delivery = new MessageDelivery(deliver, report);
  return new LineDecoder({
    maxMessageBytes: maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    onmessage: (message) => {
      delivery.push(message, undefined);
    },
    onerror: report,
  });
}
