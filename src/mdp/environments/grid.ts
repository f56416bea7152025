/**
 * The grid behind a grid environment, read back from an MDP's `meta` (so it survives a round trip
 * through the native format), for code that draws pictures or prints tables of values.
 *
 * Every grid environment stores `meta.name`, `meta.rows`, `meta.cols` and `meta.map` (one string
 * per row, one character per cell). FrozenLake and its open variant use Gymnasium's letters
 * (S start, F frozen, H hole, G goal); CliffWalking uses S, F (free), C (cliff), G; Taxi stores the
 * four depots R, G, Y, B on a 5 x 5 map of "." and Gymnasium's ASCII layout (walls) in
 * `meta.layout`.
 */
import type { TabularMdp } from "../tabular.js";

/** What a cell is, for drawing. */
export type CellKind = "start" | "frozen" | "hole" | "goal" | "free" | "cliff" | "road" | "depot";

/** Above this many states, grid environments omit `stateNames` (the names would cost more than the table). */
export const STATE_NAME_LIMIT = 10_000;

/** The grid of a grid environment. */
export interface GridShape {
  /** The environment's name (`meta.name`). */
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  /** One string per row, top to bottom, one character per cell. */
  readonly map: readonly string[];
  /** The kind of each map character. */
  readonly legend: Readonly<Record<string, CellKind>>;
  /** Gymnasium's ASCII layout with walls, when the environment has one (Taxi). */
  readonly layout?: readonly string[];
  /** The cell (row * cols + col) that state s occupies. */
  cellOf(s: number): number;
  /** Row and column of state s. */
  position(s: number): { row: number; col: number };
  /** The kind of the cell state s occupies. */
  kindOf(s: number): CellKind;
}

const LEGENDS: Readonly<Record<string, Readonly<Record<string, CellKind>>>> = {
  FrozenLake: { S: "start", F: "frozen", H: "hole", G: "goal" },
  FrozenLakeOpen: { S: "start", F: "frozen", H: "hole", G: "goal" },
  CliffWalking: { S: "start", F: "free", C: "cliff", G: "goal" },
  Taxi: { ".": "road", R: "depot", G: "depot", Y: "depot", B: "depot" },
};

/**
 * The grid of an MDP built by one of the grid environments (FrozenLake, FrozenLakeOpen,
 * CliffWalking, Taxi), read from its `meta`; undefined for any other MDP or when `meta` does not
 * describe a consistent grid.
 */
export function gridShape(mdp: TabularMdp): GridShape | undefined {
  const { name, rows, cols, map, layout } = mdp.meta as { name?: unknown; rows?: unknown; cols?: unknown; map?: unknown; layout?: unknown };
  if (typeof name !== "string") return undefined;
  const legend = LEGENDS[name];
  if (!legend) return undefined;
  if (!(Number.isInteger(rows) && Number.isInteger(cols))) return undefined;
  const R = rows as number;
  const C = cols as number;
  if (!Array.isArray(map) || map.length !== R || !map.every((row) => typeof row === "string" && row.length === C)) return undefined;
  const rowsOfMap = map as string[];
  const taxi = name === "Taxi";
  if (taxi ? mdp.nStates !== R * C * 20 : mdp.nStates !== R * C) return undefined;
  // Taxi: state = ((row * 5 + col) * 5 + passenger) * 4 + destination, so the cell is s / 20.
  const cellOf = taxi ? (s: number) => Math.floor(s / 20) : (s: number) => s;
  const shape: GridShape = {
    name,
    rows: R,
    cols: C,
    map: rowsOfMap,
    legend,
    cellOf,
    position(s) {
      const cell = cellOf(s);
      return { row: Math.floor(cell / C), col: cell % C };
    },
    kindOf(s) {
      const cell = cellOf(s);
      return legend[rowsOfMap[Math.floor(cell / C)]!.charAt(cell % C)] ?? "free";
    },
  };
  if (Array.isArray(layout) && layout.every((x) => typeof x === "string")) return { ...shape, layout: layout as string[] };
  return shape;
}

/** "r,c" names for an R x C grid, or undefined above {@link STATE_NAME_LIMIT} states. */
export function cellNames(rows: number, cols: number): string[] | undefined {
  if (rows * cols > STATE_NAME_LIMIT) return undefined;
  const names: string[] = new Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) names[r * cols + c] = `${r},${c}`;
  return names;
}
