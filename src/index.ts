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
  FeatureError,
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
export { preview } from "./preview.js";
export { NUMERIC_LIMITS, MEMORY_LIMIT_BYTES } from "./limits.js";
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
export { parseMdp, mdpFromJson, writeMdp, writeMdpChunks, parseJson, NATIVE_FORMAT, type MdpFormat } from "./mdp/formats.js";
export { readMdpFile, readSource, type ReadMdpOptions } from "./mdp/read-source.js";
export { parseNpy, encodeNpy, encodeNpyStrings, isNpy, NumpyFormatError, type NpyArray, type NpyKind, type NpyWriteType } from "./mdp/npy.js";
export { parseNpz, encodeNpz, isZip } from "./mdp/npz.js";
export {
  mdpFromNpz,
  mdpToNpz,
  numpyTable,
  recordToNpz,
  float32SumTolerance,
  NumpyValueError,
  FLOAT32_ROUNDING,
  type NumpyMdpLayout,
  type NumpyRead,
} from "./mdp/numpy-mdp.js";
export { summarizeMdp, type MdpSummary } from "./mdp/summary.js";
export {
  TrajectoryGraph,
  type GraphSpec,
  type GraphJson,
  type VariableKind,
  type FactorKind,
  type InterfaceName,
  type VariableAttributes,
  type FactorAttributes,
  type NodeAttributes,
  type EdgeAttributes,
  type GraphAttributes,
} from "./graph/trajectory-graph.js";
export { backwardSchedule, sliceProgram, type Schedule, type ScheduleStep } from "./inference/schedule.js";
export {
  uniformPrior,
  entropyPrior,
  tablePrior,
  validatePriorRows,
  checkPriorShape,
  logWeights,
  type ActionPrior,
} from "./inference/prior.js";
export {
  RULES,
  BACKUPS,
  KERNELS,
  kernelFits,
  familyKernel,
  kernelRunsInPlace,
  allowsInPlaceSchedules,
  EXACT,
  VARIATIONAL,
  HARD,
  exactDynamics,
  variationalDynamics,
  temperedSemiring,
  maxSemiring,
  type Backup,
  type RuleFamily,
  type RuleCapabilities,
  type KernelId,
  type ActionSemiring,
  type SemiringKind,
  type AffineForm,
  type DynamicsRule,
} from "./inference/rules/index.js";
export { TIE_TOLERANCE } from "./inference/rules/actions.js";
export {
  solve,
  applyBackup,
  resolveOptions,
  engineSchedule,
  initialLogZ,
  SOLVE_DEFAULTS,
  type SolveOptions,
  type SolveResult,
  type StopReason,
} from "./inference/solve.js";
export { evaluateFinite, evaluateInfinite } from "./inference/evaluate.js";
export {
  marginals,
  MARGINAL_DEFAULTS,
  TRAJECTORY_SOURCES,
  type Marginals,
  type MarginalOptions,
  type TrajectorySource,
} from "./inference/forward.js";
export { forwardSchedule, forwardProgram } from "./inference/forward-schedule.js";
export {
  sampleTrajectories,
  demonstrationsDocument,
  type SampleOptions,
  type SampledEpisode,
  type Samples,
  type EpisodeEnd,
} from "./inference/sample.js";
export { posteriorDynamics, posteriorInitial, type PosteriorDynamics } from "./inference/posterior.js";
export { trappedStates, statesThatNeverEnd, reachableFromStart, stronglyConnected } from "./mdp/reachability.js";
export { expectedReward, expectedRewards } from "./mdp/rewards.js";
export { Rng } from "./numeric/random.js";
export {
  frozenLake,
  frozenLakeOpen,
  cliffWalking,
  taxi,
  taxiEncode,
  taxiDecode,
  randomMdp,
  gridShape,
  FROZEN_LAKE_MAPS,
  FROZEN_LAKE_ACTIONS,
  CLIFF_WALKING_ACTIONS,
  CLIFF_WALKING_MAP,
  TAXI_ACTIONS,
  TAXI_LAYOUT,
  TAXI_DEPOTS,
  STATE_NAME_LIMIT,
  type FrozenLakeOptions,
  type FrozenLakeOpenOptions,
  type FrozenLakeMapName,
  type CliffWalkingOptions,
  type TaxiState,
  type RandomMdpOptions,
  type GridShape,
  type CellKind,
} from "./mdp/environments/index.js";
export { sequenceMdp, SEQUENCE_STATE_LIMIT, type SequenceMdp, type SequenceMdpSpec, type CompleteSequence } from "./mdp/sequences.js";
export {
  derive,
  deriveWith,
  formatDerivation,
  runDerivation,
  expand as expandDerived,
  evaluateAt as evaluateDerived,
  rowScope as derivedRowScope,
  actionScope as derivedActionScope,
  loadMathJs,
  type Derivation,
  type DerivationStep,
  type DeriveOptions,
  type DeriveFormat,
  type DerivedEquation,
  type DerivedRun,
  type ModelSection,
  type SymbolicContext,
  type SymbolicKit,
  type SymbolicModel,
  type PriorNotation,
  type MathJs,
  type Expr,
  type RuleOutput,
} from "./derive/index.js";
export {
  gaussianLogPdf,
  gaussianKl,
  linearGaussianEvidence,
  linearGaussianPosterior,
  linearGaussianLogJoint,
  linearGaussianElbo,
  linearGaussianElboGradient,
  reparameterisedElboGradient,
  ELBO_LESSON_MODEL,
  type Gaussian1D,
  type LinearGaussianModel,
  type ElboGradient,
  type ElboGradientEstimate,
} from "./numeric/gaussian.js";
export { resolveProblem, type SolverProblem, type ResolvedProblem } from "./solvers/common.js";
export {
  softPolicyIteration,
  hardPolicyIteration,
  POLICY_ITERATION_DEFAULTS,
  type PolicyIterationOptions,
  type PolicyIterationResult,
} from "./solvers/policy-iteration.js";
export { exactLinearSolve, exactGrowth, exactQ, type ExactLinearResult, type ExactGrowth } from "./solvers/exact-linear.js";
export {
  linearlySolvableMdp,
  lmdpFirstExit,
  lmdpAverageCost,
  type LinearlySolvableSpec,
  type LmdpSolution,
  type LmdpAverage,
} from "./solvers/lmdp.js";
export {
  softQLearning,
  learnablePairs,
  maxAbsError,
  SOFT_Q_LEARNING_DEFAULTS,
  type Behaviour,
  type SoftQLearningOptions,
  type SoftQLearningResult,
  type CurvePoint,
} from "./learning/soft-q-learning.js";
export { conventionQ, type DiscountPlacement, type ConventionOptions, type ConventionResult } from "./diagnostics/conventions.js";
export { parseQTable, QTableError } from "./diagnostics/q-table.js";
export {
  checkQTable,
  stateOnlyRewards,
  CHECK_DEFAULTS,
  type CheckOptions,
  type CheckReport,
  type ConventionCheck,
  type QDifference,
} from "./diagnostics/check.js";
export {
  inverseRl,
  irlObjective,
  withReward,
  IRL_DEFAULTS,
  IRL_BACKUPS,
  type IrlBackup,
  type IrlOptions,
  type IrlResult,
  type IrlCurvePoint,
  type IrlEvaluation,
} from "./learning/irl.js";
export { stateFeatures, stateActionFeatures, tableFeatures, parseFeatures, FEATURE_TABLE_LIMIT, type FeatureMap, type FeatureKind } from "./learning/features.js";
export { irlDemonstrations, type IrlDemonstrations } from "./learning/demonstrations.js";
export { lbfgs, LBFGS_DEFAULTS, type LbfgsOptions, type LbfgsResult, type LbfgsStop, type ValueAndGradient } from "./learning/lbfgs.js";
/** The sweep schedules of `solve` on an infinite horizon (`schedule` option). */
export type { SweepSchedule } from "./inference/kernels/sweeper.js";
