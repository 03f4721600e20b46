// SDK v1 StdioClientTransport spawning a real process that runs SDK v1 StdioServerTransport.
import { describeSdkPair } from './_expected.js';

describeSdkPair('sdk-v1-stdio');
