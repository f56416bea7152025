/**
 * FrozenLake, built exactly as Gymnasium's toy_text `FrozenLakeEnv.__init__` builds `env.P`
 * (FrozenLake-v1, Gymnasium 1.x with `success_rate` and `reward_schedule`):
 *
 * - state = row * ncol + col; actions 0 LEFT, 1 DOWN, 2 RIGHT, 3 UP; a move off the grid stays put;
 * - a hole or goal cell lists one entry `(1.0, s, 0, True)` per action (absorbing, reward 0);
 * - elsewhere, slippery: three entries for the directions (a-1)%4, a, (a+1)%4, in that order, with
 *   probabilities fail, success_rate, fail where fail = (1 - success_rate) / 2 (success_rate = 1/3
 *   by default, so the side entries are 0.33333333333333337 and the middle one 1/3, bit for bit);
 *   not slippery: one entry `(1.0, s', r, done)`;
 * - the reward of an entry is reward_schedule[G, H, F] for the letter of the cell entered
 *   (default (1, 0, 0): 1 only on entering the goal; S counts as F); done on entering G or H;
 * - p0 is uniform over the S cells.
 *
 * `frozenLakeOpen` is the open N x N lake of the soft value iteration benchmark
 * (test/bench/ref/softvi.c): no holes, start top-left, goal bottom-right, and by default the
 * three slippery entries all 1/3 exactly, as the C reference builds them.
 */
import { checkOptionKeys } from "../../options.js";
import { InputError, ParameterError, type Problem } from "../../errors.js";
import { TabularMdp, indexArray } from "../tabular.js";
import { cellNames } from "./cells.js";
import { checkTableSize } from "../../limits.js";
import { SLIPPERY_FLAGS, slipperyFlag, type EnvironmentDescriptor, type EnvironmentInputs } from "./descriptor.js";

/** Gymnasium's FrozenLake action names, in action order. */
export const FROZEN_LAKE_ACTIONS = ["LEFT", "DOWN", "RIGHT", "UP"] as const;

/** Gymnasium's named maps (`MAPS` in frozen_lake.py). */
export const FROZEN_LAKE_MAPS = {
  "4x4": ["SFFF", "FHFH", "FFFH", "HFFG"],
  "8x8": ["SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"],
} as const satisfies Record<string, readonly string[]>;

/** Names of Gymnasium's built-in maps. */
export type FrozenLakeMapName = keyof typeof FROZEN_LAKE_MAPS;

/** Options of {@link frozenLake}. */
export interface FrozenLakeOptions {
  /** A named map or custom rows of S, F, H, G. @defaultValue "4x4" */
  readonly map?: FrozenLakeMapName | readonly string[];
  /** @defaultValue true */
  readonly isSlippery?: boolean;
  /** Probability of moving in the intended direction when slippery. @defaultValue 1/3 */
  readonly successRate?: number;
  /** Rewards for entering a goal, a hole, a frozen (or start) cell. @defaultValue [1, 0, 0] */
  readonly rewardSchedule?: readonly [goal: number, hole: number, frozen: number];
}

/** Options of {@link frozenLakeOpen}. */
export interface FrozenLakeOpenOptions {
  /** @defaultValue true */
  readonly isSlippery?: boolean;
  /**
   * Probability of the intended direction when slippery; each side gets (1 - successRate) / 2.
   * When absent all three entries are exactly 1/3, as the bench's C reference (test/bench/ref/softvi.c) builds them.
   */
  readonly successRate?: number;
}

/** Every key of the options (complete by `satisfies`): any other key is an error naming the nearest. */
const FROZEN_LAKE_OPTION_KEYS = Object.keys({ map: 1, isSlippery: 1, successRate: 1, rewardSchedule: 1 } satisfies Record<keyof FrozenLakeOptions, 1>);
const FROZEN_LAKE_OPEN_OPTION_KEYS = Object.keys({ isSlippery: 1, successRate: 1 } satisfies Record<keyof FrozenLakeOpenOptions, 1>);

