/* global process, URL, setInterval */
// Opens N idle WebSocket connections (argv: url, n) from its own process, so the server under test
// keeps its file descriptors to itself. Each is a bare TCP socket that sends a real upgrade request
// and waits for the 101 (a full client per connection would make the client, not the server under
// test, the bottleneck). Prints "open <n>" once all are open, then idles until killed; the server
// answers pings from nobody, so keep its heartbeat longer than the test.
import { connect } from 'node:net';

const [url, nText] = process.argv.slice(2);
const { hostname, port, pathname } = new URL(url);
const n = Number(nText);
const BATCH = 500;
const request =
  `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mcp\r\n\r\n`;
const sockets = [];
function open() {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    socket.once('data', (data) => {
      if (data.toString('latin1').startsWith('HTTP/1.1 101')) resolve(socket);
      else reject(new Error(`upgrade refused: ${data.toString('latin1').split('\r\n')[0]}`));
    });
    socket.once('error', reject);
  });
}
for (let i = 0; i < n; i += BATCH) {
  sockets.push(...(await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, open))));
}
process.stdout.write(`open ${sockets.length}\n`);
setInterval(() => undefined, 60_000);
