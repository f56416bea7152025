/**
 * The lesson page's state and everything it computes from it, without a DOM: the page (page.ts)
 * holds one {@link LessonState}, turns each control into one of the pure updates below, and draws
 * what the compute functions return. Every number comes from the engine's `solve` (the same call
 * as `cai solve`); this module only chooses the options and reads the results. The unit tests run
 * it under Node; the page runs it in the browser, bundled.
 */
import { demonstrationPrior } from "../../models/demonstration.js";
import { CaiError } from "../errors.js";
import { sampleTrajectories, type Samples } from "../inference/sample.js";
import { BACKUPS, type Backup } from "../inference/rules/index.js";
import { solve, type SolveOptions, type SolveResult } from "../inference/solve.js";
import { cliffWalking } from "../mdp/environments/cliff-walking.js";
import { FROZEN_LAKE_MAPS, frozenLake } from "../mdp/environments/frozen-lake.js";
import { gridShape } from "../mdp/environments/grid.js";
import type { TabularMdp } from "../mdp/tabular.js";
import { actionDirection } from "../render/values-svg.js";

/** The worlds of step 1. */
export const WORLDS = [
  { id: "lake4", label: "FrozenLake 4×4" },
  { id: "lake8", label: "FrozenLake 8×8" },
  { id: "cliff", label: "CliffWalking 4×12" },
  { id: "open8", label: "open lake 8×8 (no holes)" },
] as const;
export type WorldId = (typeof WORLDS)[number]["id"];

/** The action priors of step 4. */
export const PRIORS = [
  { id: "uniform", label: "uniform (KL to 1/m)" },
  { id: "entropy", label: "entropy form (MaxEnt / SAC)" },
  { id: "demonstrations", label: "demonstrations (click a path)" },
] as const;
export type PriorId = (typeof PRIORS)[number]["id"];

/** The backups, in the engine's one list (steps 3, 4, 6 and 8 offer them in this order). */
export { BACKUPS };

/** The alpha slider runs over log10(alpha) in [-2, 1] (alpha from 0.01 to 10) in steps of 0.01. */
export const ALPHA_SLIDER = { min: -2, max: 1, step: 0.01 } as const;
/** Smoothing lambda of the demonstration prior: pi_D = (count + lambda) / (count(s) + m lambda). */
export const DEMO_SMOOTHING = 0.1;
/** The sweep slider of step 6 runs over k = 0..SWEEP_MAX backups from V_0 = 0. */
export const SWEEP_MAX = 300;
/** The finite horizon slider of step 5. */
export const HORIZON_MAX = 100;

/** Everything the page's controls set. */
export interface LessonState {
  readonly world: WorldId;
  /** The lake's rows of S, F, H, G (edited by the map editor); unused for CliffWalking. */
  readonly map: readonly string[];
  readonly slippery: boolean;
  /** Probability of the intended move on slippery ice (FrozenLake's success_rate). */
  readonly successRate: number;
  /** log10(alpha), the slider's position. */
  readonly logAlpha: number;
  readonly gamma: number;
  readonly prior: PriorId;
  /** The demonstrated path, as states in the order clicked. */
  readonly demo: readonly number[];
  /** The backup that steps 4 and 6 show. */
  readonly backup: Backup;
  /** Step 5: finite horizon (log Z exists) or infinite. */
  readonly finite: boolean;
  readonly horizon: number;
  /** Step 5: the time index t whose V_t is drawn. */
  readonly time: number;
  /** Step 6: the number of backups k from V_0 = 0. */
  readonly sweep: number;
  /** Step 7: the sampler's seed, and the time step the animation shows. */
  readonly seed: number;
  readonly frame: number;
}

/** The page as it opens: FrozenLake 4x4, the README's alpha 0.05 and gamma 0.99. */
export function initialState(): LessonState {
  return {
    world: "lake4",
    map: defaultMap("lake4"),
    slippery: true,
    successRate: 1 / 3,
    logAlpha: roundSlider(Math.log10(0.05)),
    gamma: 0.99,
    prior: "uniform",
    demo: [],
    backup: "variational",
    finite: true,
    horizon: 20,
    time: 0,
    sweep: 10,
    seed: 1,
    frame: SAMPLE_STEPS,
  };
}

