import { appConfig } from '../../tsdown.apps.js';

export default appConfig();
