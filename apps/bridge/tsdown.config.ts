import { appConfig } from '../../tsdown.apps.js';

// The bridge takes only argument parsers and CLI helpers from the demo apps; their modules have no
// side effects, so saying so keeps the SDK and zod out of the bundle.
export default appConfig({
  treeshake: { moduleSideEffects: (id: string) => !/[\\/]apps[\\/]demo-(client|server)[\\/]/.test(id) },
});
