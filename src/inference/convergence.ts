/**
 * One convergence monitor for the iterations that stop on a residual: the engine's infinite-horizon
 * sweeps and the cross-check solvers (soft policy iteration). It says "tolerance" when the residual
 * reaches the tolerance, and "stalled" when the residual has not reached a new smallest value for
 * `stallAfter` observations and is already at the rounding level `stallLevel * scale` (the iterates
 * cannot get closer to the fixed point in floating point).
 */

export interface ConvergenceTest {
  /** Stop when residual <= tol (times scale when `relative`). */
  readonly tol: number;
  /** Whether the tolerance is relative to the scale max(1, max |Q|). */
  readonly relative: boolean;
  /** Observations without a new smallest residual that count as a stall. */
  readonly stallAfter: number;
  /** Rounding level, relative to the scale: a stall counts only at or below stallLevel * scale. */
  readonly stallLevel: number;
}

/** The engine's stall test: 10 sweeps without progress at 1024 ulp of max(1, max |Q|). */
export const ENGINE_STALL = { stallAfter: 10, stallLevel: 1024 * Number.EPSILON } as const;

/** No stall test (solve's `stallTest: false`): the run ends on the tolerance or the sweep budget. */
export const NO_STALL = { stallAfter: Infinity, stallLevel: 0 } as const;

export type ConvergenceVerdict = "tolerance" | "stalled" | null;

export class ConvergenceMonitor {
  private best = Infinity;
  private sinceBest = 0;

  constructor(private readonly test: ConvergenceTest) {}

  /** Record one residual and the scale max(1, max |Q|); returns why to stop, or null to go on. */
  observe(residual: number, scale: number): ConvergenceVerdict {
    const t = this.test;
    if (residual <= (t.relative ? t.tol * scale : t.tol)) return "tolerance";
    if (residual < this.best) {
      this.best = residual;
      this.sinceBest = 0;
    } else if (++this.sinceBest >= t.stallAfter && residual <= t.stallLevel * scale) {
      return "stalled";
    }
    return null;
  }
}
