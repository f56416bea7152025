/**
 * fast-check arbitraries shared by the property tests: small random tabular MDPs that brute force
 * can enumerate, random policies, and random priors. Seeds come from FC_SEED when set (printed on failure by fast-check).
 */
import fc from "fast-check";
import { TabularMdp, entropyPrior, tablePrior, uniformPrior, type ActionPrior, type TransitionEntry } from "../../src/index.js";
import { normalise } from "./numeric.js";

export interface MdpShape {
  minStates?: number;
  maxStates?: number;
  maxActions?: number;
  maxEntries?: number;
  /** Allow done entries. */
  terminal?: boolean;
  /** Only one positive-probability successor per (s, a). */
  deterministic?: boolean;
  /** Every entry done (one-step problems). */
  allDone?: boolean;
  rewardRange?: number;
}

/** A random small MDP (validated), with a random initial distribution. */
export function arbMdp(shape: MdpShape = {}): fc.Arbitrary<TabularMdp> {
  const { minStates = 1, maxStates = 3, maxActions = 3, maxEntries = 3, terminal = true, deterministic = false, allDone = false, rewardRange = 2 } = shape;
  return fc
    .record({ n: fc.integer({ min: minStates, max: maxStates }), m: fc.integer({ min: 1, max: maxActions }) })
    .chain(({ n, m }) => {
      const entry = fc.record({
        w: fc.double({ min: 0.05, max: 1, noNaN: true }),
        next: fc.integer({ min: 0, max: n - 1 }),
        reward: fc.double({ min: -rewardRange, max: rewardRange, noNaN: true }),
        done: allDone ? fc.constant(true) : terminal ? fc.boolean() : fc.constant(false),
      });
      const list = fc.array(entry, { minLength: 1, maxLength: deterministic ? 1 : maxEntries });
      return fc.record({
        P: fc.array(fc.array(list, { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
        init: fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
      });
    })
    .map(({ P, init }) => {
      const lists: TransitionEntry[][][] = P.map((row) =>
        row.map((list) => {
          const p = normalise(list.map((e) => e.w));
          return list.map((e, i) => ({ prob: p[i]!, next: e.next, reward: e.reward, done: e.done }));
        }),
      );
      return TabularMdp.fromLists(lists, { initial: normalise(init) });
    });
}

/** A random time-indexed policy table (H tables of n x m, rows summing to 1, all entries > 0). */
export function arbPolicies(n: number, m: number, H: number): fc.Arbitrary<Float64Array[]> {
  return fc.array(fc.array(fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }), { minLength: H, maxLength: H }).map((ts) =>
    ts.map((rows) => Float64Array.from(rows.flatMap(normalise))),
  );
}

/** The kind of a random prior: uniform, entropy (weight 1 per action) or a table with masks. */
export const arbPriorKind = fc.constantFrom("uniform", "entropy", "table");
/** Nine numbers in [0, 1] from which {@link makePrior} builds a table prior on any small MDP. */
export const arbPriorSeed = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 9, maxLength: 9 });

/**
 * The prior of `kind` for `mdp`; for "table", weights 0.1 + x from the seed (recycled over the
 * n x m pairs), with zeros (masks) where x < 0.25, every row keeping action 0.
 */
export function makePrior(kind: string, mdp: TabularMdp, seed: readonly number[]): ActionPrior {
  const { nStates: n, nActions: m } = mdp;
  if (kind === "uniform") return uniformPrior(n, m);
  if (kind === "entropy") return entropyPrior(n, m);
  const rows: number[][] = [];
  for (let s = 0; s < n; s++) {
    const w = Array.from({ length: m }, (_, a) => {
      const x = seed[(s * m + a) % seed.length]!;
      return x < 0.25 && a > 0 ? 0 : 0.1 + x;
    });
    const total = w.reduce((x, y) => x + y, 0);
    const p = w.map((x) => x / total);
    p[0]! += 1 - p.reduce((x, y) => x + y, 0);
    rows.push(p);
  }
  return tablePrior(rows, n, m);
}

/** Settings for fc.assert: a fixed seed from FC_SEED when given, else fast-check's own. */
export function fcParams(numRuns = 100): fc.Parameters<unknown> {
  const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
  return seed === undefined ? { numRuns } : { numRuns, seed };
}

/**
 * The priors of the kernel tests, from a seed: uniform, entropy form, or a table with random weights
 * and some actions masked (pi0 = 0, never every action of a state). The same seed gives the same table.
 */
export function seededPrior(kind: "uniform" | "entropy" | "table", n: number, m: number, seed: number): ActionPrior {
  if (kind === "uniform") return uniformPrior(n, m);
  if (kind === "entropy") return entropyPrior(n, m);
  let x = seed >>> 0;
  const rnd = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const rows: number[][] = [];
  for (let s = 0; s < n; s++) {
    const w = Array.from({ length: m }, (_, a) => (a > 0 && rnd() < 0.3 ? 0 : 0.1 + rnd()));
    const total = w.reduce((u, v) => u + v, 0);
    const p = w.map((v) => v / total);
    p[0]! += 1 - p.reduce((u, v) => u + v, 0);
    rows.push(p);
  }
  return tablePrior(rows, n, m);
}
