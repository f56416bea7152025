/**
 * What every example shares: the shape of an example module and a few printing helpers.
 */

/** An example: `run()` computes, returns its key numbers and the lines it prints. */
export interface ExampleOutput {
  /** What the example prints, line by line. */
  readonly lines: readonly string[];
}

/** A number with a fixed number of decimals and a leading space for non-negative values. */
export function num(x: number, digits = 4): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? " Infinity" : "-Infinity";
  const s = x.toFixed(digits);
  return s.startsWith("-") ? s : ` ${s}`;
}

/** A small right-aligned text table. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], indent = "  "): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => indent + cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  return [line(head), indent + widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}

/** Total variation distance between two rows of probabilities. */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>, from: number, to: number): number {
  let d = 0;
  for (let i = from; i < to; i++) d += Math.abs(p[i]! - q[i]!);
  return d / 2;
}