/** The slider position nearest x (a multiple of the slider's step, so that the page and tests agree). */
function roundSlider(x: number): number {
  return Math.round(x / ALPHA_SLIDER.step) * ALPHA_SLIDER.step;
}

/** alpha from the slider's position: 10^position. */
export function alphaOf(state: LessonState): number {
  return 10 ** state.logAlpha;
}

/** The map a world starts with. */
export function defaultMap(world: WorldId): string[] {
  if (world === "lake4") return [...FROZEN_LAKE_MAPS["4x4"]];
  if (world === "lake8") return [...FROZEN_LAKE_MAPS["8x8"]];
  if (world === "open8") return Array.from({ length: 8 }, (_, r) => (r === 0 ? "S" + "F".repeat(7) : r === 7 ? "F".repeat(7) + "G" : "F".repeat(8)));
  return [];
}

/** Whether the map editor works on this world (the lakes; CliffWalking's layout is fixed). */
export function editable(world: WorldId): boolean {
  return world !== "cliff";
}

/** The order a click cycles a cell through: start, frozen, hole, goal. */
export const CELL_CYCLE = ["S", "F", "H", "G"] as const;

/** The map with cell (row, col) moved one place along {@link CELL_CYCLE}. */
export function cycleCell(map: readonly string[], row: number, col: number): string[] {
  const line = map[row];
  if (line === undefined || col < 0 || col >= line.length) throw new RangeError(`cell (${row}, ${col}) is outside the ${map.length}-row map`);
  const at = CELL_CYCLE.indexOf(line[col] as (typeof CELL_CYCLE)[number]);
  const next = CELL_CYCLE[(at + 1) % CELL_CYCLE.length]!;
  return map.map((l, r) => (r === row ? l.slice(0, col) + next + l.slice(col + 1) : l));
}

/** Change the world: its own map, no demonstration (states change meaning). */
export function withWorld(state: LessonState, world: WorldId): LessonState {
  return { ...state, world, map: defaultMap(world), demo: [] };
}

/** The MDP of the state's world, or the reason there is none (an edited map without S or G). */
export function buildWorld(state: LessonState): { mdp: TabularMdp } | { error: string } {
  try {
    if (state.world === "cliff") return { mdp: cliffWalking({ isSlippery: state.slippery }) };
    return { mdp: frozenLake({ map: state.map, isSlippery: state.slippery, successRate: state.successRate }) };
  } catch (e) {
    if (e instanceof CaiError) return { error: e.message };
    throw e;
  }
}

/** The action that moves from state `from` to the neighbouring state `to` on the grid, if any. */
export function actionBetween(mdp: TabularMdp, from: number, to: number): number | undefined {
  const grid = gridShape(mdp);
  if (!grid || !mdp.actionNames) return undefined;
  const a = grid.position(from);
  const b = grid.position(to);
  for (let act = 0; act < mdp.nActions; act++) {
    const d = actionDirection(mdp.actionNames[act]!);
    if (d && a.col + d.dx === b.col && a.row + d.dy === b.row) return act;
  }
  return undefined;
}

/**
 * Add a clicked state to the demonstrated path: the first click starts it, later clicks must be a
 * neighbour of the last state (each step is the move between them).
 */
export function extendDemo(state: LessonState, mdp: TabularMdp, s: number): { state: LessonState; message?: string } {
  const last = state.demo[state.demo.length - 1];
  if (last === undefined) return { state: { ...state, demo: [s] } };
  if (actionBetween(mdp, last, s) === undefined) return { state, message: `cell ${mdp.stateName(s)} is not next to the path's last cell ${mdp.stateName(last)}: click a neighbour` };
  return { state: { ...state, demo: [...state.demo, s] } };
}

/** c(s, a) of the demonstrated path, flat n x m. */
export function demoCounts(mdp: TabularMdp, path: readonly number[]): Float64Array {
  const counts = new Float64Array(mdp.nStates * mdp.nActions);
  for (let i = 0; i + 1 < path.length; i++) {
    const a = actionBetween(mdp, path[i]!, path[i + 1]!);
    if (a !== undefined) counts[path[i]! * mdp.nActions + a]! += 1;
  }
  return counts;
}

