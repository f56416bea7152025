/**
 * The named error hierarchy. Every error the engine throws on purpose is a {@link CaiError} with a
 * stable `code`; input problems carry the place (field, state, action, entry) as data so that the
 * CLI can print one line per problem and a program can act on them.
 *
 * Exit statuses used by the CLI: {@link InputError} and its subclasses -> 2 (bad input or usage),
 * {@link RunError} and its subclasses -> 1 (a run that failed, e.g. no convergence under --strict).
 */

/** Where a problem sits. Fields that do not apply are absent. */
export interface ProblemPlace {
  /** A path into the input document, e.g. `P[3][1][0][0]` or `initial[2]` or `--alpha`. */
  readonly path?: string;
  readonly state?: number;
  readonly action?: number;
  /** Index of the transition entry inside the (state, action) list. */
  readonly entry?: number;
}

/** One input problem: a stable code, the place, and a message that reads on its own. */
export interface Problem extends ProblemPlace {
  readonly code: string;
  readonly message: string;
}

/** Base class of every error this package throws on purpose. */
export class CaiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input: a file, a parameter or a table. Carries one or more {@link Problem}s. */
export class InputError extends CaiError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[], summary?: string) {
    if (problems.length === 0) throw new Error("InputError needs at least one problem");
    const first = problems[0]!;
    super(
      first.code,
      summary ??
        (problems.length === 1
          ? first.message
          : `${first.message} (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})`),
    );
    this.problems = problems;
  }
}

/** An MDP table that breaks a rule (probabilities, indices, rewards, shapes). */
export class MdpValidationError extends InputError {}

/** A numeric parameter out of its domain (alpha, gamma, horizon, tolerance, ...). */
export class ParameterError extends InputError {
  /** The option (library: its API name, e.g. `maxIter`; CLI: its flag, e.g. `--max-iter`). */
  readonly parameter: string;
  /** The message without the parameter's name in front. */
  readonly detail: string;
  constructor(parameter: string, message: string) {
    super([{ code: "bad-parameter", path: parameter, message: `${parameter}: ${message}` }]);
    this.parameter = parameter;
    this.detail = message;
  }
}

/** A prior table (pi0, reference policy, demonstrations) of the wrong shape or not normalised. */
export class PriorError extends InputError {}

/** A reward-feature table for inverse RL that breaks a rule (shape, non-finite entries). */
export class FeatureError extends InputError {}

/** Text that is not valid JSON; `line` and `column` are 1-based. */
export class JsonSyntaxError extends InputError {
  readonly line: number;
  readonly column: number;
  constructor(source: string, detail: string, line: number, column: number) {
    super([{ code: "malformed-json", path: source, message: `${source}: malformed JSON at line ${line}, column ${column}: ${detail}` }]);
    this.line = line;
    this.column = column;
  }
}

/** A document that is valid JSON but in no format this package reads. */
export class UnknownFormatError extends InputError {
  constructor(source: string, detail: string) {
    super([{ code: "unknown-format", path: source, message: `${source}: unknown MDP file format: ${detail}` }]);
  }
}

/** A file that cannot be read. */
export class FileReadError extends InputError {
  constructor(source: string, detail: string) {
    super([{ code: "unreadable-file", path: source, message: `${source}: cannot read: ${detail}` }]);
  }
}

/** Command-line usage: unknown flag, missing argument. */
export class UsageError extends InputError {
  constructor(message: string) {
    super([{ code: "usage", message }]);
  }
}

/** A run that did not produce a trustworthy answer. */
export class RunError extends CaiError {}

/** An iteration stopped at its cap before reaching its tolerance (only thrown with `strict`). */
export class ConvergenceError extends RunError {
  readonly iterations: number;
  readonly residual: number;
  constructor(iterations: number, residual: number, tol: number) {
    super(
      "not-converged",
      `did not converge: residual ${residual.toExponential(3)} after ${iterations} iterations (tolerance ${tol.toExponential(1)})`,
    );
    this.iterations = iterations;
    this.residual = residual;
  }
}

