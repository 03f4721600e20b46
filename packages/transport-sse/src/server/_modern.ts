/**
 * The 2026-07-28 (stateless) era of Streamable HTTP, server side (spec section H): deciding a
 * POST's era, the header/body validation ladder with its exact error codes, and the envelope keys.
 * The per-request transport and the `subscriptions/listen` streams live in their own files.
 */
import {
  HEADER_MISMATCH,
  INVALID_PARAMS,
  INVALID_REQUEST,
  MISSING_REQUIRED_CLIENT_CAPABILITY,
  UNSUPPORTED_PROTOCOL_VERSION,
  type JSONRPCMessage,
} from '@mcp-transports/core';

/** The 2026-07-28-era revisions this server speaks, newest first. */
export const MODERN_PROTOCOL_VERSIONS: readonly string[] = ['2026-07-28'];
/** The first revision of the stateless era; revisions are ISO dates, so they compare as strings. */
export const FIRST_MODERN_PROTOCOL_VERSION = '2026-07-28';

export const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
export const CLIENT_CAPABILITIES_META_KEY = 'io.modelcontextprotocol/clientCapabilities';
export const CLIENT_INFO_META_KEY = 'io.modelcontextprotocol/clientInfo';
export const SUBSCRIPTION_ID_META_KEY = 'io.modelcontextprotocol/subscriptionId';

/** Whether `version` belongs to the stateless era (2026-07-28 or later). */
export function isModernVersion(version: string | undefined): boolean {
  return version !== undefined && version >= FIRST_MODERN_PROTOCOL_VERSION;
}

/** A refusal of the ladder: the HTTP status and the JSON-RPC error it answers with. */
export interface Refusal {
  status: number;
  code: number;
  message: string;
  data?: unknown;
}

/** What the era decision found for one POST body. */
export type EraDecision =
  | { era: 'legacy' }
  | { era: 'modern'; message: JSONRPCMessage; version: string }
  | { era: 'refused'; refusal: Refusal };

type Params = Record<string, unknown> | undefined;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function paramsOf(message: JSONRPCMessage): Params {
  const params = (message as { params?: unknown }).params;
  return isObject(params) ? params : undefined;
}

function metaOf(params: Params): Record<string, unknown> | undefined {
  const meta = params?._meta;
  return isObject(meta) ? meta : undefined;
}

/** The envelope claim: `_meta` names a protocol version (M26-1). */
function hasClaim(message: JSONRPCMessage): boolean {
  const meta = metaOf(paramsOf(message));
  return meta !== undefined && PROTOCOL_VERSION_META_KEY in meta;
}

function mismatch(message: string, header: string): Refusal {
  return { status: 400, code: HEADER_MISMATCH, message, data: { mismatch: { header } } };
}

