// Module hooks for node20-glob.mjs: `fs` and `node:fs` resolve to node20-glob-shim.mjs, except from
// the shim itself (which needs the real module).
import { URL } from 'node:url';

const shim = new URL('./node20-glob-shim.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if ((specifier === 'fs' || specifier === 'node:fs') && context.parentURL !== shim) {
    return { url: shim, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
