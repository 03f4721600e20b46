/**
 * Child process of the websocket suite.
 * `websocket-idle.ts <contender> <n>` prints `{ heap, rss }` per idle connection (both ends here);
 * `websocket-idle.ts server <raw|ours> <n>` prints them for a server alone, its `n` clients in
 * another process.
 */
import { measureIdle, measureServerIdle, type Names } from './websocket.js';

const [name, ...rest] = process.argv.slice(2);
if (name === 'server') {
  const [kind, n] = rest as ['raw' | 'ours', string];
  console.log(JSON.stringify(await measureServerIdle(kind, Number(n))));
} else {
  console.log(JSON.stringify(await measureIdle(name as Names, Number(rest[0]))));
}
// The contender's sockets keep the loop alive; the parent kills this process.
