// Type-level proof that core's contract is the SDK's: our types are assignable to theirs and
// back, for SDK v1 (`@modelcontextprotocol/sdk` 1.32) and the v2 packages. Checked by
// `vitest --typecheck` (and `pnpm typecheck`); a mismatch fails the build, not a runtime test.
import type {
  JSONRPCMessage as V2Message,
  MessageExtraInfo as V2Extra,
  Transport as V2ClientTransport,
  TransportSendOptions as V2SendOptions,
  AuthInfo as V2AuthInfo,
} from '@modelcontextprotocol/client';
import type {
  EventStore as V2EventStore,
  ServerEvent as V2ServerEvent,
  ServerEventBus as V2ServerEventBus,
  Transport as V2ServerTransport,
} from '@modelcontextprotocol/server';
import type { EventStore as V1EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo as V1AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type {
  Transport as V1Transport,
  TransportSendOptions as V1SendOptions,
} from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage as V1Message, MessageExtraInfo as V1Extra } from '@modelcontextprotocol/sdk/types.js';
import { describe, expectTypeOf, test } from 'vitest';
import type {
  AuthInfo,
  EventStore,
  ServerEvent,
  ServerEventBus,
  JSONRPCMessage,
  MessageExtraInfo,
  Transport,
  TransportSendOptions,
} from './index.js';

describe('structural identity with the official SDK', () => {
  test('Transport: ours and the SDK v1 one are assignable both ways', () => {
    expectTypeOf<Transport>().toExtend<V1Transport>();
    expectTypeOf<V1Transport>().toExtend<Transport>();
  });

  test('Transport: ours and the SDK v2 client/server ones are assignable both ways', () => {
    expectTypeOf<Transport>().toExtend<V2ClientTransport>();
    expectTypeOf<V2ClientTransport>().toExtend<Transport>();
    expectTypeOf<Transport>().toExtend<V2ServerTransport>();
    expectTypeOf<V2ServerTransport>().toExtend<Transport>();
  });

  test('JSONRPCMessage matches both majors', () => {
    expectTypeOf<JSONRPCMessage>().toExtend<V1Message>();
    expectTypeOf<V1Message>().toExtend<JSONRPCMessage>();
    expectTypeOf<JSONRPCMessage>().toExtend<V2Message>();
    expectTypeOf<V2Message>().toExtend<JSONRPCMessage>();
  });

  test('send options and extra info match both majors', () => {
    expectTypeOf<TransportSendOptions>().toExtend<V1SendOptions>();
    expectTypeOf<V1SendOptions>().toExtend<TransportSendOptions>();
    expectTypeOf<TransportSendOptions>().toExtend<V2SendOptions>();
    expectTypeOf<V2SendOptions>().toExtend<TransportSendOptions>();
    expectTypeOf<MessageExtraInfo>().toExtend<V1Extra>();
    expectTypeOf<V1Extra>().toExtend<MessageExtraInfo>();
    expectTypeOf<MessageExtraInfo>().toExtend<V2Extra>();
    expectTypeOf<V2Extra>().toExtend<MessageExtraInfo>();
    expectTypeOf<AuthInfo>().toExtend<V1AuthInfo>();
    expectTypeOf<V1AuthInfo>().toExtend<AuthInfo>();
    expectTypeOf<AuthInfo>().toExtend<V2AuthInfo>();
    expectTypeOf<V2AuthInfo>().toExtend<AuthInfo>();
  });

  test('EventStore matches both majors', () => {
    expectTypeOf<EventStore>().toExtend<V1EventStore>();
    expectTypeOf<V1EventStore>().toExtend<EventStore>();
    expectTypeOf<EventStore>().toExtend<V2EventStore>();
    expectTypeOf<V2EventStore>().toExtend<EventStore>();
  });

  test('ServerEventBus and ServerEvent: ours and the SDK v2 ones are assignable both ways', () => {
    expectTypeOf<ServerEventBus>().toExtend<V2ServerEventBus>();
    expectTypeOf<V2ServerEventBus>().toExtend<ServerEventBus>();
    expectTypeOf<ServerEvent>().toExtend<V2ServerEvent>();
    expectTypeOf<V2ServerEvent>().toExtend<ServerEvent>();
  });
});
