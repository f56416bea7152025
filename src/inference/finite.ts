/**
 * Finite horizon: the slice program (dynamics -> prior) run for t = H-1..0 from V_H = 0, then the
 * initial factor's rule for log Z.
 */
import type { MdpArrays } from "../mdp/tabular.js";
import { evaluateFinite } from "./evaluate.js";
import { rowReader } from "./occupancy.js";
import { RULES } from "./rules/index.js";
import { checkMemory, finiteStepsBytes } from "../limits.js";
import { solveFiniteStreaming, streamingBytes } from "./streaming.js";
import type { Schedule } from "./schedule.js";
import { lazyFields, type Resolved, type SolveResult } from "./solve-options.js";

/** Exact (sum-product) backward pass for log Z alone (no storage of the steps). */
function exactLogZ(mdp: MdpArrays, r: Resolved, H: number): number {
  const n = mdp.nStates;
  const Q = new Float64Array(n * mdp.nActions);
  let V = r.terminal ? Float64Array.from(r.terminal) : new Float64Array(n);
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

/** Why log Z and the ELBO are missing when alpha is out of their range (hard backup only). */
export const NO_ALPHA_DIAGNOSTICS = "log Z and the ELBO are not computed: values / alpha exceed the supported 1e300 at this alpha (the hard backup's values need no alpha)";

export function solveFinite(mdp: MdpArrays, r: Resolved, H: number, schedule: Schedule): SolveResult {
  const n = mdp.nStates;
  const m = mdp.nActions;
  const diagnostics = r.diagnostics && r.alphaDiagnostics;
  const warnings = r.diagnostics && !r.alphaDiagnostics ? [NO_ALPHA_DIAGNOSTICS] : [];
  // Terminal values run on the stored-steps path (the streaming path starts from V_H = 0).
  if (!r.keepSteps && r.terminal === null) {
    checkMemory(streamingBytes(H, n, m, diagnostics), "horizon", `a horizon of ${H} steps (${n} states x ${m} actions, checkpoints for the ELBO)`, "use a shorter horizon");
    const st = solveFiniteStreaming(mdp, r.rules, r.prior, r.alpha, r.gamma, H, diagnostics);
    const run = finiteResult(mdp, r, H, schedule, { Q: st.Q, V: st.V, policy: st.policy, steps: null, logZ: null, elbo: null, occupancy: null, warnings });
    return diagnostics && st.evaluate ? withLazyDiagnostics(run, diagnosticsOnce(mdp, r, H, st.V, st.evaluate)) : run;
  }
  checkMemory(
    finiteStepsBytes(H, n, m),
    "horizon",
    `Q_t, V_t and policy_t for a horizon of ${H} steps (${n} states x ${m} actions)`,
    "use a shorter horizon, or keep only t = 0 (keepSteps: false)",
  );
  const Qs: Float64Array[] = new Array(H);
  const Vs: Float64Array[] = new Array(H);
  const Ps: Float64Array[] = new Array(H);
  let Vnext = r.terminal ? Float64Array.from(r.terminal) : new Float64Array(n); // V_H: 0 unless given
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
  const run = finiteResult(mdp, r, H, schedule, { Q: Qs[0]!, V: Vs[0]!, policy: Ps[0]!, steps: { Q: Qs, V: Vs, policy: Ps }, logZ: null, elbo: null, occupancy: null, warnings });
  if (!diagnostics) return run;
  const terminal = r.terminal ?? undefined;
  return withLazyDiagnostics(run, diagnosticsOnce(mdp, r, H, Vs[0]!, () => evaluateFinite(mdp, r.prior, r.alpha, r.gamma, Ps, terminal)));
}

/**
 * log Z, the ELBO and the occupancy of a finite-horizon run, computed once, on first call: log Z
 * from V_0 (exact messages) or by an exact backward pass of its own (other backups), the ELBO and
 * occupancy by the forward pass `evaluate`.
 */
function diagnosticsOnce(
  mdp: MdpArrays,
  r: Resolved,
  H: number,
  V0: Float64Array,
  evaluate: () => { elbo: number; occupancy: Float64Array },
): () => Pick<SolveResult, "logZ" | "elbo" | "occupancy"> {
  let done: Pick<SolveResult, "logZ" | "elbo" | "occupancy"> | undefined;
  return () => {
    if (done) return done;
    const logZ = r.rules.exactMessages ? initialLogZ(mdp, V0, r.alpha) : exactLogZ(mdp, r, H);
    const ev = evaluate();
    done = { logZ: Number.isFinite(logZ) ? logZ : null, elbo: Number.isFinite(ev.elbo) ? ev.elbo : null, occupancy: ev.occupancy };
    return done;
  };
}

/** The result with logZ, elbo and occupancy as getters that compute the diagnostics on first read. */
function withLazyDiagnostics(run: SolveResult, diag: () => Pick<SolveResult, "logZ" | "elbo" | "occupancy">): SolveResult {
  return lazyFields(run, { logZ: () => diag().logZ, elbo: () => diag().elbo, occupancy: () => diag().occupancy });
}

/** A finite-horizon result: what both paths (stored steps, streaming) computed, and what a horizon fixes. */
function finiteResult(
  mdp: MdpArrays,
  r: Resolved,
  H: number,
  schedule: Schedule,
  run: Pick<SolveResult, "Q" | "V" | "policy" | "steps" | "logZ" | "elbo" | "occupancy" | "warnings">,
): SolveResult {
  return {
    policyRow: rowReader(run.policy, mdp.nActions),
    backup: r.rules.backup,
    alpha: r.alpha,
    gamma: r.gamma,
    horizon: H,
    priorKind: r.prior.kind,
    nStates: mdp.nStates,
    nActions: mdp.nActions,
    ...run,
    logZ: run.logZ !== null && Number.isFinite(run.logZ) ? run.logZ : null,
    converged: true,
    iterations: H,
    residual: 0,
    errorBound: 0,
    stopReason: "horizon",
    schedule,
  };
}

