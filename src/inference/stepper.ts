/**
 * A stepper runs the sweeps of infinite-horizon message passing: one application of the slice
 * program (dynamics -> prior) per `sweep()`. Two implement it: the plain rule loop below (the rule
 * family's own loops, Jacobi) and the fused sweeper (kernels/sweeper.ts) for families whose
 * capabilities allow it. The infinite-horizon loop (infinite.ts) drives either the same way.
 */
import type { MdpArrays } from "../mdp/tabular.js";
import type { ActionPrior } from "./prior.js";
import type { RuleFamily } from "./rules/index.js";

/** Runs sweeps; `Q` and `values()` are the current iterates. */
export interface Stepper {
  /** Q(s, a), flat n x m, updated by each sweep. */
  readonly Q: Float64Array;
  /** Threads actually used. */
  readonly threads: number;
  /** State backups run so far: nStates per full sweep plus the states of partial sweeps. */
  readonly backups: number;
  /**
   * One sweep: Q from V, then V from Q. Returns max |dQ|, max(1, max |Q|), max Q (NaN when the
   * stepper does not track it; the scale bounds it then) and, for the exp-space kernel, the
   * contraction factor kappa = max_s (M z)(s) / z(s) of the exact operator's linear part M at the
   * sweep's input z (NaN otherwise).
   */
  sweep(): { residual: number; scale: number; top: number; contraction: number };
  /** The current V (a view owned by the stepper until close, or a new array: do not keep it across sweeps). */
  values(): Float64Array;
  /**
   * False once the stepper's numbers have left the range it computes in (the exp-space kernel,
   * kernels/sweeper.ts); the caller then continues on the rule loop from `values()` and `Q`.
   */
  readonly inRange: boolean;
  /**
   * An upper bound on the spectral radius of the exact operator's linear part from the last sweep
   * (the exp-space kernel), NaN when the stepper cannot give one.
   */
  growthUpperBound(): number;
  /** Put Q in reward units (once, after the last sweep; the exp-space kernel keeps it shifted). */
  finishQ(): void;
  /** Release what the stepper holds (threads). Idempotent. */
  close(): void;
}

/**
 * The plain rule loop: the family's dynamics rule over all rows, then its action rule (Jacobi).
 * The first sweep's residual is measured against Q = 0 (callers ignore it).
 */
export function ruleStepper(
  mdp: MdpArrays,
  rules: RuleFamily,
  prior: ActionPrior,
  alpha: number,
  gamma: number,
  start: Float64Array | undefined,
  from?: { readonly Q: Float64Array; readonly backups: number },
): Stepper {
  const n = mdp.nStates;
  const m = mdp.nActions;
  const V = start ? Float64Array.from(start) : new Float64Array(n);
  // `from`: continue another stepper's iteration (its Q and its count of backups).
  let Q = from ? Float64Array.from(from.Q) : new Float64Array(n * m);
  let Qn = new Float64Array(n * m);
  let sweeps = 0;
  const before = from ? from.backups : 0;
  return {
    get Q() {
      return Q;
    },
    threads: 1,
    get backups() {
      return before + sweeps * n;
    },
    sweep() {
      rules.dynamics.apply(mdp, V, alpha, gamma, Qn);
      let residual = 0;
      let scale = 1;
      let top = -Infinity;
      for (let i = 0; i < Qn.length; i++) {
        const d = Math.abs(Qn[i]! - Q[i]!);
        if (d > residual) residual = d;
        const a = Math.abs(Qn[i]!);
        if (a > scale) scale = a;
        if (Qn[i]! > top) top = Qn[i]!;
      }
      [Q, Qn] = [Qn, Q];
      rules.actions.apply(Q, prior, alpha, V, null);
      sweeps++;
      return { residual, scale, top, contraction: NaN };
    },
    values: () => V,
    inRange: true,
    growthUpperBound: () => NaN,
    finishQ() {},
    close() {},
  };
}
