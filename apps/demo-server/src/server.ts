import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { installLogging } from './_logging.js';
import {
  registerConformancePrompts,
  registerConformanceResources,
  registerConformanceTools,
} from './conformance-fixtures.js';
import { registerDemoTools } from './demo-tools.js';

export const DEMO_SERVER_INFO = { name: 'mcp-transports-demo', version: '0.0.0' } as const;

/**
 * A fresh MCP server with every demo tool, resource and prompt. Call it once per client session:
 * an SDK server instance serves one connection.
 */
export function createDemoServer(): McpServer {
  const server = new McpServer(DEMO_SERVER_INFO, {
    capabilities: { logging: {}, completions: {}, resources: { subscribe: true } },
    instructions:
      'Demo server of mcp-transports: echo, add, longRunningTask, logStream, largePayload, plus the fixtures of the official conformance suite.',
  });
  const logger = installLogging(server);
  registerDemoTools(server, logger);
  registerConformanceTools(server, logger);
  registerConformanceResources(server);
  registerConformancePrompts(server);
  return server;
}
