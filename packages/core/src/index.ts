export type {
  JSONRPCErrorObject,
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResponse,
  JSONRPCResultResponse,
  MessageParams,
  ProgressToken,
  RequestId,
} from './jsonrpc.js';
export {
  CONNECTION_CLOSED,
  createErrorResponse,
  HEADER_MISMATCH,
  INTERNAL_ERROR,
  INVALID_PARAMS,
  INVALID_REQUEST,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResponse,
  isJSONRPCResultResponse,
  JSONRPC_VERSION,
  METHOD_NOT_FOUND,
  MISSING_REQUIRED_CLIENT_CAPABILITY,
  PARSE_ERROR,
  REQUEST_TIMEOUT,
  RESOURCE_NOT_FOUND,
  UNSUPPORTED_PROTOCOL_VERSION,
  URL_ELICITATION_REQUIRED,
} from './jsonrpc.js';
export type { DecodeBatchResult, DecodeOptions, DecodeResult } from './codec.js';
export { decodeBatch, decodeMessage, encodeMessage, isRequestId, validateMessage } from './codec.js';
export type { LineDecoderOptions } from './line-decoder.js';
export { DEFAULT_MAX_MESSAGE_BYTES, encodeLine, LineDecoder } from './line-decoder.js';
export type { TransportErrorOptions } from './errors.js';
export { isTransportError, toError, TransportError, TransportErrorCode } from './errors.js';
export type {
  AuthInfo,
  IsomorphicHeaders,
  MessageClassification,
  MessageExtraInfo,
  RequestInfo,
  Transport,
  TransportListener,
  TransportSendOptions,
} from './transport.js';
export type { InMemoryPairOptions } from './in-memory.js';
export { createInMemoryPair, InMemoryTransport } from './in-memory.js';
export type { EventId, EventStore, MemoryEventStoreOptions, StreamId } from './event-store.js';
export { MemoryEventStore } from './event-store.js';
export type { ServerEvent, ServerEventBus } from './event-bus.js';
export { MemoryServerEventBus } from './event-bus.js';
export { MessageDelivery } from './delivery.js';
export type { ReconnectOptions } from './reconnect.js';
export { DEFAULT_RECONNECT, reconnectDelay, resolveReconnect } from './reconnect.js';
export { utf8ByteLength } from './_utf8.js';
