import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SetLevelRequestSchema, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';

const LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/** Sends a log notification that belongs to one request (so HTTP carries it on that request's stream). */
export type RequestLogger = (level: LoggingLevel, data: unknown) => Promise<void>;

export interface NotificationSender {
  sendNotification: (notification: {
    method: 'notifications/message';
    params: { level: LoggingLevel; data: unknown; logger?: string };
  }) => Promise<void>;
}

/**
 * Tracks the level a client set with `logging/setLevel` (one server per session, so this is the
 * session's level) and drops messages below it, as the spec asks.
 */
export function installLogging(server: McpServer): (extra: NotificationSender) => RequestLogger {
  let minimum: LoggingLevel = 'debug';
  server.server.setRequestHandler(SetLevelRequestSchema, (request) => {
    minimum = request.params.level;
    return {};
  });
  return (extra) => async (level, data) => {
    if (LEVELS.indexOf(level) < LEVELS.indexOf(minimum)) return;
    await extra.sendNotification({ method: 'notifications/message', params: { level, logger: 'demo-server', data } });
  };
}
