/**
 * Example 3, MaxEnt RL on CliffWalking (Gymnasium's 4 x 12 grid, reward -1 per step, -100 and back
 * to the start for stepping into the cliff): an alpha sweep of the soft Bellman backup with the
 * uniform prior. As alpha grows the policy keeps more entropy, a random step next to the cliff gets
 * expensive, and the path moves up, away from the cliff.
 */
import { CLIFF_WALKING_ACTIONS, cliffWalking, solve, type SolveResult, type TabularMdp } from "../src/index.js";
import { num, table, type ExampleOutput } from "./common.js";

export const title = "MaxEnt RL on CliffWalking: the policy moves away from the cliff as alpha grows";

const ROWS = 4;
const COLS = 12;
const START = 36;
export const GAMMA = 0.99;

/** One run of the sweep: where the policy spends its (discounted) time. */
export interface CliffRow {
  /** "hard" for the max-product backup (alpha -> 0), else the temperature. */
  readonly alpha: number | "hard";
  /** sum_t gamma^t P(s_t = s) from the start, summed over the grid: the expected discounted episode length. */
  readonly visits: number;
  /** The share of those visits on the row next to the cliff (row 2, columns 1..10). */
  readonly cliffRowShare: number;
  /** The visit-weighted mean row (0 = top, 3 = the cliff's row). */
  readonly meanRow: number;
  /** Expected discounted number of steps into the cliff. */
  readonly falls: number;
  /** Expected discounted return (rewards only, no entropy). */
  readonly return: number;
  /** pi(UP | the start state). */
  readonly upAtStart: number;
  readonly map: readonly string[];
}

const ARROWS = ["^", ">", "v", "<"] as const;

function measure(mdp: TabularMdp, res: SolveResult, alpha: number | "hard"): CliffRow {
  const occ = res.occupancy!;
  const m = mdp.nActions;
  let visits = 0;
  let cliffRow = 0;
  let rowSum = 0;
  let falls = 0;
  let ret = 0;
  for (let s = 0; s < mdp.nStates; s++) {
    const r = Math.floor(s / COLS);
    const c = s % COLS;
    visits += occ[s]!;
    rowSum += r * occ[s]!;
    if (r === 2 && c >= 1 && c <= 10) cliffRow += occ[s]!;
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      for (let k = mdp.rowStart[row]!; k < mdp.rowStart[row + 1]!; k++) {
        const w = occ[s]! * res.policy[row]! * mdp.prob[k]!;
        ret += w * mdp.reward[k]!;
        if (mdp.reward[k] === -100) falls += w;
      }
    }
  }
  const map: string[] = [];
  for (let r = 0; r < ROWS; r++) {
    let line = "";
    for (let c = 0; c < COLS; c++) {
      const s = r * COLS + c;
      if (r === 3 && c >= 1 && c <= 10) line += "C";
      else if (s === 47) line += "G";
      else {
        let best = 0;
        for (let a = 1; a < m; a++) if (res.policy[s * m + a]! > res.policy[s * m + best]!) best = a;
        line += ARROWS[best];
      }
    }
    map.push(line);
  }
  return { alpha, visits, cliffRowShare: cliffRow / visits, meanRow: rowSum / visits, falls, return: ret, upAtStart: res.policy[START * m + 0]!, map };
}

export const ALPHAS = [0.05, 0.5, 1, 2, 4, 8] as const;

export function run(): CliffExample {
  const mdp = cliffWalking();
  const rows: CliffRow[] = [measure(mdp, solve(mdp, { backup: "hard", gamma: GAMMA, strict: true }), "hard")];
  for (const alpha of ALPHAS) rows.push(measure(mdp, solve(mdp, { backup: "variational", alpha, gamma: GAMMA, strict: true }), alpha));
  const shown = rows.filter((r) => r.alpha === "hard" || r.alpha === 1 || r.alpha === 8);
  const lines = [
    `CliffWalking (4 x 12, deterministic moves ${CLIFF_WALKING_ACTIONS.join("/")}): -1 per step, -100 and back to S for a step`,
    `into the cliff C, the episode ends at G. Soft value iteration (variational backup, uniform prior, gamma = ${GAMMA}).`,
    "Visits are discounted state occupancies from S under each policy (sum_t gamma^t P(s_t = s)).",
    "",
    ...table(
      ["alpha", "visits", "next to cliff", "mean row", "cliff falls", "return", "pi(UP|S)"],
      rows.map((r) => [String(r.alpha), num(r.visits, 2), num(r.cliffRowShare, 3), num(r.meanRow, 2), r.falls.toExponential(2), num(r.return, 2), num(r.upAtStart, 3)]),
    ),
    "",
    "As alpha grows the share of visits on the row next to the cliff falls and the mean row rises (0 = top):",
    "a policy that keeps entropy sometimes steps at random, and next to the cliff a random step costs -100.",
    "The hard optimum (alpha -> 0) walks right along the cliff edge.",
    "",
    "Most probable action per cell (C cliff, G goal; S is the bottom-left cell):",
    ...shown.flatMap((r) => [`  alpha = ${r.alpha}`, ...r.map.map((l) => `    ${l}`)]),
  ];
  return { lines, rows };
}

export interface CliffExample extends ExampleOutput {
  readonly rows: readonly CliffRow[];
}
