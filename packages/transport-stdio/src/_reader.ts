/**
 * The incoming side shared by both ends: newline framing (core's linear `LineDecoder`) with the
 * size limit. A malformed or oversized line and a throwing `onmessage` are reported, never thrown
 * into the stream's `data` handler, and later messages keep arriving (TC-5).
 */
import { DEFAULT_MAX_MESSAGE_BYTES, LineDecoder, type JSONRPCMessage } from '@mcp-transports/core';

export function messageDecoder(
  maxMessageBytes: number | undefined,
  deliver: (message: JSONRPCMessage) => void,
  report: (error: unknown) => void,
): LineDecoder {
  return new LineDecoder({
    maxMessageBytes: maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    onmessage: (message) => {
      try {
        deliver(message);
      } catch (error) {
        report(error);
      }
    },
    onerror: report,
  });
}