/** The prior part of the solve options. */
export function priorOptions(state: LessonState, mdp: TabularMdp): Pick<SolveOptions, "prior" | "entropy"> {
  if (state.prior === "entropy") return { entropy: true };
  if (state.prior === "demonstrations") return { prior: demonstrationPrior(demoCounts(mdp, state.demo), mdp.nStates, mdp.nActions, DEMO_SMOOTHING).prior };
  return {};
}

/** The solve options of an infinite-horizon run of `backup` (what `cai solve` takes as flags). */
export function infiniteOptions(state: LessonState, mdp: TabularMdp, backup: Backup, alpha = alphaOf(state)): SolveOptions {
  return { backup, alpha, gamma: state.gamma, ...priorOptions(state, mdp) };
}

/** p0-weighted value: sum_s p0(s) V(s), "V(start)". */
export function startValue(mdp: TabularMdp, V: Float64Array): number {
  let v = 0;
  for (let s = 0; s < mdp.nStates; s++) if (mdp.initial[s]! > 0) v += mdp.initial[s]! * V[s]!;
  return v;
}

/** One backup's run, or why it has none. */
export interface BackupRun {
  readonly backup: Backup;
  readonly options: SolveOptions;
  readonly result?: SolveResult;
  readonly error?: string;
  /** sum_s p0(s) V(s): what the backup believes the start is worth. */
  readonly vStart?: number;
  /** E[sum_t gamma^t r_t] of the backup's policy in the true dynamics (rewards only, no KL). */
  readonly realReturn?: number;
}

/** Solve, turning the engine's typed errors into a message for the page. */
export function trySolve(mdp: TabularMdp, options: SolveOptions): { result: SolveResult } | { error: string } {
  try {
    return { result: solve(mdp, options) };
  } catch (e) {
    if (e instanceof CaiError) return { error: e.message };
    throw e;
  }
}

/**
 * The discounted occupancy d(s) = sum_t gamma^t P(s_t = s) of policy q (flat n x m) from p0 in the
 * true dynamics (a done entry's mass leaves), by one dense linear solve of
 * d = p0 + gamma M^T d, M(s, s') = sum_a q(a|s) sum_{entries to s', not done} p: (I - gamma M^T) d = p0,
 * Gaussian elimination with partial pivoting. The page's worlds have at most a few hundred states;
 * returns undefined when the system is singular (gamma = 1 and a policy that never ends).
 */
export function discountedOccupancy(mdp: TabularMdp, q: Float64Array, gamma: number): Float64Array | undefined {
  const n = mdp.nStates;
  const m = mdp.nActions;
  const A = new Float64Array(n * n); // row s' holds the equation of d(s')
  for (let s = 0; s < n; s++) A[s * n + s] = 1;
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < m; a++) {
      const qa = q[s * m + a]!;
      if (qa === 0) continue;
      for (let k = mdp.rowStart[s * m + a]!; k < mdp.rowStart[s * m + a + 1]!; k++) {
        if (mdp.done[k]) continue;
        A[mdp.next[k]! * n + s]! -= gamma * qa * mdp.prob[k]!;
      }
    }
  }
  const b = Float64Array.from(mdp.initial);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]!) > Math.abs(A[piv * n + c]!)) piv = r;
    if (!(Math.abs(A[piv * n + c]!) > 1e-300)) return undefined;
    if (piv !== c) {
      for (let j = 0; j < n; j++) {
        const t = A[c * n + j]!;
        A[c * n + j] = A[piv * n + j]!;
        A[piv * n + j] = t;
      }
      const t = b[c]!;
      b[c] = b[piv]!;
      b[piv] = t;
    }
    const inv = 1 / A[c * n + c]!;
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c]! * inv;
      if (f === 0) continue;
      for (let j = c; j < n; j++) A[r * n + j]! -= f * A[c * n + j]!;
      b[r]! -= f * b[c]!;
    }
  }
  const d = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let x = b[r]!;
    for (let j = r + 1; j < n; j++) x -= A[r * n + j]! * d[j]!;
    d[r] = x / A[r * n + r]!;
  }
  return d.every(Number.isFinite) ? d : undefined;
}

/**
 * The expected discounted return of a policy q (flat n x m) in the true dynamics from its
 * discounted occupancy d: sum_s d(s) sum_a q(a|s) rbar(s,a).
 */
