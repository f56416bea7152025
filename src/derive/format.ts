/**
 * Printing a derivation: plain text for a terminal, or LaTeX (mathjs toTex, amsmath's align*).
 */
import { RULES } from "../inference/rules/index.js";
import type { DerivedEquation } from "./rules.js";
import type { Derivation, DerivationStep } from "./derive.js";
import { GENERIC_SLICE, showTex, showText, sliceLabels, type PrintContext } from "./notation.js";

/** Output formats of {@link formatDerivation}. */
/** The output formats of a derivation. */
export const DERIVE_FORMATS = ["text", "latex"] as const;
export type DeriveFormat = (typeof DERIVE_FORMATS)[number];


const KIND_WORDS = { dynamics: "dynamics x optimality factor", prior: "action-prior factor", initial: "initial factor" } as const;

function stepContext(d: Derivation, step: DerivationStep): PrintContext {
  return { slice: sliceLabels(step.schedule.t), prior: d.notation };
}

/** Variable names of the schedule, with the generic slice's time labels in the stationary graph. */
function varName(d: Derivation, v: string, isNext = false): string {
  if (d.schedule.stationary && v !== "p0") return `${v}_${isNext ? GENERIC_SLICE.tn : GENERIC_SLICE.t}`;
  return v;
}

function factorName(d: Derivation, f: string): string {
  return d.schedule.stationary && f !== "p0" ? `${f}_t` : f;
}

function scheduleLine(d: Derivation, step: DerivationStep): string {
  const s = step.schedule;
  if (s.kind === "dynamics") return `${factorName(d, s.factor)} -> (${s.to.map((v) => varName(d, v)).join(", ")}) from ${varName(d, s.from, true)} ("next")`;
  if (s.kind === "prior") return `${factorName(d, s.factor)} -> ${s.to.map((v) => varName(d, v)).join(", ")} from ${varName(d, s.from)}`;
  return `${s.factor} closes at ${d.schedule.stationary ? "s_0" : s.from}`;
}

function textEquation(e: DerivedEquation, c: PrintContext, indent: string): string[] {
  const out = [`${indent}${showText(e.lhs, c)} = ${showText(e.rhs, c)}`];
  out.push(`${indent}    by: ${e.by}`);
  if (e.when !== undefined) out.push(`${indent}    when: ${e.when}`);
  return out;
}

/** The derivation as plain text. */
export function formatText(d: Derivation): string {
  const out: string[] = [];
  out.push(`Control as inference: the backward messages of the trajectory factor graph`);
  out.push(`backup: ${d.backup}, ${RULES[d.backup].words.derivation}`);
  if (d.modelSection) out.push(`model:  ${d.model}, ${d.modelSection.title}`);
  out.push("");
  out.push(
    d.schedule.stationary
      ? "Schedule read off the graph (the stationary slice; every sweep of soft value iteration runs it, any t):"
      : `Schedule read off the graph (unrolled over H = ${d.horizon}; V_${d.horizon} = 0 at the horizon):`,
  );
  d.steps.forEach((step, i) => out.push(`  ${i + 1}. ${scheduleLine(d, step)}   [${KIND_WORDS[step.schedule.kind]}, rule ${step.rule}]`));
  const seen = new Set<string>();
  d.steps.forEach((step, i) => {
    const c = stepContext(d, step);
    out.push("");
    out.push(`${i + 1}. ${scheduleLine(d, step)}: ${KIND_WORDS[step.schedule.kind]}, rule ${step.rule}`);
    const key = step.schedule.kind;
    if (!d.schedule.stationary && seen.has(key)) {
      // Later slices of an unrolled graph run the same rule: print its results only.
      for (const e of step.output.equations) if (e.role === "backup" || (e.role === "policy" && e === lastPolicy(step))) out.push(...textEquation(e, c, "   "));
      return;
    }
    seen.add(key);
    for (const e of step.output.equations) out.push(...textEquation(e, c, "   "));
  });
  const c0: PrintContext = { slice: GENERIC_SLICE, prior: d.notation };
  out.push("");
  out.push("The backup in Q alone:");
  out.push(...textEquation(d.combined, c0, "   "));
  if (d.modelSection) {
    out.push("");
    out.push(`Model ${d.model}: ${d.modelSection.title}`);
    for (const e of d.modelSection.equations) out.push(...textEquation(e, c0, "   "));
    for (const n of d.modelSection.notes) out.push(`   - ${n}`);
  }
  return out.join("\n") + "\n";
}

function lastPolicy(step: DerivationStep): DerivedEquation | undefined {
  const ps = step.output.equations.filter((e) => e.role === "policy");
  return ps[ps.length - 1];
}

/** Escape plain text for LaTeX (arrows become \\to). */
function texText(s: string): string {
  return s
    .replace(/[\\{}$&#^_%~]/g, (ch) => (ch === "\\" ? "\\textbackslash{}" : ch === "^" ? "\\^{}" : ch === "~" ? "\\~{}" : `\\${ch}`))
    .replace(/->/g, "$\\to$");
}

function texEquations(eqs: readonly DerivedEquation[], c: PrintContext): string[] {
  const out = ["\\begin{align*}"];
  eqs.forEach((e, i) => {
    const note = e.when !== undefined ? `${e.by}; when ${e.when}` : e.by;
    out.push(`  ${showTex(e.lhs, c)} &= ${showTex(e.rhs, c)}${i < eqs.length - 1 ? " \\\\" : ""} % ${note.replace(/\n/g, " ")}`);
  });
  out.push("\\end{align*}");
  return out;
}

/** The derivation as LaTeX (needs amsmath and amssymb); the identity behind each line is a comment. */
export function formatLatex(d: Derivation): string {
  const out: string[] = [];
  out.push(`% cai derive --backup ${d.backup}${d.model !== null ? ` --model ${d.model}` : ""}${d.horizon !== null ? ` --horizon ${d.horizon}` : ""} --format latex`);
  out.push("% needs \\usepackage{amsmath,amssymb}");
  out.push(`\\paragraph{Backup.} ${texText(`${d.backup}: ${RULES[d.backup].words.derivation}`)}`);
  if (d.modelSection) out.push(`\\paragraph{Model.} ${texText(d.modelSection.title)}`);
  const seen = new Set<string>();
  d.steps.forEach((step, i) => {
    const c = stepContext(d, step);
    out.push(`\\paragraph{${i + 1}. ${texText(scheduleLine(d, step))}} ${texText(`${KIND_WORDS[step.schedule.kind]}, rule ${step.rule}.`)}`);
    const key = step.schedule.kind;
    const eqs = !d.schedule.stationary && seen.has(key) ? step.output.equations.filter((e) => e.role === "backup" || e === lastPolicy(step)) : step.output.equations;
    seen.add(key);
    out.push(...texEquations(eqs, c));
  });
  const c0: PrintContext = { slice: GENERIC_SLICE, prior: d.notation };
  out.push(`\\paragraph{The backup in Q alone} (${texText(d.combined.when ?? "")}).`);
  out.push(...texEquations([d.combined], c0));
  if (d.modelSection) {
    out.push(`\\paragraph{Model ${texText(d.model ?? "")}.}`);
    out.push(...texEquations(d.modelSection.equations, c0));
    out.push("\\begin{itemize}");
    for (const n of d.modelSection.notes) out.push(`  \\item ${texText(n)}`);
    out.push("\\end{itemize}");
  }
  return out.join("\n") + "\n";
}

/** Print a derivation in the given format. */
export function formatDerivation(d: Derivation, format: DeriveFormat = "text"): string {
  return format === "latex" ? formatLatex(d) : formatText(d);
}
