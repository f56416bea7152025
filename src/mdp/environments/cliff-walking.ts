/**
 * CliffWalking, built exactly as Gymnasium's toy_text `CliffWalkingEnv.__init__` builds `env.P`
 * (CliffWalking-v1, the version with `is_slippery`):
 *
 * - a 4 x 12 grid, state = row * 12 + col (48 states); actions 0 UP, 1 RIGHT, 2 DOWN, 3 LEFT;
 *   a move off the grid is clamped (stays put along that axis);
 * - the cliff is row 3, columns 1..10. Entering it gives `(p, 36, -100, False)`: back to the start,
 *   reward -100, and the episode goes on (it is not terminal);
 * - any other move gives `(p, s', -1, s' == 47)`: the episode ends on entering the goal (3, 11);
 * - slippery: three entries for the moves (a-1)%4, a, (a+1)%4 in that order, each with
 *   probability 1 / 3; not slippery (the default): one entry with probability 1.0;
 * - every state lists ordinary moves, the cliff cells and the goal included (Gymnasium gives the
 *   goal no absorbing self-loop: it is never occupied, because entering it ends the episode);
 * - p0 puts probability 1 on the start state 36.
 */
import { checkOptionKeys } from "../../options.js";
import { TabularMdp, indexArray } from "../tabular.js";
import { cellNames } from "./cells.js";
import { SLIPPERY_FLAGS, slipperyFlag, type EnvironmentDescriptor } from "./descriptor.js";

/** Gymnasium's CliffWalking action names, in action order. */
export const CLIFF_WALKING_ACTIONS = ["UP", "RIGHT", "DOWN", "LEFT"] as const;

/** The CliffWalking grid: S start, F free, C cliff, G goal. */
export const CLIFF_WALKING_MAP = ["FFFFFFFFFFFF", "FFFFFFFFFFFF", "FFFFFFFFFFFF", "SCCCCCCCCCCG"] as const;

/** Options of {@link cliffWalking}. */
export interface CliffWalkingOptions {
  /** Each move goes to the intended or either perpendicular direction, 1/3 each. @defaultValue false */
  readonly isSlippery?: boolean;
}

const ROWS = 4;
const COLS = 12;
const START_STATE = 36;
const GOAL_STATE = 47;
// Row and column change of UP, RIGHT, DOWN, LEFT (Gymnasium's POSITION_MAPPING).
const DR = [-1, 0, 1, 0] as const;
const DC = [0, 1, 0, -1] as const;

/**
 * Gymnasium's CliffWalking-v1 as a validated {@link TabularMdp}, entry for entry the `env.P` of
 * `gym.make("CliffWalking-v1", is_slippery=...)`.
 */
export function cliffWalking(options: CliffWalkingOptions = {}): TabularMdp {
  checkOptionKeys(options, Object.keys({ isSlippery: 1 } satisfies Record<keyof CliffWalkingOptions, 1>), "cliffWalking");
  const { isSlippery = false } = options;
  const n = ROWS * COLS;
  const per = isSlippery ? 3 : 1;
  const p = 1 / per;
  const nnz = n * 4 * per;
  const rowStart = indexArray(n * 4 + 1);
  const next = indexArray(nnz);
  const prob = new Float64Array(nnz);
  const reward = new Float64Array(nnz);
  const done = new Uint8Array(nnz);
  let k = 0;
  for (let s = 0; s < n; s++) {
    const row = Math.floor(s / COLS);
    const col = s % COLS;
    for (let a = 0; a < 4; a++) {
      rowStart[s * 4 + a] = k;
      for (let j = 0; j < per; j++) {
        const d = per === 1 ? a : (a + 3 + j) & 3;
        const r2 = Math.min(Math.max(row + DR[d]!, 0), ROWS - 1);
        const c2 = Math.min(Math.max(col + DC[d]!, 0), COLS - 1);
        const t = r2 * COLS + c2;
        prob[k] = p;
        if (r2 === ROWS - 1 && c2 >= 1 && c2 <= COLS - 2) {
          next[k] = START_STATE;
          reward[k] = -100;
          done[k] = 0;
        } else {
          next[k] = t;
          reward[k] = -1;
          done[k] = t === GOAL_STATE ? 1 : 0;
        }
        k++;
      }
    }
  }
  rowStart[n * 4] = k;
  const initial = new Float64Array(n);
  initial[START_STATE] = 1;
  return TabularMdp.fromArrays(
    { nStates: n, nActions: 4, rowStart, next, prob, reward, done, initial },
    {
      stateNames: cellNames(ROWS, COLS)!,
      actionNames: [...CLIFF_WALKING_ACTIONS],
      meta: {
        name: "CliffWalking",
        gymnasiumId: "CliffWalking-v1",
        rows: ROWS,
        cols: COLS,
        map: [...CLIFF_WALKING_MAP],
        isSlippery,
        start: START_STATE,
        goal: GOAL_STATE,
      },
    },
  );
}

// cai env face: from here on, this environment's descriptor for `cai env` (issue 12: name, flags, help, build); its text may name flags.

/** `cai env cliffwalking`. */
export const CLIFF_WALKING_ENV: EnvironmentDescriptor = {
  name: "cliffwalking",
  help: [
    "  cliffwalking      CliffWalking-v1, 4 x 12; actions UP, RIGHT, DOWN, LEFT; the cliff costs -100 and returns",
    "                    to the start without ending the episode; -1 per other step; the goal ends it",
    "    --slippery        intended or either perpendicular move, 1/3 each (not slippery by default)",
  ],
  flags: SLIPPERY_FLAGS,
  build: (inputs) => cliffWalking({ isSlippery: slipperyFlag(inputs, false) }),
  grid: { meta: "CliffWalking", legend: { S: "start", F: "free", C: "cliff", G: "goal" }, statesPerCell: 1 },
};
