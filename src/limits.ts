/**
 * The supported numeric ranges and resource limits of the engine, stated and checked once.
 *
 * Every command and the API go through {@link checkTemperature} and {@link checkValueScale} (from
 * the option resolution of `solve`), so that a run either returns finite numbers correct to its
 * tolerance or fails up front with a message that names the limit in words and quotes the user's
 * own values (never a derived Infinity).
 *
 * - alpha in [1e-300, 1e300]: below, 1/alpha overflows; above, r/alpha underflows to subnormals.
 * - The value scale S = (max |r| + alpha log m for the entropy form) x T, with T the number of steps
 *   that can add up (the horizon H; 1/(1 - gamma); or the sweep cap + 1 when gamma = 1 without a
 *   horizon), bounds |V| and |Q|: S <= 1e300.
 * - S / alpha <= 1e300: the messages of the sum-product and soft backups are exp(S / alpha) in log
 *   space, and their exponents must stay finite (r/alpha overflows beyond it). The hard backup needs
 *   no alpha; it then reports no log Z and no ELBO, and says why.
 * - Memory: arrays of size H x n x m and graphs of H slices are estimated before they are allocated
 *   and refused beyond {@link MEMORY_LIMIT_BYTES}.
 *
 * No `node:` import: this module is part of the engine core.
 */
import { InputError, ParameterError } from "./errors.js";
import type { MdpArrays } from "./mdp/tabular.js";

/** The supported ranges, stated once (README and `--help` quote these numbers). */
export const NUMERIC_LIMITS = {
  /** Smallest temperature: 1/alpha stays finite. */
  alphaMin: 1e-300,
  /** Largest temperature: r/alpha stays a normal number for rewards of order 1. */
  alphaMax: 1e300,
  /** Largest value scale (max |r| + entropy bonus) x steps, and largest value scale / alpha. */
  scaleMax: 1e300,
} as const;

/** Memory the engine allocates for one run's time-indexed arrays (or one graph) at most: 2 GiB. */
export const MEMORY_LIMIT_BYTES = 2 * 1024 ** 3;

/** A number for a message: the user's own value as JavaScript prints it (never rounded away). */
function show(x: number): string {
  return String(x);
}

/** 10^e as text for a decimal exponent that may lie beyond float64 ("1e+400"), from log10 values. */
function powerOfTen(log10: number): string {
  if (log10 < 300 && log10 > -300) return Number(`1e${Math.round(log10 * 10) / 10}`).toPrecision(2);
  return `1e${log10 >= 0 ? "+" : ""}${Math.round(log10)}`;
}

/**
 * alpha must be a finite number in [1e-300, 1e300].
 * @param name - how the caller calls it ("alpha", "--alpha", "--beta").
 * @param text - the value as the user wrote it, quoted in the message (defaults to the number).
 */
export function checkTemperature(alpha: unknown, name = "alpha", text?: string): number {
  const quoted = text ?? (typeof alpha === "number" ? show(alpha) : typeof alpha === "string" ? JSON.stringify(alpha.slice(0, 40)) : typeof alpha);
  if (typeof alpha !== "number" || Number.isNaN(alpha)) throw new ParameterError(name, `must be a number > 0, got ${quoted}`);
  if (alpha <= 0) throw new ParameterError(name, `${quoted} must be greater than 0 (the hard backup is the alpha -> 0 limit: backup: "hard")`);
  if (alpha < NUMERIC_LIMITS.alphaMin) {
    throw new ParameterError(name, `${quoted} is below 1e-300, where 1/alpha and r/alpha overflow; use the hard backup (backup: "hard"), the alpha -> 0 limit`);
  }
  if (!(alpha <= NUMERIC_LIMITS.alphaMax)) {
    throw new ParameterError(name, `${quoted} is above 1e300, where r/alpha underflows; the policy there is the prior's (alpha -> infinity): use alpha <= 1e300`);
  }
  return alpha;
}

/** alpha within [1e-300, 1e300]. */
export function inTemperatureRange(alpha: number): boolean {
  return alpha >= NUMERIC_LIMITS.alphaMin && alpha <= NUMERIC_LIMITS.alphaMax;
}

