/**
 * L-BFGS (Nocedal and Wright, Numerical Optimization, 2nd ed., Algorithm 7.4 and 7.5) with a line
 * search for the strong Wolfe conditions (Algorithms 3.5 and 3.6, zoom by safeguarded cubic
 * interpolation). Minimises f; the inverse Hessian is the two-loop recursion over the last `memory`
 * pairs (s, y), scaled by s.y / y.y. A pair with s.y <= 0 is not stored (never happens with the
 * strong Wolfe conditions on a smooth function, kept as a guard).
 *
 * f may return +Infinity for points outside its domain (the line search then shortens the step).
 */
import { ParameterError } from "../errors.js";

/** Defaults of {@link lbfgs}, stated once. */
export const LBFGS_DEFAULTS = {
  memory: 10,
  maxIter: 500,
  /** Stop when max_i |g_i| <= gtol. */
  gtol: 1e-8,
  /** Sufficient decrease (Armijo) constant c1 and curvature constant c2. */
  c1: 1e-4,
  c2: 0.9,
  /** Line search: at most this many evaluations per iteration. */
  maxLineSearch: 40,
} as const;

export interface LbfgsOptions {
  readonly memory?: number;
  readonly maxIter?: number;
  readonly gtol?: number;
  /**
   * How far f may be off (absolute) when f comes from an iteration with its own tolerance: within
   * it, the line search judges a step by the gradient alone (approximate Wolfe). @defaultValue 0
   */
  readonly fNoise?: number;
  /**
   * Called after every iteration (0 for the starting point) with the value and the gradient at the
   * current point. Return true to stop early.
   */
  readonly onIteration?: (iteration: number, f: number, g: Float64Array, x: Float64Array) => boolean | void;
}

export type LbfgsStop = "gradient" | "max-iterations" | "line-search" | "stopped";

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly g: Float64Array;
  readonly iterations: number;
  readonly evaluations: number;
  /** max |g| at x. */
  readonly gradientNorm: number;
  readonly converged: boolean;
  readonly stop: LbfgsStop;
}

/** f and its gradient: writes the gradient into g and returns f(x). */
export type ValueAndGradient = (x: Float64Array, g: Float64Array) => number;

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const maxAbs = (a: Float64Array): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
};

/** The minimiser of the cubic through (a, fa, ga), (b, fb, gb), kept inside [lo + 10%, hi - 10%] of the interval. */
function cubicStep(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - ga * gb;
  let t = NaN;
  if (disc >= 0 && Number.isFinite(fb)) {
    const d2 = Math.sign(b - a) * Math.sqrt(disc);
    t = b - (b - a) * ((gb + d2 - d1) / (gb - ga + 2 * d2));
  }
  const margin = 0.1 * (hi - lo);
  if (!Number.isFinite(t) || t < lo + margin || t > hi - margin) t = (lo + hi) / 2;
  return t;
}

/**
 * Minimise f from x0 by L-BFGS with a strong Wolfe line search.
 * @throws {@link ParameterError} when f or its gradient is not finite at x0.
 */