// Cell codes of the typed grid.
const FROZEN = 0;
const START = 1;
const HOLE = 2;
const GOAL = 3;
const CODE: Readonly<Record<string, number>> = { F: FROZEN, S: START, H: HOLE, G: GOAL };

/**
 * Gymnasium's FrozenLake-v1 as a validated {@link TabularMdp}, entry for entry the `env.P` of
 * `gym.make("FrozenLake-v1", desc=..., map_name=..., is_slippery=..., success_rate=..., reward_schedule=...)`.
 *
 * @param options - map (default "4x4"), isSlippery (default true), successRate (default 1/3),
 *   rewardSchedule (default [1, 0, 0]).
 * @throws {@link ParameterError} for an unknown map name, a successRate outside [0, 1] or a
 *   non-finite reward; {@link InputError} listing every problem of a custom map (ragged rows,
 *   characters other than S, F, H, G, no S, no G).
 */
export function frozenLake(options: FrozenLakeOptions = {}): TabularMdp {
  checkOptionKeys(options, FROZEN_LAKE_OPTION_KEYS, "frozenLake", (v) =>
    typeof v === "string" ? `a map name goes in the options: frozenLake({ map: ${JSON.stringify(v)} })` : Array.isArray(v) ? "custom rows go in the options: frozenLake({ map: [...] })" : undefined,
  );
  const { map = "4x4", isSlippery = true, successRate = 1 / 3, rewardSchedule = [1, 0, 0] } = options;
  let rows: readonly string[];
  let mapName: string | undefined;
  if (typeof map === "string") {
    const named = (FROZEN_LAKE_MAPS as Record<string, readonly string[]>)[map];
    if (!named) {
      throw new ParameterError("map", `unknown map name "${map}" (named maps: ${Object.keys(FROZEN_LAKE_MAPS).join(", ")}; or give the rows, e.g. ["SFFF", "FHFH", "FFFH", "HFFG"])`);
    }
    rows = named;
    mapName = map;
  } else {
    rows = map;
  }
  checkProbability("successRate", successRate);
  if (rewardSchedule.length !== 3 || !rewardSchedule.every(Number.isFinite)) {
    throw new ParameterError("rewardSchedule", `expected three finite rewards [goal, hole, frozen], got ${JSON.stringify(rewardSchedule)}`);
  }
  const cells = parseMap(rows);
  const nrow = rows.length;
  const ncol = rows[0]!.length;
  const fail = (1 - successRate) / 2;
  const mdp = buildLake(cells, nrow, ncol, isSlippery ? [fail, successRate, fail] : undefined, rewardSchedule, {
    name: "FrozenLake",
    gymnasiumId: "FrozenLake-v1",
    ...(mapName ? { mapName } : {}),
    rows: nrow,
    cols: ncol,
    map: [...rows],
    isSlippery,
    successRate,
    rewardSchedule: [...rewardSchedule],
  });
  return mdp;
}

/**
 * The open N x N FrozenLake: start at the top-left cell, goal at the bottom-right, no holes, in
 * Gymnasium's layout. Built straight into typed arrays (N = 1000, a million states and 12 million
 * entries, in well under a second); matches `open_lake()` of test/bench/ref/softvi.c entry for entry:
 * nnz = 12 (N^2 - 1) + 4 when slippery, 4 (N^2 - 1) + 4 when not.
 *
 * @param size - N >= 2.
 * @throws {@link ParameterError} for a size that is not an integer >= 2, a table too large for
 *   32-bit indices, or a successRate outside [0, 1].
 */
