/**
 * Property: any valid MDP survives writeMdp -> parseMdp identically, in both formats (numbers bit
 * for bit, -0 included; names and metadata in the native format). Seed with FC_SEED to reproduce.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TabularMdp, parseMdp, writeMdp, type MdpFormat, type TransitionEntry } from "../../src/index.js";

const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : Date.now() % 2 ** 31;
const runs = { seed, numRuns: 200 };

/** Weights -> probabilities; a zero weight stays an exact 0 (an entry with p = 0). */
function normalise(w: number[]): number[] {
  const total = w.reduce((x, y) => x + y, 0);
  return w.map((x) => x / total);
}

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const weights = (len: number) =>
  fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e6, noNaN: true })), { minLength: len, maxLength: len }).filter((w) => w.some((x) => x > 0));

const mdpArb = fc
  .record({ n: fc.integer({ min: 1, max: 6 }), m: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, m }) =>
    fc.record({
      P: fc.array(
        fc.array(
          fc.integer({ min: 1, max: 4 }).chain((k) =>
            fc.tuple(weights(k), fc.array(fc.tuple(fc.nat(n - 1), finite, fc.boolean()), { minLength: k, maxLength: k })).map(([w, rest]) =>
              normalise(w).map((prob, i): TransitionEntry => ({ prob, next: rest[i]![0], reward: rest[i]![1], done: rest[i]![2] })),
            ),
          ),
          { minLength: m, maxLength: m },
        ),
        { minLength: n, maxLength: n },
      ),
      initial: weights(n).map(normalise),
      stateNames: fc.option(fc.array(fc.string({ unit: "binary" }), { minLength: n, maxLength: n }), { nil: undefined }),
      actionNames: fc.option(fc.array(fc.string(), { minLength: m, maxLength: m }), { nil: undefined }),
      meta: fc.option(fc.dictionary(fc.string(), fc.jsonValue()), { nil: undefined }),
    }),
  )
  .map(({ P, initial, stateNames, actionNames, meta }) =>
    TabularMdp.fromLists(P, {
      initial,
      ...(stateNames ? { stateNames } : {}),
      ...(actionNames ? { actionNames } : {}),
      ...(meta ? { meta: JSON.parse(JSON.stringify(meta)) as Record<string, unknown> } : {}),
    }),
  );

function sameArrays(a: TabularMdp, b: TabularMdp): void {
  expect([b.nStates, b.nActions]).toEqual([a.nStates, a.nActions]);
  // toEqual compares numbers with Object.is: -0 and 0 differ, so this is bit-for-bit.
  expect(Array.from(b.rowStart)).toEqual(Array.from(a.rowStart));
  expect(Array.from(b.next)).toEqual(Array.from(a.next));
  expect(Array.from(b.prob)).toEqual(Array.from(a.prob));
  expect(Array.from(b.reward)).toEqual(Array.from(a.reward));
  expect(Array.from(b.done)).toEqual(Array.from(a.done));
  expect(Array.from(b.initial)).toEqual(Array.from(a.initial));
}

describe(`writeMdp -> parseMdp round trip (FC_SEED=${seed})`, () => {
  for (const format of ["gymnasium", "native"] as MdpFormat[]) {
    it(`a random valid MDP survives the ${format} format identically`, () => {
      fc.assert(
        fc.property(mdpArb, (mdp) => {
          const again = parseMdp(writeMdp(mdp, format));
          sameArrays(mdp, again);
          if (format === "native") {
            expect(again.stateNames).toEqual(mdp.stateNames);
            expect(again.actionNames).toEqual(mdp.actionNames);
            expect(again.meta).toEqual(mdp.meta);
          } else {
            expect(again.stateNames).toBeUndefined();
          }
          // Writing again gives the same text: the format is a fixed point.
          expect(writeMdp(again, format)).toBe(writeMdp(mdp, format));
        }),
        runs,
      );
    });
  }

  it("pinned: -0 rewards, extreme magnitudes, p = 0 entries and repeated next states", () => {
    const mdp = TabularMdp.fromLists([
      [[{ prob: 0, next: 0, reward: -0, done: true }, { prob: 0.5, next: 0, reward: Number.MAX_VALUE, done: false }, { prob: 0.5, next: 0, reward: 5e-324, done: false }]],
    ]);
    sameArrays(mdp, parseMdp(writeMdp(mdp)));
    sameArrays(mdp, parseMdp(writeMdp(mdp, "native")));
  });
});
