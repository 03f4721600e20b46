/**
 * `pnpm --filter @mcp-transports/playground dev`: the page on Vite's dev server and the demo server
 * it talks to, on free loopback ports. The demo server allows exactly the page's origin
 * (`--allow-origin`), and the page's default URLs point at it. Ctrl-C stops both.
 */
import { startServer, type RunningServer } from '@mcp-transports/demo-server/spawn';
import { createServer, type Plugin } from 'vite';

const root = new URL('..', import.meta.url);
const endpoints = { http: '', ws: '' };

/** Fills the page's default-endpoint meta tags with the demo server started here. */
const demoEndpoints: Plugin = {
  name: 'playground-demo-endpoints',
  transformIndexHtml: (html) =>
    html
      .replace(/(name="mcp-http-url" content=")[^"]*/, (_, head: string) => head + endpoints.http)
      .replace(/(name="mcp-ws-url" content=")[^"]*/, (_, head: string) => head + endpoints.ws),
};

const vite = await createServer({ root: root.pathname, plugins: [demoEndpoints] });
await vite.listen();
const pageUrl = vite.resolvedUrls?.local[0];
if (pageUrl === undefined) throw new Error('[playground] Vite did not report its URL');

let demo: RunningServer | undefined;
try {
  demo = await startServer(['--http', '127.0.0.1:0', '--ws', '127.0.0.1:0', '--allow-origin', new URL(pageUrl).origin]);
} catch (error) {
  await vite.close();
  throw error;
}
endpoints.http = demo.endpoints.get('streamable-http') ?? '';
endpoints.ws = demo.endpoints.get('ws') ?? '';
// Later demo-server lines (errors, shutdown) belong on this terminal too.
demo.child.stderr?.on('data', (chunk: string) => process.stderr.write(chunk));

process.stderr.write(
  `\n  demo server  ${endpoints.http}  ${endpoints.ws}\n  playground   ${pageUrl}\n\n  Ctrl-C stops both.\n`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([demo.stop(), vite.close()]).then(() => process.exit(0));
  });
}