export function frozenLakeOpen(size: number, options: FrozenLakeOpenOptions = {}): TabularMdp {
  checkOptionKeys(options, FROZEN_LAKE_OPEN_OPTION_KEYS, "frozenLakeOpen");
  const { isSlippery = true, successRate } = options;
  if (!Number.isInteger(size) || size < 2) throw new ParameterError("size", `expected an integer >= 2, got ${size}`);
  // 12 (N^2 - 1) + 4 entries must fit Int32 indices.
  if (12 * (size * size - 1) + 4 > 0x7fffffff) throw new ParameterError("size", `${size} x ${size} has too many transition entries for 32-bit indices (at most N = 13377)`);
  if (successRate !== undefined) checkProbability("successRate", successRate);
  const n = size * size;
  const cells = new Uint8Array(n); // all FROZEN
  cells[0] = START;
  cells[n - 1] = GOAL;
  let probs: readonly [number, number, number] | undefined;
  if (isSlippery) {
    if (successRate === undefined) probs = [1 / 3, 1 / 3, 1 / 3];
    else {
      const fail = (1 - successRate) / 2;
      probs = [fail, successRate, fail];
    }
  }
  const first = "S" + "F".repeat(size - 1);
  const middle = "F".repeat(size);
  const last = "F".repeat(size - 1) + "G";
  const map: string[] = new Array(size);
  for (let r = 0; r < size; r++) map[r] = r === 0 ? first : r === size - 1 ? last : middle;
  return buildLake(cells, size, size, probs, [1, 0, 0], {
    name: "FrozenLakeOpen",
    size,
    rows: size,
    cols: size,
    map,
    isSlippery,
    ...(successRate !== undefined ? { successRate } : {}),
  });
}

/** Throws a {@link ParameterError} unless p is a number in [0, 1]. */
function checkProbability(field: string, p: number): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ParameterError(field, `expected a probability in [0, 1], got ${p}`);
}

/** Validate custom rows and turn them into cell codes; lists every problem found. */
function parseMap(rows: readonly string[]): Uint8Array {
  const problems: Problem[] = [];
  const bad = (path: string, message: string) => problems.push({ code: "bad-map", path, message: `map: ${message}` });
  if (!Array.isArray(rows) || rows.length === 0) {
    bad("map", "expected at least one row of S, F, H, G");
    throw new InputError(problems);
  }
  const ncol = typeof rows[0] === "string" ? rows[0].length : 0;
  if (ncol === 0) bad("map[0]", "row 1 is empty");
  let starts = 0;
  let goals = 0;
  const cells = new Uint8Array(rows.length * Math.max(ncol, 1));
  rows.forEach((row, r) => {
    if (typeof row !== "string") {
      bad(`map[${r}]`, `row ${r + 1} is not a string`);
      return;
    }
    if (row.length !== ncol) {
      bad(`map[${r}]`, `row ${r + 1} ("${row}") has ${row.length} cells, row 1 has ${ncol} (rows must have equal length)`);
      return;
    }
    for (let c = 0; c < ncol; c++) {
      const ch = row.charAt(c);
      const code = CODE[ch];
      if (code === undefined) {
        bad(`map[${r}]`, `row ${r + 1} ("${row}"): "${ch}" at column ${c + 1} is not one of S, F, H, G`);
        continue;
      }
      if (code === START) starts++;
      if (code === GOAL) goals++;
      cells[r * ncol + c] = code;
    }
  });
  if (problems.length === 0 && starts === 0) bad("map", "no start cell S (the initial distribution is uniform over the S cells)");
  if (problems.length === 0 && goals === 0) bad("map", "no goal cell G");
  if (problems.length > 0) throw new InputError(problems);
  return cells;
}

/**
 * The CSR table of a lake, straight into typed arrays. `probs` = [left-of-intended, intended,
 * right-of-intended] when slippery, undefined when not.
 */
