/**
 * Reward features for inverse RL: r_theta(s, a, s') = theta . phi(s, a) (the reward of the state
 * left and the action taken, expected over next states).
 *
 * - "state": phi(s, a) = e_s (k = n), the convention of imitation's MCE IRL and Ziebart's thesis;
 * - "state-action": phi(s, a) = e_(s,a) (k = n m);
 * - a table phi[s][a][k] (or phi[s][k], broadcast over actions).
 *
 * A feature map never builds the n x m x k array for the one-hot kinds: it writes the reward table
 * and sums occupancy-weighted features directly.
 */
import { FeatureError, type Problem } from "../errors.js";
import { preview } from "../preview.js";

export type FeatureKind = "state" | "state-action" | "table";

export interface FeatureMap {
  readonly kind: FeatureKind;
  /** k, the length of theta. */
  readonly dim: number;
  readonly nStates: number;
  readonly nActions: number;
  /** r(s, a) = theta . phi(s, a), flat n x m. */
  reward(theta: Float64Array, out: Float64Array): void;
  /** sum_{s,a} w(s, a) phi(s, a) (w flat n x m), written to out (length k). */
  expect(w: Float64Array, out: Float64Array): void;
}

/** One-hot of the state left (k = n). */
export function stateFeatures(nStates: number, nActions: number): FeatureMap {
  const m = nActions;
  return {
    kind: "state",
    dim: nStates,
    nStates,
    nActions,
    reward(theta, out) {
      for (let s = 0; s < nStates; s++) out.fill(theta[s]!, s * m, (s + 1) * m);
    },
    expect(w, out) {
      for (let s = 0; s < nStates; s++) {
        let acc = 0;
        for (let a = 0; a < m; a++) acc += w[s * m + a]!;
        out[s] = acc;
      }
    },
  };
}

/** One-hot of (s, a) (k = n m). */
export function stateActionFeatures(nStates: number, nActions: number): FeatureMap {
  return {
    kind: "state-action",
    dim: nStates * nActions,
    nStates,
    nActions,
    reward(theta, out) {
      out.set(theta);
    },
    expect(w, out) {
      out.set(w);
    },
  };
}

/** A dense table phi, flat n x m x k (phi[(s m + a) k + i]). */
export function tableFeatures(phi: Float64Array, nStates: number, nActions: number, k: number): FeatureMap {
  const rows = nStates * nActions;
  if (phi.length !== rows * k) throw new RangeError(`feature table has ${phi.length} numbers for ${rows} (s, a) pairs x ${k} features`);
  return {
    kind: "table",
    dim: k,
    nStates,
    nActions,
    reward(theta, out) {
      for (let r = 0; r < rows; r++) {
        let acc = 0;
        for (let i = 0; i < k; i++) acc += theta[i]! * phi[r * k + i]!;
        out[r] = acc;
      }
    },
    expect(w, out) {
      out.fill(0);
      for (let r = 0; r < rows; r++) {
        const x = w[r]!;
        if (x === 0) continue;
        for (let i = 0; i < k; i++) out[i]! += x * phi[r * k + i]!;
      }
    },
  };
}

/** At most this many numbers in a feature table (n m k). */
export const FEATURE_TABLE_LIMIT = 50_000_000;

/**
 * Read `{"features": phi[s][a][k]}` or `{"features": phi[s][k]}` (broadcast over actions).
 * @param source - how errors name the document.
 * @throws {@link FeatureError} naming the state, action and feature of every bad entry.
 */
export function parseFeatures(doc: unknown, nStates: number, nActions: number, source = "features"): FeatureMap {
  const fail = (message: string, extra: Partial<Problem> = {}): never => {
    throw new FeatureError([{ code: "bad-features", path: source, message: `${source}: ${message}`, ...extra }]);
  };
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || !("features" in doc)) fail('expected an object {"features": phi[s][a][k]} (or phi[s][k])');
  const o = doc as Record<string, unknown>;
  for (const key of Object.keys(o)) if (key !== "features" && key !== "meta") fail(`unknown key "${key}" (expected features, meta)`);
  const table = o.features;
  if (!Array.isArray(table) || table.length !== nStates) fail(`features has ${Array.isArray(table) ? table.length : "no list of"} rows, expected ${nStates} (one per state)`);
  const rows = table as unknown[];
  const first = rows[0];
  if (!Array.isArray(first) || first.length === 0) fail("features[0] must be a non-empty list (phi[s][k], or phi[s][a][k])");
  const perAction = Array.isArray((first as unknown[])[0]);
  const k = perAction ? ((first as unknown[])[0] as unknown[]).length : (first as unknown[]).length;
  if (k === 0) fail("there must be at least one feature");
  if (nStates * nActions * k > FEATURE_TABLE_LIMIT) fail(`${nStates} x ${nActions} x ${k} features is more than ${FEATURE_TABLE_LIMIT} numbers`);
  const phi = new Float64Array(nStates * nActions * k);
  const problems: Problem[] = [];
  const put = (v: unknown, s: number, a: number | null, i: number, where: string): void => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      if (problems.length < 20) problems.push({ code: "bad-feature", path: `${source}: ${where}`, state: s, message: `${source}: ${where} is ${preview(v)}, expected a finite number` });
      return;
    }
    if (a === null) for (let b = 0; b < nActions; b++) phi[(s * nActions + b) * k + i] = v;
    else phi[(s * nActions + a) * k + i] = v;
  };
  rows.forEach((row, s) => {
    if (!Array.isArray(row)) {
      problems.push({ code: "bad-features", path: `${source}: features[${s}]`, state: s, message: `${source}: features[${s}] is not a list` });
      return;
    }
    if (perAction) {
      if (row.length !== nActions) {
        problems.push({ code: "bad-features", path: `${source}: features[${s}]`, state: s, message: `${source}: features[${s}] has ${row.length} actions, expected ${nActions}` });
        return;
      }
      row.forEach((cell: unknown, a) => {
        if (!Array.isArray(cell) || cell.length !== k) {
          problems.push({ code: "bad-features", path: `${source}: features[${s}][${a}]`, state: s, message: `${source}: features[${s}][${a}] has ${Array.isArray(cell) ? cell.length : "no list of"} features, expected ${k}` });
          return;
        }
        cell.forEach((v: unknown, i) => put(v, s, a, i, `features[${s}][${a}][${i}]`));
      });
    } else {
      if (row.length !== k) {
        problems.push({ code: "bad-features", path: `${source}: features[${s}]`, state: s, message: `${source}: features[${s}] has ${row.length} features, expected ${k} (as features[0])` });
        return;
      }
      row.forEach((v: unknown, i) => put(v, s, null, i, `features[${s}][${i}]`));
    }
  });
  if (problems.length > 0) throw new FeatureError(problems);
  return tableFeatures(phi, nStates, nActions, k);
}
