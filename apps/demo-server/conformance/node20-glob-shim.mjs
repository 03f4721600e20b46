// `node:fs` plus Node 22's `globSync` (paths relative to `cwd`, like Node's), for Node 20.
import fs from 'node:fs';
import { URL } from 'node:url';
import { globSync as tinyGlobSync } from 'tinyglobby';

export * from 'node:fs';
export default fs;

/**
 * @param {string | string[]} pattern
 * @param {{ cwd?: string | URL, exclude?: unknown }} [options]
 * @returns {string[]}
 */
export function globSync(pattern, options = {}) {
  const cwd = options.cwd instanceof URL ? options.cwd.pathname : options.cwd;
  return tinyGlobSync(pattern, { cwd, onlyFiles: false, dot: true, expandDirectories: false });
}
