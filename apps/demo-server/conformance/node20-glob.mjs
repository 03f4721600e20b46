// Lets the official conformance suite (which imports `globSync` from `node:fs`, new in Node 22) run
// on Node 20 without asking anyone to change their Node: `node --import ./node20-glob.mjs …`.
//
// A builtin's named exports are fixed when it loads, so assigning `fs.globSync` is not enough for an
// `import { globSync } from 'fs'`. Instead a resolve hook sends every `fs` / `node:fs` import to a
// shim that re-exports the real module plus a `globSync` built on tinyglobby. On Node >= 22 this
// file does nothing.
import fs from 'node:fs';
import { register } from 'node:module';

if (typeof fs.globSync !== 'function') {
  register('./node20-glob-hooks.mjs', import.meta.url);
}
