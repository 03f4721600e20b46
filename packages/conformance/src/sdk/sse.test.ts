// SDK v1 legacy HTTP+SSE client and server on a loopback port; deviations are in expected-failures/.
import { describeSdkPair } from './_expected.js';

describeSdkPair('sdk-v1-sse');
