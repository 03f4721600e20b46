/** What the client connects to, read from one command-line word. */
export type Target =
  | { readonly kind: 'stdio'; readonly command: string; readonly args: readonly string[] }
  | { readonly kind: 'http'; readonly url: URL }
  | { readonly kind: 'ws'; readonly url: URL }
  | { readonly kind: 'redis'; readonly url: string; readonly endpoint: string };

/** A target the client cannot read: the CLI prints it with the usage and exits with status 2. */
export class TargetError extends Error {
  override name = 'TargetError';
}

/**
 * `http(s)://…` → Streamable HTTP (legacy HTTP+SSE fallback), `ws(s)://…` → WebSocket,
 * `redis(s)://host:port#endpoint` → Redis, anything else → a command line to spawn for stdio.
 */
export function parseTarget(value: string): Target {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const [command, ...args] = splitCommand(value);
    if (command === undefined) throw new TargetError('the target is empty: give a command, a URL or a Redis endpoint');
    return { kind: 'stdio', command, args };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TargetError(`"${value}" is not a valid URL`);
  }
  switch (scheme) {
    case 'http':
    case 'https':
      return { kind: 'http', url };
    case 'ws':
    case 'wss':
      return { kind: 'ws', url };
    case 'redis':
    case 'rediss': {
      const endpoint = decodeURIComponent(url.hash.slice(1));
      if (endpoint === '') throw new TargetError(`a Redis target names its endpoint after "#", e.g. ${value}#demo`);
      url.hash = '';
      return { kind: 'redis', url: url.href, endpoint };
    }
    default:
      throw new TargetError(`unsupported scheme "${scheme}://" (use http(s)://, ws(s)://, redis(s):// or a command)`);
  }
}

/** Splits a command line on whitespace, honouring single and double quotes and backslash escapes. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < line.length) word = (word ?? '') + line.charAt(++i);
      else word = (word ?? '') + char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= '';
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line.charAt(++i);
    } else {
      word = (word ?? '') + char;
    }
  }
  if (quote !== undefined) throw new TargetError(`unterminated ${quote} quote in the command "${line}"`);
  if (word !== undefined) words.push(word);
  return words;
}
