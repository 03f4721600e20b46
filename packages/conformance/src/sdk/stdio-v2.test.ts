// SDK v2 StdioClientTransport spawning a real process that runs SDK v2 StdioServerTransport.
import { describeSdkPair } from './_expected.js';

describeSdkPair('sdk-v2-stdio');