/** A temperature for the hard backup, whose values need none: any finite number > 0. */
export function checkPositive(alpha: unknown, name = "alpha", text?: string): number {
  const quoted = text ?? (typeof alpha === "number" ? show(alpha) : typeof alpha);
  if (typeof alpha !== "number" || !Number.isFinite(alpha)) throw new ParameterError(name, `must be a finite number > 0, got ${quoted}`);
  if (alpha <= 0) throw new ParameterError(name, `${quoted} must be greater than 0`);
  return alpha;
}

/**
 * The exact backup's exp-space kernel holds exp(Q/alpha), which is near 1 when alpha is far above
 * the values: Q is then known to alpha x 2.2e-16 only. It runs while alpha <= this x max(1, value
 * scale), so that its rounding stays within 64 ulps of the values; above, the log-space rules run.
 */
export const EXP_FORM_ALPHA_PER_SCALE = 64;

/** max |r| over the entries with p > 0 (NaN-free: the tables are validated when built). */
export function maxAbsReward(mdp: MdpArrays): number {
  const { reward, prob } = mdp;
  let mx = 0;
  for (let k = 0; k < reward.length; k++) {
    const a = Math.abs(reward[k]!);
    if (a > mx && prob[k]! > 0) mx = a;
  }
  return mx;
}

/** What {@link checkValueScale} needs to know about a run. */
export interface ScaleRun {
  readonly alpha: number;
  readonly gamma: number;
  readonly horizon: number | null;
  readonly maxIter: number;
  readonly entropy: boolean;
  /** The hard backup needs alpha only for log Z and the ELBO: there the check does not throw. */
  readonly hard: boolean;
}

/**
 * Check the value scale of a run: S = (max |r| + [entropy] alpha log m) x T <= 1e300 and
 * S / alpha <= 1e300 (see the module comment).
 * @returns whether alpha-based diagnostics (log Z, the ELBO) are within range; false only for the
 *   hard backup, whose values need no alpha.
 * @throws {@link ParameterError} naming the limit in words, quoting the rewards, alpha and the steps.
 */
export function checkValueScale(mdp: MdpArrays, run: ScaleRun): boolean {
  const R = maxAbsReward(mdp);
  const { steps, stepsText } = stepCount(run);
  const bonus = run.entropy && mdp.nActions > 1 ? run.alpha * Math.log(mdp.nActions) : 0;
  const perStep = R + bonus;
  // log10 arithmetic: the products may lie beyond float64 and must not be printed as Infinity.
  const log10 = (x: number) => (x > 0 ? Math.log10(x) : -Infinity);
  const logScale = log10(perStep) + log10(steps);
  const what = `${bonus > 0 ? `the largest |reward|, ${show(R)}, plus the entropy bonus alpha log(m) = ${show(bonus)} per step,` : `the largest |reward|, ${show(R)},`} over ${stepsText}`;
  if (logScale > 300) {
    throw new ParameterError(
      "rewards",
      `${what} gives values up to about ${powerOfTen(logScale)}, beyond the supported 1e300 (float64 overflows near 1.8e308); scale the rewards down${run.horizon === null ? " or lower gamma" : " or shorten the horizon"}`,
    );
  }
  const logRatio = logScale - Math.log10(run.alpha);
  if (logRatio > 300) {
    if (run.hard) return false;
    throw new ParameterError(
      "alpha",
      `${show(run.alpha)} is too small for these rewards: with ${what}, values / alpha reach about ${powerOfTen(logRatio)}, beyond the supported 1e300 (r/alpha overflows); use a larger alpha or the hard backup (backup: "hard")`,
    );
  }
  return true;
}

/** The value scale S = (max |r| + [entropy] alpha log m) x T of a run (see the module comment). */
export function valueScale(mdp: MdpArrays, run: Omit<ScaleRun, "hard">): number {
  const bonus = run.entropy && mdp.nActions > 1 ? run.alpha * Math.log(mdp.nActions) : 0;
  return (maxAbsReward(mdp) + bonus) * stepCount({ ...run, hard: false }).steps;
}

/** How many steps' rewards can add up in one value, and how to say it. */
function stepCount(run: ScaleRun): { steps: number; stepsText: string } {
  if (run.horizon !== null) return { steps: run.horizon, stepsText: `a horizon of ${run.horizon} steps` };
  if (run.gamma < 1) {
    const t = 1 / (1 - run.gamma);
    return { steps: t, stepsText: `1/(1 - gamma) = ${+t.toPrecision(3)} discounted steps (gamma ${show(run.gamma)})` };
  }
  return { steps: run.maxIter + 1, stepsText: `up to ${run.maxIter + 1} sweeps (gamma = 1 without a horizon: the sweep cap)` };
}