function buildLake(
  cells: Uint8Array,
  nrow: number,
  ncol: number,
  probs: readonly [number, number, number] | undefined,
  schedule: readonly [number, number, number],
  meta: Record<string, unknown>,
): TabularMdp {
  const n = nrow * ncol;
  const per = probs ? 3 : 1;
  let terminals = 0;
  let startCount = 0;
  for (let s = 0; s < n; s++) {
    const code = cells[s]!;
    if (code === HOLE || code === GOAL) terminals++;
    else if (code === START) startCount++;
  }
  const nnz = terminals * 4 + (n - terminals) * 4 * per;
  const rowStart = indexArray(n * 4 + 1);
  const next = indexArray(nnz);
  const prob = new Float64Array(nnz);
  const reward = new Float64Array(nnz);
  const done = new Uint8Array(nnz);
  // Reward and done of entering a cell, by cell code (S counts as F).
  const rewardOf = new Float64Array(4);
  rewardOf[FROZEN] = schedule[2];
  rewardOf[START] = schedule[2];
  rewardOf[HOLE] = schedule[1];
  rewardOf[GOAL] = schedule[0];
  const doneOf = Uint8Array.of(0, 0, 1, 1);
  const pSide = probs ? probs[0] : 1;
  const pMain = probs ? probs[1] : 1;
  const pOther = probs ? probs[2] : 1;
  // Neighbours of the current cell in direction order LEFT, DOWN, RIGHT, UP (off the grid: stay).
  const nb = new Int32Array(4);
  let k = 0;
  for (let row = 0; row < nrow; row++) {
    for (let col = 0; col < ncol; col++) {
      const s = row * ncol + col;
      const code = cells[s]!;
      const base = s * 4;
      if (code === HOLE || code === GOAL) {
        // Absorbing: one entry (1.0, s, 0, True) per action.
        for (let a = 0; a < 4; a++) {
          rowStart[base + a] = k;
          next[k] = s;
          prob[k] = 1;
          done[k] = 1;
          k++;
        }
        continue;
      }
      nb[0] = col > 0 ? s - 1 : s;
      nb[1] = row < nrow - 1 ? s + ncol : s;
      nb[2] = col < ncol - 1 ? s + 1 : s;
      nb[3] = row > 0 ? s - ncol : s;
      for (let a = 0; a < 4; a++) {
        rowStart[base + a] = k;
        if (per === 1) {
          const t = nb[a]!;
          const e = cells[t]!;
          next[k] = t;
          prob[k] = 1;
          reward[k] = rewardOf[e]!;
          done[k] = doneOf[e]!;
          k++;
          continue;
        }
        // Directions (a-1)%4, a, (a+1)%4, in Gymnasium's order.
        let t = nb[(a + 3) & 3]!;
        let e = cells[t]!;
        next[k] = t;
        prob[k] = pSide;
        reward[k] = rewardOf[e]!;
        done[k] = doneOf[e]!;
        k++;
        t = nb[a]!;
        e = cells[t]!;
        next[k] = t;
        prob[k] = pMain;
        reward[k] = rewardOf[e]!;
        done[k] = doneOf[e]!;
        k++;
        t = nb[(a + 1) & 3]!;
        e = cells[t]!;
        next[k] = t;
        prob[k] = pOther;
        reward[k] = rewardOf[e]!;
        done[k] = doneOf[e]!;
        k++;
      }
    }
  }
  rowStart[n * 4] = k;
  const initial = new Float64Array(n);
  for (let s = 0; s < n; s++) if (cells[s] === START) initial[s] = 1 / startCount;
  const stateNames = cellNames(nrow, ncol);
  return TabularMdp.fromArrays(
    { nStates: n, nActions: 4, rowStart, next, prob, reward, done, initial },
    { ...(stateNames ? { stateNames } : {}), actionNames: [...FROZEN_LAKE_ACTIONS], meta },
  );
}

// cai env face: from here on, this environment's descriptor for `cai env` (issue 12: name, flags, help, build); its text may name flags.

/** How a lake is drawn: Gymnasium's letters. */
const LAKE_LEGEND = { S: "start", F: "frozen", H: "hole", G: "goal" } as const;

