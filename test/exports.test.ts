/**
 * The public surface is deliberate: the exported names of each entry point of package.json
 * ("exports"), listed here. Adding or removing an export means changing this list on purpose.
 * Rendering lives behind its own subpath, not in the main API; the derivation is part of the main
 * API (derive, runDerivation, ...) and its whole module is also a subpath.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  ".": [
    "BACKUPS", "CHECK_DEFAULTS", "CLIFF_WALKING_ACTIONS", "CLIFF_WALKING_MAP", "CaiError", "ConvergenceError",
    "ELBO_LESSON_MODEL", "EXACT", "FEATURE_TABLE_LIMIT", "FLOAT32_ROUNDING",
    "FROZEN_LAKE_ACTIONS", "FROZEN_LAKE_MAPS", "FeatureError", "FileReadError", "HARD", "IRL_BACKUPS",
    "IRL_DEFAULTS", "InputError", "JsonSyntaxError", "KERNELS", "LBFGS_DEFAULTS", "MARGINAL_DEFAULTS",
    "MEMORY_LIMIT_BYTES", "MdpValidationError", "NATIVE_FORMAT", "NUMERIC_LIMITS", "NoFixedPointError",
    "NumpyFormatError", "NumpyValueError", "POLICY_ITERATION_DEFAULTS", "PROBABILITY_SUM_TOLERANCE",
    "ParameterError", "PriorError", "QTableError", "RULES", "Rng", "RunError", "SEQUENCE_STATE_LIMIT",
    "SOFT_Q_LEARNING_DEFAULTS", "SOLVE_DEFAULTS", "STATE_NAME_LIMIT", "TAXI_ACTIONS", "TAXI_DEPOTS",
    "TAXI_LAYOUT", "TIE_TOLERANCE", "TRAJECTORY_SOURCES", "TabularMdp", "TrajectoryGraph",
    "UnknownFormatError", "UsageError", "VARIATIONAL", "allowsInPlaceSchedules", "applyBackup",
    "backwardSchedule", "checkPriorShape", "checkQTable", "cliffWalking", "close", "conventionQ",
    "demonstrationsDocument", "derive", "deriveWith", "derivedActionScope", "derivedRowScope", "encodeNpy",
    "encodeNpyStrings", "encodeNpz", "engineSchedule", "entropyPrior", "evaluateDerived", "evaluateFinite",
    "evaluateInfinite", "exactDynamics", "exactGrowth", "exactLinearSolve", "exactQ", "expandDerived",
    "expectedReward", "expectedRewards", "familyKernel", "float32SumTolerance", "formatDerivation",
    "forwardProgram", "forwardSchedule", "frozenLake", "frozenLakeOpen", "fsum", "gaussianKl",
    "gaussianLogPdf", "gridShape", "hardPolicyIteration", "initialLogZ", "inverseRl", "irlDemonstrations",
    "irlObjective", "isNpy", "isZip", "kernelFits", "kernelRunsInPlace", "lbfgs", "learnablePairs",
    "linearGaussianElbo", "linearGaussianElboGradient", "linearGaussianEvidence", "linearGaussianLogJoint",
    "linearGaussianPosterior", "linearlySolvableMdp", "lmdpAverageCost", "lmdpFirstExit", "loadMathJs",
    "logAddExp", "logSumExp", "logWeights", "marginals", "maxAbsError", "maxSemiring", "mdpFromJson",
    "mdpFromNpz", "mdpToNpz", "numpyTable", "parseFeatures", "parseJson", "parseMdp", "parseNpy", "parseNpz",
    "parseQTable", "posteriorDynamics", "posteriorInitial", "preview", "randomMdp", "reachableFromStart",
    "readMdpFile", "readSource", "recordToNpz", "reparameterisedElboGradient", "resolveOptions",
    "resolveProblem", "runDerivation", "safeLog", "sampleTrajectories", "sequenceMdp", "sliceProgram",
    "softPolicyIteration", "softQLearning", "solve", "stateActionFeatures", "stateFeatures",
    "stateOnlyRewards", "statesThatNeverEnd", "stronglyConnected", "summarizeMdp", "tableFeatures",
    "tablePrior", "taxi", "taxiDecode", "taxiEncode", "temperedSemiring", "trappedStates", "uniformPrior",
    "validateDistribution", "validateMdpArrays", "validatePriorRows", "variationalDynamics", "withReward",
    "writeMdp", "writeMdpChunks",
  ],
  "./models": [
    "DEMONSTRATION", "MAXENT", "MODELS", "MODEL_NAMES", "RLHF", "banditClosedForm", "banditModel",
    "checkCounts", "countPairs", "countTrajectories", "demonstrationPrior", "describeRestriction",
    "discountedSteps", "entropyOffset", "entropyOffsetHolds", "greedyOnSupport", "hardGapBound",
    "implicitReward", "maxentPrior", "parseDemonstrations", "referencePrior", "sequenceClosedForm",
    "sequenceLogProbabilities", "sequenceProbabilities", "tokenModel",
  ],
  "./render": [
    "ARROW_MIN_PROB", "COLOUR_TABLE", "MAX_BAR_STATES", "REPORT_TABLE_STATES", "UNREACHABLE_FILL",
    "actionDirection", "alphaPanels", "arrowLength", "backupPanels", "drawableGrid", "escapeXml",
    "formatValue", "gridOfPanels", "reachableStates", "renderGraphSvg", "renderReport", "renderValuesSvg",
    "reportRuns", "ruleDerivation", "runFacts", "settingsText", "solvePanel", "valueScale", "viridis",
  ],
  "./derive": [
    "DERIVE_FORMATS", "GENERIC_SLICE", "PI0_NOTATION", "SYMBOLIC_DYNAMICS", "SYMBOLIC_PRIOR", "actionScope",
    "checkDeriveOptions", "derive", "deriveWith", "evaluateAt", "expand", "formatDerivation", "formatLatex",
    "formatText", "loadMathJs", "modelSection", "nextValueThroughQ", "rowEntries", "rowScope",
    "runDerivation", "showTex", "showText", "sliceLabels", "symbolicInitial", "symbolicKit",
  ],
};

/** The source module of each entry point (the tests run on the sources, the package on dist/). */
const SOURCE: Readonly<Record<string, string>> = {
  ".": "../src/index.js",
  "./models": "../models/index.js",
  "./render": "../src/render/index.js",
  "./derive": "../src/derive/index.js",
};

describe("the exported names of each entry point", () => {
  it("package.json lists exactly these entry points, each with types and an ESM import", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as { exports: Record<string, { types: string; import: string }> };
    expect(Object.keys(pkg.exports)).toEqual(Object.keys(EXPECTED));
    for (const [k, e] of Object.entries(pkg.exports)) {
      expect(e.import.endsWith(".js") && e.types.endsWith(".d.ts")).toBe(true);
      expect(e.import.replace(/^\.\/dist\//, "../")).toBe(SOURCE[k]);
    }
  });

  for (const entry of Object.keys(EXPECTED)) {
    it(`${entry} exports exactly its listed names`, async () => {
      const mod = (await import(SOURCE[entry]!)) as Record<string, unknown>;
      expect(Object.keys(mod).sort()).toEqual([...EXPECTED[entry]!]);
    });
  }

  it("the main API does not re-export the rendering helpers", () => {
    const main = new Set(EXPECTED["."]);
    for (const name of EXPECTED["./render"]!) expect(main.has(name), name).toBe(false);
  });
});
