/**
 * control-as-inference: the one public door. Everything a model, an example or a user program
 * needs is exported here by name; modules not listed are internal.
 */
export {
  CaiError,
  InputError,
  MdpValidationError,
  ParameterError,
  PriorError,
  JsonSyntaxError,
  UnknownFormatError,
  FileReadError,
  UsageError,
  RunError,
  ConvergenceError,
  NoFixedPointError,
  type Problem,
  type ProblemPlace,
} from "./errors.js";
export { logAddExp, logSumExp, safeLog, close, fsum } from "./numeric/logspace.js";
export {
  TabularMdp,
  validateMdpArrays,
  validateDistribution,
  PROBABILITY_SUM_TOLERANCE,
  type MdpArrays,
  type MdpLabels,
  type TransitionEntry,
} from "./mdp/tabular.js";
export { readMdpFile, parseMdp, mdpFromJson, writeMdp, parseJson, readSource, NATIVE_FORMAT, type MdpFormat } from "./mdp/formats.js";
export { summarizeMdp, type MdpSummary } from "./mdp/summary.js";