export function policyReturn(mdp: TabularMdp, occupancy: Float64Array, q: Float64Array): number {
  const m = mdp.nActions;
  let total = 0;
  for (let s = 0; s < mdp.nStates; s++) {
    const d = occupancy[s]!;
    if (d === 0) continue;
    for (let a = 0; a < m; a++) {
      const qa = q[s * m + a]!;
      if (qa === 0) continue;
      let rbar = 0;
      for (let k = mdp.rowStart[s * m + a]!; k < mdp.rowStart[s * m + a + 1]!; k++) rbar += mdp.prob[k]! * mdp.reward[k]!;
      total += d * qa * rbar;
    }
  }
  return total;
}

/** Step 3: the three backups at the state's alpha and gamma (infinite horizon). */
export function backupRuns(state: LessonState, mdp: TabularMdp, alpha = alphaOf(state)): BackupRun[] {
  return BACKUPS.map((backup) => backupRun(state, mdp, backup, alpha));
}

/** One backup's run for step 3 (the hard backup's values do not depend on alpha: the page keeps its run while alpha moves). */
export function backupRun(state: LessonState, mdp: TabularMdp, backup: Backup, alpha = alphaOf(state)): BackupRun {
  // The ELBO pass of solve's diagnostics is step 5's business; here one linear solve gives the occupancy.
  const options: SolveOptions = { ...infiniteOptions(state, mdp, backup, alpha), diagnostics: false };
  const r = trySolve(mdp, options);
  if ("error" in r) return { backup, options, error: r.error };
  const occupancy = discountedOccupancy(mdp, r.result.policy, state.gamma);
  const realReturn = occupancy ? policyReturn(mdp, occupancy, r.result.policy) : undefined;
  return { backup, options, result: r.result, vStart: startValue(mdp, r.result.V), ...(realReturn !== undefined ? { realReturn } : {}) };
}

/** Step 4: alpha values of the sharpening strip. */
export const STRIP_ALPHAS: readonly number[] = [0.01, 0.1, 1, 10];

/** Mean policy entropy (nats) over the states an episode visits, weighted by the discounted occupancy. */
export function policyEntropy(mdp: TabularMdp, result: SolveResult): number | undefined {
  const occ = result.occupancy ?? discountedOccupancy(mdp, result.policy, result.gamma);
  if (!occ) return undefined;
  const m = mdp.nActions;
  let h = 0;
  let w = 0;
  for (let s = 0; s < mdp.nStates; s++) {
    const d = occ[s]!;
    if (!(d > 0)) continue;
    let hs = 0;
    for (let a = 0; a < m; a++) {
      const q = result.policy[s * m + a]!;
      if (q > 0) hs -= q * Math.log(q);
    }
    h += d * hs;
    w += d;
  }
  return w > 0 ? h / w : undefined;
}

/** Step 5: evidence and ELBOs. */
export interface Evidence {
  readonly finite: boolean;
  readonly exact?: SolveResult;
  readonly variational?: SolveResult;
  readonly error?: string;
  /** log Z (finite horizon only). */
  readonly logZ: number | null;
  /** ELBO of the variational policy q* and of the exact posterior policy run in the true dynamics. */
  readonly elboVariational: number | null;
  readonly elboExact: number | null;
}

export function evidence(state: LessonState, mdp: TabularMdp): Evidence {
  const base: SolveOptions = state.finite
    ? { alpha: alphaOf(state), gamma: state.gamma, horizon: state.horizon, ...priorOptions(state, mdp) }
    : { alpha: alphaOf(state), gamma: state.gamma, ...priorOptions(state, mdp) };
  const ex = trySolve(mdp, { ...base, backup: "exact" });
  const va = trySolve(mdp, { ...base, backup: "variational" });
  const error = "error" in ex ? ex.error : "error" in va ? va.error : undefined;
  const exact = "result" in ex ? ex.result : undefined;
  const variational = "result" in va ? va.result : undefined;
  return {
    finite: state.finite,
    ...(exact ? { exact } : {}),
    ...(variational ? { variational } : {}),
    ...(error !== undefined ? { error } : {}),
    logZ: exact?.logZ ?? variational?.logZ ?? null,
    elboVariational: variational?.elbo ?? null,
    elboExact: exact?.elbo ?? null,
  };
}

