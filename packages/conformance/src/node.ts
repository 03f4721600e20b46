export type { WireCheck, WireContext, WireRunOptions } from './wire.js';
export { runWireCheck, runWireChecks } from './wire.js';
export type { StdioTarget, StdoutLine } from './stdio-wire.js';
export { STDIO_CHECKS, StdioSession, startSession } from './stdio-wire.js';
export { CheckFailure, expectRejects, fail, jsonEqual, preview, sleep, waitFor, within } from './_harness.js';
export { formatTable, hasUnexpected, summarize, toJson, toJUnit } from './report.js';
export type { Http26Target } from './http26-wire.js';
export { HTTP26_CHECKS } from './http26-wire.js';
