/** State names of grid environments. */

/** Above this many states, grid environments omit `stateNames` (the names would cost more than the table). */
export const STATE_NAME_LIMIT = 10_000;

/** "r,c" names for an R x C grid, or undefined above {@link STATE_NAME_LIMIT} states. */
export function cellNames(rows: number, cols: number): string[] | undefined {
  if (rows * cols > STATE_NAME_LIMIT) return undefined;
  const names: string[] = new Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) names[r * cols + c] = `${r},${c}`;
  return names;
}
