/**
 * Finite horizon: the slice program (dynamics -> prior) run for t = H-1..0 from V_H = 0, then the
 * initial factor's rule for log Z.
 */
import type { MdpArrays } from "../mdp/tabular.js";
import { evaluateFinite } from "./evaluate.js";
import { RULES } from "./rules/index.js";
import type { Schedule } from "./schedule.js";
import type { Resolved, SolveResult } from "./solve-options.js";

/** Exact backward pass for log Z alone (no storage of the steps). */
function exactLogZ(mdp: MdpArrays, r: Resolved, H: number): number {
  const n = mdp.nStates;
  const Q = new Float64Array(n * mdp.nActions);
  let V = new Float64Array(n);
  let Vn = new Float64Array(n);
  for (let t = H - 1; t >= 0; t--) {
    RULES.exact.dynamics.apply(mdp, V, r.alpha, r.gamma, Q);
    RULES.exact.actions.apply(Q, r.prior, r.alpha, Vn, null);
    [V, Vn] = [Vn, V];
  }
  return initialLogZ(mdp, V, r.alpha);
}

/** The initial factor's exact rule: log Z = log sum_s p0(s) exp(V_0(s)/alpha). */
export function initialLogZ(mdp: MdpArrays, V0: Float64Array, alpha: number): number {
  let mx = -Infinity;
  for (let s = 0; s < mdp.nStates; s++) if (mdp.initial[s]! > 0 && V0[s]! / alpha > mx) mx = V0[s]! / alpha;
  let sum = 0;
  for (let s = 0; s < mdp.nStates; s++) if (mdp.initial[s]! > 0) sum += mdp.initial[s]! * Math.exp(V0[s]! / alpha - mx);
  return mx + Math.log(sum);
}

export function solveFinite(mdp: MdpArrays, r: Resolved, H: number, schedule: Schedule): SolveResult {
  const n = mdp.nStates;
  const m = mdp.nActions;
  const Qs: Float64Array[] = new Array(H);
  const Vs: Float64Array[] = new Array(H);
  const Ps: Float64Array[] = new Array(H);
  let Vnext = new Float64Array(n); // V_H = 0
  for (let t = H - 1; t >= 0; t--) {
    const Q = new Float64Array(n * m);
    const V = new Float64Array(n);
    const P = new Float64Array(n * m);
    r.rules.dynamics.apply(mdp, Vnext, r.alpha, r.gamma, Q);
    r.rules.actions.apply(Q, r.prior, r.alpha, V, P);
    Qs[t] = Q;
    Vs[t] = V;
    Ps[t] = P;
    Vnext = V;
  }
  let logZ: number | null = null;
  let elbo: number | null = null;
  let occupancy: Float64Array | null = null;
  if (r.diagnostics) {
    logZ = r.rules.backup === "exact" ? initialLogZ(mdp, Vs[0]!, r.alpha) : exactLogZ(mdp, r, H);
    const ev = evaluateFinite(mdp, r.prior, r.alpha, r.gamma, Ps);
    elbo = Number.isFinite(ev.elbo) ? ev.elbo : null;
    occupancy = ev.occupancy;
  }
  return {
    backup: r.rules.backup,
    alpha: r.alpha,
    gamma: r.gamma,
    horizon: H,
    priorKind: r.prior.kind,
    nStates: n,
    nActions: m,
    Q: Qs[0]!,
    V: Vs[0]!,
    policy: Ps[0]!,
    steps: { Q: Qs, V: Vs, policy: Ps },
    logZ: logZ !== null && Number.isFinite(logZ) ? logZ : null,
    elbo,
    occupancy,
    converged: true,
    iterations: H,
    residual: 0,
    stopReason: "horizon",
    warnings: [],
    schedule,
  };
}

