/**
 * The runs behind a figure: one solve per panel, varying the backup (exact against variational)
 * or the temperature (an alpha sweep). A run that fails (exact mode without a fixed point, or not
 * converged under `strict`) becomes a panel that says why, never a panel of unconverged numbers.
 */
import { ParameterError, RunError } from "../errors.js";
import type { Backup } from "../inference/rules/index.js";
import { solve, type SolveOptions } from "../inference/solve.js";
import type { TabularMdp } from "../mdp/tabular.js";
import type { ValuePanel } from "./values-svg.js";

/** How panels treat a run that fails. */
export interface PanelRunOptions {
  /** Turn a {@link RunError} into a panel that shows its message (else it is thrown). @defaultValue true */
  readonly catchRunErrors?: boolean;
  /**
   * Turn a {@link ParameterError} into a panel too: for panels whose settings the program derived
   * (the report's default sweep alpha/10, 10 alpha), which the user never wrote. @defaultValue false
   */
  readonly catchDerivedParameterErrors?: boolean;
}

/** Solve once and wrap the result (or, by default, the run error) as a panel. Input errors are thrown. */
export function solvePanel(mdp: TabularMdp, options: SolveOptions, title: string, how: PanelRunOptions = {}): ValuePanel {
  try {
    return { title, result: solve(mdp, options) };
  } catch (e) {
    if (e instanceof RunError && (how.catchRunErrors ?? true)) return { title, error: e.message };
    if (e instanceof ParameterError && how.catchDerivedParameterErrors) return { title, error: `not drawn: ${e.message}` };
    throw e;
  }
}

/** A short description of a run's settings, e.g. "α = 1, γ = 0.99, infinite horizon, uniform prior". */
export function settingsText(o: SolveOptions, show: { readonly alpha?: boolean } = {}): string {
  const parts: string[] = [];
  if (show.alpha ?? true) parts.push(`α = ${o.alpha ?? 1}`);
  parts.push(`γ = ${o.gamma ?? 1}`, o.horizon !== undefined ? `H = ${o.horizon}` : "infinite horizon");
  parts.push(o.entropy ? "entropy form" : o.prior ? `${o.prior.kind} prior` : "uniform prior");
  return parts.join(", ");
}

/** One panel per backup, the other options equal: the side-by-side comparison. */
export function backupPanels(mdp: TabularMdp, base: SolveOptions, backups: readonly Backup[], how: PanelRunOptions = {}): ValuePanel[] {
  return backups.map((backup) => solvePanel(mdp, { ...base, backup }, backup, how));
}

/** One panel per temperature, the other options equal: the small multiples of an alpha sweep. */
export function alphaPanels(mdp: TabularMdp, base: SolveOptions, alphas: readonly number[], how: PanelRunOptions = {}): ValuePanel[] {
  return alphas.map((alpha) => solvePanel(mdp, { ...base, alpha }, `α = ${alpha}`, how));
}

/** Panels for every (backup, alpha) pair, row by row (backups) and column by column (alphas). */
export function gridOfPanels(
  mdp: TabularMdp,
  base: SolveOptions,
  backups: readonly Backup[],
  alphas: readonly number[],
  how: PanelRunOptions = {},
  titles: { readonly backup?: boolean; readonly alpha?: boolean } = {},
): ValuePanel[] {
  const out: ValuePanel[] = [];
  const title = (backup: Backup, alpha: number) => [titles.backup ?? true ? backup : null, titles.alpha ?? true ? `α = ${alpha}` : null].filter((x) => x !== null).join(", ");
  for (const backup of backups) for (const alpha of alphas) out.push(solvePanel(mdp, { ...base, backup, alpha }, title(backup, alpha), how));
  return out;
}
