export type { WireCheck, WireContext, WireRunOptions } from './wire.js';
export { runWireCheck, runWireChecks } from './wire.js';
export type { StdioTarget, StdoutLine } from './stdio-wire.js';
export { STDIO_CHECKS, StdioSession, startSession } from './stdio-wire.js';
export { CheckFailure, expectRejects, fail, jsonEqual, preview, sleep, waitFor, within } from './_harness.js';
export { formatTable, hasUnexpected, summarize, toJson, toJUnit } from './report.js';
export type { HttpRefusal, UpgradeOptions, WebSocketTarget } from './websocket-wire.js';
export { RawWebSocket, upgrade, WEBSOCKET_CHECKS } from './websocket-wire.js';
