// The official SDK's in-memory transports through layer 1; deviations are in expected-failures/.
import { describeSdkPair } from './_expected.js';

describeSdkPair('sdk-v1-in-memory');
describeSdkPair('sdk-v2-in-memory');