/** RFC 9110 optional whitespace around a field value. */
function trimOws(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * Decides the era of a POST from its body and `MCP-Protocol-Version` header, the way the official
 * SDK v2 does (body first, the header as a cross-check):
 * - a body whose `_meta` carries `io.modelcontextprotocol/protocolVersion` is 2026-07-28;
 * - a 2026 header without that claim is a malformed 2026 request (-32602), except on a notification;
 * - `initialize`, batches, responses and claim-less bodies are the 2025 (or 2024) era.
 */
export function decideEra(
  messages: readonly JSONRPCMessage[],
  batch: boolean,
  header: string | undefined,
): EraDecision {
  const headerVersion = header === undefined ? undefined : trimOws(header);
  const headerModern = isModernVersion(headerVersion);
  if (batch) {
    if (headerModern || messages.some(hasClaim)) {
      return {
        era: 'refused',
        refusal: {
          status: 400,
          code: INVALID_REQUEST,
          message: 'a 2026-07-28 POST body must be a single JSON-RPC request or notification, not a batch (M26-12)',
        },
      };
    }
    return { era: 'legacy' };
  }
  const message = messages[0] as JSONRPCMessage;
  if (!('method' in message)) {
    if (!headerModern) return { era: 'legacy' };
    return {
      era: 'refused',
      refusal: {
        status: 400,
        code: INVALID_REQUEST,
        message: 'a 2026-07-28 client must not send JSON-RPC responses (M26-4, M26-12)',
      },
    };
  }
  const isRequest = 'id' in message;
  if (hasClaim(message)) {
    const claimed = metaOf(paramsOf(message))?.[PROTOCOL_VERSION_META_KEY];
    if (typeof claimed !== 'string') {
      return {
        era: 'refused',
        refusal: {
          status: 400,
          code: INVALID_PARAMS,
          message: `_meta["${PROTOCOL_VERSION_META_KEY}"] must be a protocol version string (M26-1)`,
        },
      };
    }
    return { era: 'modern', message, version: claimed };
  }
  if (message.method === 'initialize' && isRequest) {
    if (!headerModern) return { era: 'legacy' };
    return {
      era: 'refused',
      refusal: mismatch(
        `initialize (the 2025 handshake) was sent with MCP-Protocol-Version ${headerVersion as string} (M26-17)`,
        headerVersion as string,
      ),
    };
  }
  if (headerModern) {
    if (!isRequest) return { era: 'modern', message, version: headerVersion as string };
    return {
      era: 'refused',
      refusal: {
        status: 400,
        code: INVALID_PARAMS,
        message: `MCP-Protocol-Version names ${headerVersion as string} but params._meta lacks "${PROTOCOL_VERSION_META_KEY}" and "${CLIENT_CAPABILITIES_META_KEY}" (M26-1)`,
        data: { envelope: { missing: [PROTOCOL_VERSION_META_KEY, CLIENT_CAPABILITIES_META_KEY] } },
      },
    };
  }
  return { era: 'legacy' };
}

/** Which body field `Mcp-Name` mirrors, per method (M26-20, and the tasks binding). */
const NAME_SOURCE: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

const SENTINEL_PREFIX = '=?base64?';
const SENTINEL_SUFFIX = '?=';
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a header value that may carry the `=?base64?…?=` sentinel (M26-20); `undefined` when
 * the sentinel's payload is not canonical base64 of valid UTF-8.
 */
export function decodeHeaderValue(value: string): string | undefined {
  if (!(value.startsWith(SENTINEL_PREFIX) && value.endsWith(SENTINEL_SUFFIX))) return value;
  const b64 = value.slice(SENTINEL_PREFIX.length, value.length - SENTINEL_SUFFIX.length);
  if (!CANONICAL_BASE64.test(b64)) return undefined;
  try {
    const binary = atob(b64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** One `x-mcp-header` declaration of a tool's input schema (M26-21). */
export interface ParamHeader {
  /** The header suffix: the value travels in `Mcp-Param-{name}`. */
  name: string;
  /** The property path under `arguments`. */
  path: readonly string[];
  type: string | undefined;
}

/** The `x-mcp-header` declarations of a tool input schema, following `properties` only. */
export function paramHeadersOf(schema: unknown): ParamHeader[] {
  const out: ParamHeader[] = [];
  const visit = (node: unknown, path: string[]): void => {
    if (!isObject(node)) return;
    const declared = node['x-mcp-header'];
    if (typeof declared === 'string' && path.length > 0) {
      out.push({ name: declared, path, type: typeof node.type === 'string' ? node.type : undefined });
    }
    const properties = node.properties;
    if (isObject(properties)) for (const [key, child] of Object.entries(properties)) visit(child, [...path, key]);
  };
  visit(schema, []);
  return out;
}

function primitiveText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export interface LadderOptions {
  /** Accepted 2026-era revisions. */
  versions: readonly string[];
  /** A request header by lowercase name. */
  header: (name: string) => string | undefined;
  /** Client capabilities a method needs (M26-24). */
  requiredCapabilities: ((method: string) => Record<string, unknown> | undefined) | undefined;
  /** A tool's input schema, for `Mcp-Param-*` validation (M26-21). */
  toolInputSchema: ((name: string) => unknown) | undefined;
}

/**
 * The validation ladder of a 2026-07-28 POST (M26-1, M26-17..M26-22, M26-24), in the SDK v2's
 * order: `MCP-Protocol-Version` equal to the body, supported version, the header present,
 * `Mcp-Method`, `Mcp-Name`, envelope fields, client capabilities, `Mcp-Param-*`. Returns the first
 * refusal, if any.
 */
export function validateModern(message: JSONRPCMessage, version: string, options: LadderOptions): Refusal | undefined {
  const isRequest = 'id' in message;
  const method = (message as { method: string }).method;
  const params = paramsOf(message);
  if (isRequest && !isObject(metaOf(params)?.[CLIENT_CAPABILITIES_META_KEY])) {
    return {
      status: 400,
      code: INVALID_PARAMS,
      message: `params._meta["${CLIENT_CAPABILITIES_META_KEY}"] is required on every 2026-07-28 request (M26-1)`,
      data: { envelope: { key: CLIENT_CAPABILITIES_META_KEY, problem: 'missing' } },
    };
  }
  const rawHeader = options.header('mcp-protocol-version');
  const header = rawHeader === undefined ? undefined : trimOws(rawHeader);
  // The SDK v2's order: a header contradicting the body first, then the version, then presence.
  if (header !== undefined && header !== version) {
    return mismatch(
      `MCP-Protocol-Version ${header} does not match the body's protocol version ${version} (M26-17)`,
      header,
    );
  }
  if (!options.versions.includes(version)) {
    return {
      status: 400,
      code: UNSUPPORTED_PROTOCOL_VERSION,
      message: `unsupported protocol version ${JSON.stringify(version)} (supported: ${options.versions.join(', ')}) (M26-18)`,
      data: { supported: [...options.versions], requested: version },
    };
  }
  if (header === undefined && isRequest) {
    return mismatch(`the MCP-Protocol-Version header is required and must equal ${version} (M26-17)`, '(missing)');
  }
  const rawMethod = options.header('mcp-method');
  const methodHeader = rawMethod === undefined ? undefined : trimOws(rawMethod);
  if (methodHeader === undefined) {
    if (isRequest) return mismatch(`the Mcp-Method header is required and must equal ${method} (M26-20)`, '(missing)');
  } else if (methodHeader !== method) {
    return mismatch(`Mcp-Method ${methodHeader} does not match the body's method ${method} (M26-20)`, methodHeader);
  }
  if (isRequest) {
    const field = Object.hasOwn(NAME_SOURCE, method) ? NAME_SOURCE[method] : undefined;
    if (field !== undefined) {
      const raw = params?.[field];
      const bodyValue = typeof raw === 'string' ? raw : undefined;
      const rawName = options.header('mcp-name');
      if (rawName === undefined) {
        if (bodyValue !== undefined) {
          return mismatch(
            `the Mcp-Name header is required for ${method} and must equal params.${field} (M26-20)`,
            '(missing)',
          );
        }
      } else {
        const nameHeader = trimOws(rawName);
        const decoded = decodeHeaderValue(nameHeader);
        if (decoded === undefined) {
          return mismatch('Mcp-Name carries an invalid =?base64?…?= value (M26-20)', nameHeader);
        }
        if (bodyValue !== undefined && decoded !== bodyValue) {
          return mismatch(
            `Mcp-Name ${JSON.stringify(decoded)} does not match params.${field} ${JSON.stringify(bodyValue)} (M26-20)`,
            nameHeader,
          );
        }
      }
    }
    const capabilities = metaOf(params)?.[CLIENT_CAPABILITIES_META_KEY] as Record<string, unknown>;
    const required = options.requiredCapabilities?.(method);
    if (required !== undefined) {
      const missing: Record<string, unknown> = {};
      for (const [name, need] of Object.entries(required)) if (!(name in capabilities)) missing[name] = need;
      if (Object.keys(missing).length > 0) {
        return {
          status: 400,
          code: MISSING_REQUIRED_CLIENT_CAPABILITY,
          message: `${method} needs client capabilities the request does not declare: ${Object.keys(missing).join(', ')} (M26-24)`,
          data: { requiredCapabilities: missing },
        };
      }
    }
    if (method === 'tools/call' && options.toolInputSchema !== undefined && typeof params?.name === 'string') {
      const refusal = checkParamHeaders(options.toolInputSchema(params.name), params.arguments, options.header);
      if (refusal !== undefined) return refusal;
    }
  }
  return undefined;
}

/** `Mcp-Param-*` against the body's `arguments` (M26-21). */
function checkParamHeaders(
  schema: unknown,
  args: unknown,
  header: (name: string) => string | undefined,
): Refusal | undefined {
  for (const declared of paramHeadersOf(schema)) {
    let value: unknown = args;
    for (const key of declared.path) value = isObject(value) ? value[key] : undefined;
    if (value === undefined || value === null) continue;
    const text = primitiveText(value);
    if (text === undefined) continue;
    const name = `mcp-param-${declared.name.toLowerCase()}`;
    const raw = header(name);
    const shown = `Mcp-Param-${declared.name}`;
    if (raw === undefined) {
      return mismatch(
        `the ${shown} header is required: arguments.${declared.path.join('.')} is set (M26-21)`,
        '(missing)',
      );
    }
    const decoded = decodeHeaderValue(trimOws(raw));
    if (decoded === undefined) return mismatch(`${shown} carries an invalid =?base64?…?= value (M26-21)`, raw);
    const numeric = typeof value === 'number' && /^-?\d+(\.\d+)?$/.test(decoded);
    if (numeric ? Number(decoded) !== value : decoded !== text) {
      return mismatch(
        `${shown} ${JSON.stringify(decoded)} does not match arguments.${declared.path.join('.')} ${JSON.stringify(value)} (M26-21)`,
        raw,
      );
    }
  }
  return undefined;
}

/** The HTTP status of an error the application answers before anything streamed (M26-19, M26-24). */
export function statusOfEarlyError(code: number, inDispatch: boolean): number {
  if (code === MISSING_REQUIRED_CLIENT_CAPABILITY) return 400;
  if (!inDispatch) return 200;
  switch (code) {
    case -32601:
      return 404;
    case -32700:
    case -32600:
    case UNSUPPORTED_PROTOCOL_VERSION:
    case HEADER_MISMATCH:
      return 400;
    default:
      return 200;
  }
}

/** The JSON-RPC error body of a refusal, echoing the request id when there is one. */
export function refusalBody(refusal: Refusal, id: unknown, tag: string): string {
  const error: Record<string, unknown> = { code: refusal.code, message: `${tag} ${refusal.message}` };
  if (refusal.data !== undefined) error.data = refusal.data;
  return JSON.stringify(id === undefined ? { jsonrpc: '2.0', error } : { jsonrpc: '2.0', id, error });
}
