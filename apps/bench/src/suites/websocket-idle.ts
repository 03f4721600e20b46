/** Child process of the websocket suite: `websocket-idle.ts <contender> <n>` prints `{ heap, rss }` per idle connection. */
import { measureIdle, type Names } from './websocket.js';

const [name, n] = process.argv.slice(2) as [Names, string];
console.log(JSON.stringify(await measureIdle(name, Number(n))));
// The contender's sockets keep the loop alive; the parent kills this process.
