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
import { ENVIRONMENTS } from "./registry.js";
import type { EnvironmentDescriptor } from "./descriptor.js";
export { STATE_NAME_LIMIT, cellNames } from "./cells.js";

/** What a cell is, for drawing. */
export type CellKind = "start" | "frozen" | "hole" | "goal" | "free" | "cliff" | "road" | "depot";

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

/**
 * The grid of an MDP built by one of the grid environments (those whose descriptor has a `grid`
 * drawing: FrozenLake, FrozenLakeOpen, CliffWalking, Taxi), read from its `meta`; undefined for any
 * other MDP or when `meta` does not describe a consistent grid.
 * @param environments - the environments whose drawings to look in. @defaultValue the registry's
 */
export function gridShape(mdp: TabularMdp, environments: readonly EnvironmentDescriptor[] = ENVIRONMENTS): GridShape | undefined {
  const { name, rows, cols, map, layout } = mdp.meta as { name?: unknown; rows?: unknown; cols?: unknown; map?: unknown; layout?: unknown };
  if (typeof name !== "string") return undefined;
  // The drawing of the environment that wrote this meta.name (its descriptor's `grid`).
  const drawing = environments.find((e) => e.grid?.meta === name)?.grid;
  if (!drawing) return undefined;
  const { legend, statesPerCell } = drawing;
  if (!(Number.isInteger(rows) && Number.isInteger(cols))) return undefined;
  const R = rows as number;
  const C = cols as number;
  if (!Array.isArray(map) || map.length !== R || !map.every((row) => typeof row === "string" && row.length === C)) return undefined;
  const rowsOfMap = map as string[];
  if (mdp.nStates !== R * C * statesPerCell) return undefined;
  // States are numbered cell by cell (Taxi: ((row * 5 + col) * 5 + passenger) * 4 + destination, 20 a cell).
  const cellOf = statesPerCell === 1 ? (s: number) => s : (s: number) => Math.floor(s / statesPerCell);
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