/**
 * Exact message passing on an infinite horizon whose operator has no fixed point: the values grow
 * by `growthPerStep` (= alpha log rho, reward units) every sweep.
 */
export class NoFixedPointError extends RunError {
  readonly growthPerStep: number;
  readonly spectralRadius: number;
  /** log rho, when known (rho itself may overflow: exp(1e6)). */
  readonly logSpectralRadius: number;
  /**
   * Proven bounds on rho and on the growth per step (alpha log rho). They equal the values above when
   * rho is known to rounding; when the growth test's power iteration stopped on its budget first,
   * the values above are the middle of the bounds (in log rho).
   */
  readonly spectralRadiusLower: number;
  readonly spectralRadiusUpper: number;
  readonly growthPerStepLower: number;
  readonly growthPerStepUpper: number;
  /** The finding without the advice (the CLI gives its own, in flags). */
  readonly finding: string;
  constructor(
    growthPerStep: number,
    spectralRadius: number,
    logSpectralRadius = Math.log(spectralRadius),
    bounds?: { readonly logLower: number; readonly logUpper: number; readonly alpha: number; readonly steps: number },
  ) {
    const lower = bounds ? Math.exp(bounds.logLower) : spectralRadius;
    const upper = bounds ? Math.exp(bounds.logUpper) : spectralRadius;
    const gLower = bounds ? bounds.alpha * bounds.logLower : growthPerStep;
    const gUpper = bounds ? bounds.alpha * bounds.logUpper : growthPerStep;
    const lowText = bounds ? describeRadius(lower, bounds.logLower) : "";
    const highText = bounds ? describeRadius(upper, bounds.logUpper) : "";
    const gLowText = significant(gLower);
    const gHighText = significant(gUpper);
    const finding = !bounds
      ? `exact message passing has no fixed point: the linear operator on z = exp(V/alpha) has spectral radius ` +
        `${describeRadius(spectralRadius, logSpectralRadius)} >= 1, so V grows by ${significant(growthPerStep)} per step (alpha * log rho).`
      : lowText === highText && gLowText === gHighText
        ? `exact message passing has no fixed point: the linear operator on z = exp(V/alpha) has spectral radius ` +
          `${lowText} >= 1 (proven to the digits shown: the power iteration for its value stopped after ${bounds.steps} steps), so V grows by ${gLowText} per step (alpha * log rho).`
        : `exact message passing has no fixed point: the linear operator on z = exp(V/alpha) has spectral radius ` +
          `between ${lowText} and ${highText} >= 1 (proven bounds: the power iteration for its value stopped after ${bounds.steps} steps), ` +
          `so V grows by ${gLowText} to ${gHighText} per step (alpha * log rho).`;
    super("no-fixed-point", `${finding} Use backup "variational", a finite horizon, or a smaller gamma.`);
    this.finding = finding;
    this.growthPerStep = growthPerStep;
    this.spectralRadius = spectralRadius;
    this.logSpectralRadius = logSpectralRadius;
    this.spectralRadiusLower = lower;
    this.spectralRadiusUpper = upper;
    this.growthPerStepLower = gLower;
    this.growthPerStepUpper = gUpper;
  }
}

/** A number to 6 significant digits, small ones in exponent form (never "0.00000" for 1e-11). */
function significant(x: number): string {
  return x !== 0 && Math.abs(x) < 1e-4 ? x.toExponential(5) : x.toPrecision(6);
}

/** rho for a message: "1 + 1.00000e-11" near 1, "exp(800.000)" beyond float64, else 6 digits. */
function describeRadius(rho: number, logRho: number): string {
  if (!Number.isFinite(rho) && Number.isFinite(logRho)) return `exp(${significant(logRho)})`;
  if (Number.isFinite(logRho) && Math.abs(logRho) < 1e-4) return `1 + ${Math.expm1(logRho).toExponential(5)}`;
  return significant(rho);
}
