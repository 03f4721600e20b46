// SDK v2 Streamable HTTP: the client, and the web-standard server behind node:http (src/fixtures/web-adapter.ts);
// deviations are in expected-failures/.
import { describeSdkPair } from './_expected.js';

describeSdkPair('sdk-v2-streamable-http');
