export type {
  CheckResult,
  CheckStatus,
  ExpectedFailure,
  ResolvedCapabilities,
  TransportCapabilities,
  TransportPair,
  TransportPairFactory,
} from './types.js';
export { isUnexpected, resolveCapabilities } from './types.js';
export type { ContractCheck, ContractContext } from './contract.js';
export { CONTRACT_CHECKS, messageOfSize, TRICKY_IDS, TRICKY_TEXT } from './contract.js';
export type { RawOutcome, RunOptions } from './runner.js';
export { classify, runConformance, runContractCheck } from './runner.js';
