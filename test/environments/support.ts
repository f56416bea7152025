/** Helpers shared by the environment tests. */
import type { TabularMdp } from "../../src/index.js";
import { root, runCai, type Run } from "../support/cli.js";

/** Gymnasium's tuple form of the entries of (s, a): [prob, next_state, reward, done]. */
export type Entry = [number, number, number, boolean];

/** The entries of (s, a) as Gymnasium lists them in env.P[s][a]. */
export function P(mdp: TabularMdp, s: number, a: number): Entry[] {
  return mdp.entries(s, a).map((e) => [e.prob, e.next, e.reward, e.done]);
}

/** The numeric arrays of an MDP as plain arrays, for whole-table equality. */
export function tables(mdp: TabularMdp): Record<string, number[]> {
  return {
    rowStart: Array.from(mdp.rowStart),
    next: Array.from(mdp.next),
    prob: Array.from(mdp.prob),
    reward: Array.from(mdp.reward),
    done: Array.from(mdp.done),
    initial: Array.from(mdp.initial),
  };
}

/** Run the compiled CLI in the project root (npm test compiles before vitest runs); big outputs fit. */
export function cai(...args: string[]): Run {
  return runCai(args, { cwd: root });
}