/** Step 6: V_k = T^k(0) for k = 0..K, read off one finite-horizon run (V_k is V_0 of the k-step problem). */
export interface Sweeps {
  readonly backup: Backup;
  /** V_k for k = 0..K. */
  readonly V: Float64Array[];
  /** q_k: the policy of the k-th backup (the k-step problem's policy at t = 0); all zero at k = 0. */
  readonly policy: Float64Array[];
  /** max_s |V_k - V_k-1| for k = 1..K (index k; 0 at k = 0). */
  readonly residual: number[];
  /** The fixed point (infinite horizon), or why there is none. */
  readonly fixedPoint?: SolveResult;
  readonly error?: string;
}

export function sweeps(state: LessonState, mdp: TabularMdp, K = SWEEP_MAX): Sweeps {
  const options: SolveOptions = { backup: state.backup, alpha: alphaOf(state), gamma: state.gamma, horizon: K, diagnostics: false, ...priorOptions(state, mdp) };
  const run = trySolve(mdp, options);
  const fixed = trySolve(mdp, infiniteOptions(state, mdp, state.backup));
  if ("error" in run) return { backup: state.backup, V: [], policy: [], residual: [], error: run.error };
  const steps = run.result.steps!;
  const V: Float64Array[] = [new Float64Array(mdp.nStates)];
  const policy: Float64Array[] = [new Float64Array(mdp.nStates * mdp.nActions)];
  for (let k = 1; k <= K; k++) {
    V.push(steps.V[K - k]!);
    policy.push(steps.policy[K - k]!);
  }
  const residual = V.map((v, k) => (k === 0 ? 0 : maxAbsDiff(v, V[k - 1]!)));
  return { backup: state.backup, V, policy, residual, ...("result" in fixed ? { fixedPoint: fixed.result } : { error: fixed.error }) };
}

/** Step 7: episodes per picture, and the longest episode drawn. */
export const SAMPLE_EPISODES = 40;
export const SAMPLE_STEPS = 60;

/** What one set of samples shows in numbers. */
export interface SampleSummary {
  readonly samples: Samples;
  /** Mean of sum_t r_t per episode (undiscounted). */
  readonly meanReturn: number;
  /** Episodes that ended at a done entry (FrozenLake: a hole or the goal), at the death state, or by the step cap. */
  readonly ends: { readonly done: number; readonly death: number; readonly cut: number };
}

/**
 * Step 7: episodes of the exact backup's solution, sampled (seeded, the engine's sampler) from its
 * policy in the real dynamics, q(tau), and from the exact posterior p(tau | O), where the ice obeys.
 */
export function sampleRuns(state: LessonState, mdp: TabularMdp): { policy?: SampleSummary; posterior?: SampleSummary; result?: SolveResult; error?: string } {
  const r = trySolve(mdp, infiniteOptions(state, mdp, "exact"));
  if ("error" in r) return { error: r.error };
  const summary = (from: "policy" | "posterior"): SampleSummary => {
    const samples = sampleTrajectories(mdp, r.result, { episodes: SAMPLE_EPISODES, seed: state.seed, from, maxSteps: SAMPLE_STEPS });
    let total = 0;
    const ends = { done: 0, death: 0, cut: 0 };
    for (const e of samples.episodes) {
      for (const x of e.rewards) total += x;
      if (e.end === "done") ends.done++;
      else if (e.end === "death") ends.death++;
      else ends.cut++;
    }
    return { samples, meanReturn: total / samples.episodes.length, ends };
  };
  return { result: r.result, policy: summary("policy"), posterior: summary("posterior") };
}

/** max_i |a_i - b_i|. */
export function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/**
 * A number as the page prints it: 4 significant digits, exponent form outside [1e-3, 1e4), the
 * minus sign U+2212, -0 as 0; integers below 1e4 (counts) as integers. Probabilities are printed by formatProb (2 decimals), map cells by
 * formatValue (3 significant digits): the same rules, fewer digits where space is short.
 */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined) return "—";
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (x === 0) return "0";
  const a = Math.abs(x);
  const s = Number.isInteger(x) && a < 1e4 ? String(x) : a >= 1e4 || a < 1e-3 ? x.toExponential(3) : x.toPrecision(4);
  return s.startsWith("-") ? "−" + s.slice(1) : s;
}

/** Parse a number printed by {@link formatNumber}. */
export function parseNumber(s: string): number {
  return Number(s.trim().replace("−", "-"));
}
