/**
 * Taxi, built exactly as Gymnasium's toy_text `TaxiEnv.__init__` builds `env.P` (Taxi-v3, the
 * default dry, non-fickle version):
 *
 * - 500 states, state = ((taxi_row * 5 + taxi_col) * 5 + passenger) * 4 + destination, with
 *   passenger 0..3 at a depot (R, G, Y, B at (0,0), (0,4), (4,0), (4,3)) or 4 in the taxi, and
 *   destination 0..3; actions 0 SOUTH, 1 NORTH, 2 EAST, 3 WEST, 4 PICKUP, 5 DROPOFF;
 * - one entry `(1.0, s', r, done)` per (s, a): moves cost -1 (into a wall or the edge: stay, -1);
 *   a pickup at the passenger's depot puts the passenger in the taxi (-1), any other pickup -10;
 *   a dropoff with the passenger aboard at the destination ends the episode with +20, at another
 *   depot leaves the passenger there (-1), anywhere else -10;
 * - p0 is uniform over the 300 states with the passenger at a depot other than the destination.
 *
 * Gymnasium 1.2 added `is_rainy` and `fickle_passenger`; they are not built here (the rainy
 * transitions changed between releases, and fickleness is sampled at reset, outside `P`).
 */
import { TabularMdp, indexArray } from "../tabular.js";
import type { EnvironmentDescriptor } from "./descriptor.js";

/** Gymnasium's Taxi action names, in action order. */
export const TAXI_ACTIONS = ["SOUTH", "NORTH", "EAST", "WEST", "PICKUP", "DROPOFF"] as const;

/** Gymnasium's Taxi map (`MAP` in taxi.py): ":" is an open passage, "|" a wall. */
export const TAXI_LAYOUT = ["+---------+", "|R: | : :G|", "| : | : : |", "| : : : : |", "| | : | : |", "|Y| : |B: |", "+---------+"] as const;

/** The depots (row, col) of R, G, Y, B, in Gymnasium's `locs` order. */
export const TAXI_DEPOTS = [
  [0, 0],
  [0, 4],
  [4, 0],
  [4, 3],
] as const;

const DEPOT_LETTERS = ["R", "G", "Y", "B"] as const;

/** A decoded Taxi state. `passenger` 0..3 is a depot (R, G, Y, B), 4 is in the taxi. */
export interface TaxiState {
  readonly row: number;
  readonly col: number;
  readonly passenger: number;
  readonly destination: number;
}

/** Gymnasium's `encode(taxi_row, taxi_col, pass_loc, dest_idx)`. */
export function taxiEncode(row: number, col: number, passenger: number, destination: number): number {
  return ((row * 5 + col) * 5 + passenger) * 4 + destination;
}

/** Gymnasium's `decode(i)`, as named fields. */
export function taxiDecode(s: number): TaxiState {
  const destination = s % 4;
  let i = Math.floor(s / 4);
  const passenger = i % 5;
  i = Math.floor(i / 5);
  const col = i % 5;
  const row = Math.floor(i / 5);
  return { row, col, passenger, destination };
}

/** Gymnasium's Taxi-v3 as a validated {@link TabularMdp}, entry for entry the `env.P` of `gym.make("Taxi-v3")`. */
export function taxi(): TabularMdp {
  const n = 500;
  const m = 6;
  const maxRow = 4;
  const maxCol = 4;
  const rowStart = indexArray(n * m + 1);
  const next = indexArray(n * m);
  const prob = new Float64Array(n * m).fill(1);
  const reward = new Float64Array(n * m);
  const done = new Uint8Array(n * m);
  const initial = new Float64Array(n);
  const stateNames: string[] = new Array(n);
  const open = (r: number, c: number): boolean => TAXI_LAYOUT[r]!.charAt(c) === ":";
  const depotAt = (row: number, col: number): number => TAXI_DEPOTS.findIndex(([r, c]) => r === row && c === col);
  let starts = 0;
  for (let row = 0; row < 5; row++) {
    for (let col = 0; col < 5; col++) {
      const here = depotAt(row, col);
      for (let pass = 0; pass < 5; pass++) {
        for (let dest = 0; dest < 4; dest++) {
          const s = taxiEncode(row, col, pass, dest);
          stateNames[s] = `${row},${col},${pass === 4 ? "taxi" : DEPOT_LETTERS[pass]},${DEPOT_LETTERS[dest]}`;
          if (pass < 4 && pass !== dest) {
            initial[s] = 1;
            starts++;
          }
          for (let a = 0; a < m; a++) {
            let newRow = row;
            let newCol = col;
            let newPass = pass;
            let r = -1;
            let terminated = false;
            if (a === 0) newRow = Math.min(row + 1, maxRow);
            else if (a === 1) newRow = Math.max(row - 1, 0);
            if (a === 2 && open(1 + row, 2 * col + 2)) newCol = Math.min(col + 1, maxCol);
            else if (a === 3 && open(1 + row, 2 * col)) newCol = Math.max(col - 1, 0);
            else if (a === 4) {
              if (pass < 4 && here === pass) newPass = 4;
              else r = -10;
            } else if (a === 5) {
              if (here === dest && pass === 4) {
                newPass = dest;
                terminated = true;
                r = 20;
              } else if (here >= 0 && pass === 4) newPass = here;
              else r = -10;
            }
            const k = s * m + a;
            rowStart[k] = k;
            next[k] = taxiEncode(newRow, newCol, newPass, dest);
            reward[k] = r;
            done[k] = terminated ? 1 : 0;
          }
        }
      }
    }
  }
  rowStart[n * m] = n * m;
  for (let s = 0; s < n; s++) initial[s] = initial[s]! / starts;
  return TabularMdp.fromArrays(
    { nStates: n, nActions: m, rowStart, next, prob, reward, done, initial },
    {
      stateNames,
      actionNames: [...TAXI_ACTIONS],
      meta: {
        name: "Taxi",
        gymnasiumId: "Taxi-v3",
        rows: 5,
        cols: 5,
        map: ["R...G", ".....", ".....", ".....", "Y..B."],
        layout: [...TAXI_LAYOUT],
        stateEncoding: "((taxi_row * 5 + taxi_col) * 5 + passenger) * 4 + destination; passenger 0-3 = R, G, Y, B, 4 = in taxi",
      },
    },
  );
}

// cai env face: from here on, this environment's descriptor for `cai env` (issue 12: name, flags, help, build); its text may name flags.

/** `cai env taxi`. */
export const TAXI_ENV: EnvironmentDescriptor = {
  name: "taxi",
  help: ["  taxi              Taxi-v3, 500 states; actions SOUTH, NORTH, EAST, WEST, PICKUP, DROPOFF"],
  flags: [],
  build: () => taxi(),
  // state = ((row * 5 + col) * 5 + passenger) * 4 + destination: 20 states a cell.
  grid: { meta: "Taxi", legend: { ".": "road", R: "depot", G: "depot", Y: "depot", B: "depot" }, statesPerCell: 20 },
};