export function lbfgs(fg: ValueAndGradient, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const memory = options.memory ?? LBFGS_DEFAULTS.memory;
  const maxIter = options.maxIter ?? LBFGS_DEFAULTS.maxIter;
  const gtol = options.gtol ?? LBFGS_DEFAULTS.gtol;
  const { c1, c2, maxLineSearch } = LBFGS_DEFAULTS;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let evaluations = 1;
  let f = fg(x, g);
  if (!Number.isFinite(f) || !g.every(Number.isFinite)) throw new ParameterError("x0", `the objective is not finite at the starting point (f = ${f})`);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alphaBuf = new Float64Array(memory);
  let xt = new Float64Array(n);
  let gt = new Float64Array(n);
  let iterations = 0;
  const stop: LbfgsStop = "max-iterations";
  if (options.onIteration?.(0, f, g, x)) return done("stopped");
  if (maxAbs(g) <= gtol) return done("gradient");

  function done(reason: LbfgsStop): LbfgsResult {
    const gn = maxAbs(g);
    return { x, f, g, iterations, evaluations, gradientNorm: gn, converged: gn <= gtol, stop: reason };
  }

  while (iterations < maxIter) {
    // Two-loop recursion: d = -H g.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let j = S.length - 1; j >= 0; j--) {
      const a = rho[j]! * dot(S[j]!, d);
      alphaBuf[j] = a;
      const y = Y[j]!;
      for (let i = 0; i < n; i++) d[i]! -= a * y[i]!;
    }
    if (S.length > 0) {
      const k = S.length - 1;
      const scale = dot(S[k]!, Y[k]!) / dot(Y[k]!, Y[k]!);
      for (let i = 0; i < n; i++) d[i]! *= scale;
    }
    for (let j = 0; j < S.length; j++) {
      const b = rho[j]! * dot(Y[j]!, d);
      const s = S[j]!;
      const a = alphaBuf[j]!;
      for (let i = 0; i < n; i++) d[i]! += (a - b) * s[i]!;
    }
    let dg = dot(d, g);
    if (!(dg < 0)) {
      // Not a descent direction (rounding): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      dg = dot(d, g);
    }
    // First iteration: a step of length at most 1 in the max norm.
    let step = S.length === 0 ? Math.min(1, 1 / maxAbs(d)) : 1;

    // Line search (strong Wolfe): bracket, then zoom.
    // Sufficient decrease, or Hager and Zhang's approximate Wolfe condition where f is flat to
    // rounding (near the minimum, f(x + t d) - f(x) falls below the last bits of f).
    const flat = Math.max(8 * Number.EPSILON * Math.abs(f), options.fNoise ?? 0);
    const decreases = (t: number, ft: number, dgt: number): boolean => ft <= f + c1 * t * dg || (ft <= f + flat && dgt <= (2 * c1 - 1) * dg);
    let lastF = NaN;
    const evalAt = (t: number): { f: number; dg: number } => {
      for (let i = 0; i < n; i++) xt[i] = x[i]! + t * d[i]!;
      evaluations++;
      const ft = fg(xt, gt);
      lastF = ft;
      return { f: ft, dg: Number.isFinite(ft) ? dot(gt, d) : NaN };
    };
    let prevT = 0;
    let prevF = f;
    let prevDg = dg;
    let accepted = false;
    let lo = 0, loF = f, loDg = dg, hi = NaN, hiF = NaN, hiDg = NaN;
    let zoom = false;
    for (let ls = 0; ls < maxLineSearch; ls++) {
      const t = zoom ? cubicStep(lo, loF, loDg, hi, hiF, hiDg) : step;
      const { f: ft, dg: dgt } = evalAt(t);
      if (!zoom) {
        if (!Number.isFinite(ft) || !decreases(t, ft, dgt) || (ls > 0 && ft > prevF)) {
          zoom = true;
          lo = prevT; loF = prevF; loDg = prevDg; hi = t; hiF = ft; hiDg = Number.isFinite(dgt) ? dgt : NaN;
          if (!Number.isFinite(ft)) { hiF = Infinity; }
          continue;
        }
        if (Math.abs(dgt) <= -c2 * dg) { step = t; accepted = true; break; }
        if (dgt >= 0) {
          zoom = true;
          lo = t; loF = ft; loDg = dgt; hi = prevT; hiF = prevF; hiDg = prevDg;
          continue;
        }
        prevT = t; prevF = ft; prevDg = dgt;
        step = 2 * t;
        continue;
      }
      // Zoom phase.
      if (!Number.isFinite(ft) || !decreases(t, ft, dgt) || ft > loF) {
        hi = t; hiF = Number.isFinite(ft) ? ft : Infinity; hiDg = dgt;
      } else {
        if (Math.abs(dgt) <= -c2 * dg) { step = t; accepted = true; break; }
        if (dgt * (hi - lo) >= 0) { hi = lo; hiF = loF; hiDg = loDg; }
        lo = t; loF = ft; loDg = dgt;
      }
      if (Math.abs(hi - lo) <= 1e-16 * Math.max(1, Math.abs(lo))) break;
    }
    if (!accepted) {
      // Take the best point seen if it decreases f (the Wolfe curvature condition aside); else
      // forget the curvature pairs and try steepest descent once before giving up.
      let ok = false;
      if (zoom && lo > 0 && loF <= f) {
        const { f: ft } = evalAt(lo);
        ok = ft <= f;
      }
      if (!ok) {
        if (S.length === 0) return done("line-search");
        S.length = 0;
        Y.length = 0;
        rho.length = 0;
        continue;
      }
    }
    // xt, gt hold the accepted point (the last evaluation).
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xt[i]! - x[i]!;
      y[i] = gt[i]! - g[i]!;
    }
    [x, xt] = [xt, x];
    [g, gt] = [gt, g];
    f = lastF; // the accepted point was the last evaluation
    iterations++;
    const sy = dot(s, y);
    if (sy > 1e-300) {
      if (S.length === memory) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    if (options.onIteration?.(iterations, f, g, x)) return done("stopped");
    if (maxAbs(g) <= gtol) return done("gradient");
  }
  return done(stop);
}
