/**
 * The demo client CLI as a function (the bin in cli.ts only adds `process.exit`), so it can be tested
 * in-process.
 */
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { connect } from './connect.js';
import { parseTarget, TargetError } from './target.js';

export const USAGE = `Usage: mcp-demo-client <target> [list | call <tool> [json-args]]

  <target>   "node server.js --stdio"        a command: spawned, spoken to over stdio
             http://127.0.0.1:3000/mcp       Streamable HTTP (falls back to legacy HTTP+SSE)
             ws://127.0.0.1:3001/mcp         WebSocket
             redis://127.0.0.1:6379#demo     MCP over Redis, endpoint after "#"
  list       list the server's tools (the default)
  call       call a tool with a JSON object of arguments, print its result

Exit status: 0 ok, 1 connection trouble or a tool error, 2 usage error or unavailable medium.`;

export interface ClientCliOptions {
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
}

type Command = { name: 'list' } | { name: 'call'; tool: string; args: Record<string, unknown> };

class UsageError extends Error {}

function parseCommand(words: readonly string[]): Command {
  const [name = 'list', ...rest] = words;
  if (name === 'list' && rest.length === 0) return { name };
  if (name === 'call' && rest.length >= 1 && rest.length <= 2) {
    let args: unknown = {};
    if (rest[1] !== undefined) {
      try {
        args = JSON.parse(rest[1]);
      } catch {
        throw new UsageError(`the arguments of "call" must be JSON, got ${rest[1]}`);
      }
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      throw new UsageError('the arguments of "call" must be a JSON object, e.g. \'{"text":"hi"}\'');
    }
    return { name, tool: rest[0]!, args: args as Record<string, unknown> };
  }
  throw new UsageError(`unknown command: ${words.join(' ')}`);
}

export async function runClientCli(argv: readonly string[], options: ClientCliOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const fail = (message: string): void => void stderr.write(`[demo-client] ${message}\n`);
  if (argv[0] === '--help' || argv[0] === '-h') {
    stdout.write(`${USAGE}\n`);
    return 0;
  }
  let target;
  let command;
  try {
    if (argv[0] === undefined) throw new UsageError('missing target');
    target = parseTarget(argv[0]);
    command = parseCommand(argv.slice(1));
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof TargetError)) throw error;
    fail(error.message);
    stderr.write(`\n${USAGE}\n`);
    return 2;
  }

  let connection;
  try {
    connection = await connect(target);
  } catch (error) {
    fail(`could not connect: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    if (command.name === 'list') {
      const { tools } = await connection.client.listTools();
      for (const tool of tools) stdout.write(`${tool.name}${tool.description ? ` — ${tool.description}` : ''}\n`);
      return 0;
    }
    const result = CallToolResultSchema.parse(
      await connection.client.callTool({ name: command.tool, arguments: command.args }),
    );
    for (const item of result.content) stdout.write(`${item.type === 'text' ? item.text : JSON.stringify(item)}\n`);
    if (result.structuredContent !== undefined) stdout.write(`${JSON.stringify(result.structuredContent)}\n`);
    if (result.isError === true) {
      fail(`tool "${command.tool}" returned an error`);
      return 1;
    }
    return 0;
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await connection.close();
  }
}
