// SDK v2's legacy SSE client; v2 has no SSE server, so its peer is v1's SSEServerTransport. In CI: the
// client-side checks (lifecycle and ids); the full run is recorded in the README matrix.
import { describeSdkPair } from './_expected.js';

describeSdkPair('sdk-v2-sse');
