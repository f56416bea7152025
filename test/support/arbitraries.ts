/**
 * fast-check arbitraries shared by the property tests: small random tabular MDPs that brute force
 * can enumerate, and random policies. Seeds come from FC_SEED when set (printed on failure by fast-check).
 */
import fc from "fast-check";
import { TabularMdp, type TransitionEntry } from "../../src/index.js";

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

const normalise = (w: number[]): number[] => {
  const total = w.reduce((x, y) => x + y, 0);
  const p = w.map((x) => x / total);
  // Make the sum exactly representable: put the rounding error on the largest entry.
  const err = 1 - p.reduce((x, y) => x + y, 0);
  const i = p.indexOf(Math.max(...p));
  p[i]! += err;
  return p;
};

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

/** Settings for fc.assert: a fixed seed from FC_SEED when given, else fast-check's own. */
export function fcParams(numRuns = 100): fc.Parameters<unknown> {
  const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
  return seed === undefined ? { numRuns } : { numRuns, seed };
}