/** Bytes as text: "3.2 GiB". */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let x = bytes;
  let u = 0;
  while (x >= 1024 && u < units.length - 1) {
    x /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(x)} bytes` : x >= 1e6 ? `${x.toExponential(2)} ${units[u]}` : `${x.toPrecision(3)} ${units[u]}`;
}

/**
 * Refuse an allocation of `bytes` beyond {@link MEMORY_LIMIT_BYTES} (or `limit`), naming the
 * parameter that sized it, the estimate and the limit.
 * @param what - what would be allocated, e.g. "Q_t, V_t and policy_t for 1000000 steps of 64 x 4".
 * @param advice - how to get under the limit.
 */
export function checkMemory(bytes: number, parameter: string, what: string, advice: string, limit = MEMORY_LIMIT_BYTES): void {
  if (bytes > limit) {
    throw new ParameterError(parameter, `${what} would need about ${formatBytes(bytes)}, above the limit of ${formatBytes(limit)}; ${advice}`);
  }
}

/** Heap bytes per time slice of an unrolled factor graph (graphology nodes, edges, attributes, DOT and JSON text), measured. */
export const GRAPH_BYTES_PER_SLICE = 9 * 1024;

/** Graphs live on the V8 heap, whose limit is smaller than the machine's memory: 256 MiB at most. */
export const GRAPH_MEMORY_LIMIT_BYTES = 256 * 1024 ** 2;

/** Refuse to unroll a factor graph over more slices than {@link GRAPH_MEMORY_LIMIT_BYTES} holds. */
export function checkGraphHorizon(horizon: number): void {
  checkMemory(
    horizon * GRAPH_BYTES_PER_SLICE,
    "horizon",
    `the factor graph unrolled over ${horizon} time slices`,
    `use a horizon of at most ${Math.floor(GRAPH_MEMORY_LIMIT_BYTES / GRAPH_BYTES_PER_SLICE)} (the stationary graph, without a horizon, is one slice)`,
    GRAPH_MEMORY_LIMIT_BYTES,
  );
}

/** Bytes of the time-indexed Q_t, V_t and policy_t of a finite horizon (Float64). */
export function finiteStepsBytes(horizon: number, nStates: number, nActions: number): number {
  return horizon * (2 * nStates * nActions + nStates) * 8;
}

/** Bytes of a transition table with `entries` entries over `rows` (s, a) rows: prob, reward (Float64), next (Int32), done (Uint8), row starts. */
export function tableBytes(rows: number, entries: number): number {
  return entries * 21 + (rows + 1) * 4;
}

/**
 * Working memory the infinite-horizon diagnostics (ELBO and occupancy) may take for their fast path
 * (the policy's merged one-step matrix, its transpose and a Krylov solve): half the transition
 * table's bytes, and at least 256 MiB. Beyond it they run in a few n-vectors, more slowly, so that a
 * table near the machine's memory still solves (inference/occupancy.ts).
 */
export function diagnosticsMemoryBudget(rows: number, entries: number): number {
  return Math.max(256 * 1024 ** 2, tableBytes(rows, entries) / 2);
}

/** Refuse to build a table beyond {@link MEMORY_LIMIT_BYTES}, naming the flag that sized it. */
export function checkTableSize(rows: number, entries: number, parameter: string, what: string): void {
  checkMemory(tableBytes(rows, entries), parameter, `${what} (${entries} transition entries)`, `use a smaller ${parameter}`);
}

/** Most actions a picture or a report draws per state (one bar segment or table column each). */
export const MAX_DRAWN_ACTIONS = 64;

/** Refuse to draw a policy of more actions per state than {@link MAX_DRAWN_ACTIONS}, before anything is solved. */
export function checkDrawable(nActions: number, what: string): void {
  if (nActions > MAX_DRAWN_ACTIONS) {
    throw new InputError([
      {
        code: "too-large-to-draw",
        message: `${what} draws q(a|s) as one bar segment or column per action: ${nActions} actions are more than the ${MAX_DRAWN_ACTIONS} it can draw; solve gives the numbers (as JSON from the command line)`,
      },
    ]);
  }
}
