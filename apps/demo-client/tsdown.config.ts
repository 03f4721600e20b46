import { appConfig } from '../tsdown.app.js';

export default appConfig();
