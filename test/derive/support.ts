/**
 * Shared pieces of the derivation tests: small MDPs written out by hand, and a closeness check
 * whose failure message names the place.
 */
import { expect } from "vitest";
import { TabularMdp, type TransitionEntry } from "../../src/index.js";

/**
 * |a - b| <= tol max(1, |a|, |b|, magnitude), with the place in the failure message; `magnitude` is
 * the size of the terms a sum cancelled (rounding is relative to it, not to the result).
 */
export function expectClose(actual: number, expected: number, where: string, tol = 1e-12, magnitude = 0): void {
  const err = Math.abs(actual - expected);
  const scale = Math.max(1, Math.abs(actual), Math.abs(expected), magnitude);
  if (!(err <= tol * scale)) expect.fail(`${where}: derived ${actual}, engine ${expected} (difference ${err.toExponential(3)}, tolerance ${tol} x ${scale})`);
  expect(err).toBeLessThanOrEqual(tol * scale);
}

const e = (prob: number, next: number, reward: number, done = false): TransitionEntry => ({ prob, next, reward, done });

/**
 * Three states, three actions; stochastic rows, rewards that depend on s', terminal entries, and an
 * entry with probability 0 (a mask).
 */
export function smallMdp(): TabularMdp {
  return TabularMdp.fromLists(
    [
      [
        [e(0.5, 1, 0.3), e(0.3, 2, -0.7), e(0.2, 0, 0.1)],
        [e(1, 2, 0.25)],
        [e(0.6, 0, -0.2), e(0.4, 1, 0.4, true), e(0, 2, 5)],
      ],
      [
        [e(0.9, 1, -0.1), e(0.1, 2, 0.8, true)],
        [e(0.25, 0, 0.6), e(0.75, 2, -0.3)],
        [e(1, 1, 0.05)],
      ],
      [
        [e(0.7, 0, 0.2), e(0.3, 1, 0.1)],
        [e(1, 2, -0.4, true)],
        [e(0.5, 2, 0.35), e(0.5, 0, -0.15)],
      ],
    ],
    { initial: [0.5, 0.3, 0.2] },
  );
}

/**
 * The same shape with rewards r(s, a) (equal on every entry of a row) and no terminal entries: the
 * conditions of the special forms (Q = r + ...).
 */
export function rewardPerPairMdp(): { mdp: TabularMdp; rsa: number[] } {
  const rsa = [0.3, -0.2, 0.1, 0.5, -0.4, 0.2, 0.05, -0.1, 0.35];
  const rows: [number, number][][] = [
    [[0.5, 1], [0.3, 2], [0.2, 0]],
    [[1, 2]],
    [[0.6, 0], [0.4, 1]],
    [[0.9, 1], [0.1, 2]],
    [[0.25, 0], [0.75, 2]],
    [[1, 1]],
    [[0.7, 0], [0.3, 1]],
    [[0.4, 2], [0.6, 1]],
    [[0.5, 2], [0.5, 0]],
  ];
  const P: TransitionEntry[][][] = [0, 1, 2].map((s) => [0, 1, 2].map((a) => rows[s * 3 + a]!.map(([p, n]) => e(p, n, rsa[s * 3 + a]!))));
  return { mdp: TabularMdp.fromLists(P, { initial: [0.2, 0.5, 0.3] }), rsa };
}

/** A prior table over 3 x 3 with one masked action in state 1. */
export const TABLE_PRIOR = [
  [0.2, 0.5, 0.3],
  [0.6, 0, 0.4],
  [0.1, 0.1, 0.8],
];