/** `cai env frozenlake`. */
export const FROZEN_LAKE_ENV: EnvironmentDescriptor = {
  name: "frozenlake",
  help: [
    "  frozenlake        FrozenLake-v1; actions LEFT, DOWN, RIGHT, UP",
    "    --map M           4x4 (default), 8x8, or rows of S, F, H, G separated by commas, e.g. SFFF,FHFH,FFFH,HFFG",
    "    --no-slippery     deterministic moves (slippery is the default)",
    "    --success-rate P  probability of the intended direction when slippery (default 1/3); each side gets (1-P)/2",
    "    --reward-schedule G,H,F  rewards for entering a goal, a hole, a frozen cell (default 1,0,0)",
  ],
  flags: [{ name: "map", type: "string" }, ...SLIPPERY_FLAGS, { name: "success-rate", type: "string" }, { name: "reward-schedule", type: "string" }],
  build(inputs) {
    const successRate = inputs.number("success-rate", { min: 0, max: 1 });
    const schedule = inputs.text("reward-schedule");
    return frozenLake({
      map: mapFlag(inputs),
      isSlippery: slipperyFlag(inputs, true),
      ...(successRate !== undefined ? { successRate } : {}),
      ...(schedule !== undefined ? { rewardSchedule: scheduleFlag(inputs, schedule) } : {}),
    });
  },
  grid: { meta: "FrozenLake", legend: LAKE_LEGEND, statesPerCell: 1 },
};

/** `cai env frozenlake-open`. */
export const FROZEN_LAKE_OPEN_ENV: EnvironmentDescriptor = {
  name: "frozenlake-open",
  help: [
    "  frozenlake-open   open N x N FrozenLake: start top-left, goal bottom-right, no holes (the benchmark layout;",
    "                    slippery entries all exactly 1/3 unless --success-rate is given)",
    "    --size N          side, N >= 2 (required)",
    "    --no-slippery, --success-rate P",
  ],
  flags: [{ name: "size", type: "string" }, ...SLIPPERY_FLAGS, { name: "success-rate", type: "string" }],
  build(inputs) {
    const size = inputs.number("size", { integer: true, min: 2 });
    if (size === undefined) return inputs.fail("frozenlake-open needs --size N (N >= 2)");
    checkTableSize(4 * size * size, 12 * size * size, "--size", `an open lake of ${size} x ${size} cells`);
    const successRate = inputs.number("success-rate", { min: 0, max: 1 });
    return frozenLakeOpen(size, { isSlippery: slipperyFlag(inputs, true), ...(successRate !== undefined ? { successRate } : {}) });
  },
  grid: { meta: "FrozenLakeOpen", legend: LAKE_LEGEND, statesPerCell: 1 },
};

/** --map: a named map, or comma-separated rows. */
function mapFlag(inputs: EnvironmentInputs): FrozenLakeMapName | string[] {
  const value = inputs.text("map");
  if (value === undefined) return "4x4";
  if (value in FROZEN_LAKE_MAPS) return value as FrozenLakeMapName;
  if (value.includes(",") || /^[SFHG]+$/.test(value.trim())) return value.split(",").map((row) => row.trim());
  return inputs.fail(`--map: "${value}" is neither a named map (${Object.keys(FROZEN_LAKE_MAPS).join(", ")}) nor rows of S, F, H, G separated by commas`);
}

/** --reward-schedule "G,H,F" as three numbers. */
function scheduleFlag(inputs: EnvironmentInputs, value: string): [number, number, number] {
  const parts = value.split(",");
  if (parts.length !== 3) inputs.fail(`--reward-schedule: expected three numbers G,H,F (rewards for entering a goal, a hole, a frozen cell), got "${value}"`);
  const [g, h, f] = parts.map((p) => inputs.parse(p, "reward-schedule")) as [number, number, number];
  return [g, h, f];
}
