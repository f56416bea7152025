/** Helpers shared by the environment tests. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TabularMdp } from "../../src/index.js";

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

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Run the compiled CLI (npm test compiles before vitest runs). */
export function cai(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["dist/src/cli/main.js", ...args], { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
