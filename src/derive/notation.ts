/**
 * The notation of the derivations: which mathjs symbols and functions stand for what, how they print
 * (plain text and LaTeX), and which symbols a bound sum ranges over.
 *
 * Expression trees use short identifiers (`p`, `r`, `Vn`, `Q`, `pi0`, ...) so that they can be
 * evaluated with a mathjs scope; the printers replace them by the notation of the lesson
 * (`P(s'|s,a)`, `r(s,a,s')`, `V_{t+1}(s')`, ...). Time indices are not part of the trees: a rule is
 * the same in every slice, and the printer takes the slice's labels from the schedule step.
 *
 * Bound functions (sums and maxima over a variable of the graph):
 *   Sn(x)      sum over next states s' (the successor entries of a row (s, a))
 *   En(x)      expectation over s' ~ P(.|s,a), i.e. Sn(p * x)
 *   Sa(x)      sum over actions a of s
 *   Maxa(x, w) max over the actions a of s with prior weight w > 0
 *   Sn2(x)     sum over actions a' of the next state s' (used when V' is written through Q')
 *   Maxn(x, w) max over the actions a' of s' with w > 0
 *   Ss(x)      sum over states s (the initial factor)
 *   Sy(x)      sum over responses y (RLHF's one-step problem; an action sum)
 *   Tie(x, v)  1 when x is the maximum v (within the engine's tie tolerance), else 0
 */
import type { Expr } from "./mathjs.js";

/** Labels of one slice: t for the factor's own time, tn for the next state's. */
export interface SliceLabels {
  readonly t: string;
  readonly tn: string;
}

/** The stationary slice: a generic t. */
export const GENERIC_SLICE: SliceLabels = { t: "t", tn: "t+1" };

/** Labels of the slice at time t of an unrolled graph (or the generic slice when t is null). */
export function sliceLabels(t: number | null): SliceLabels {
  return t === null ? GENERIC_SLICE : { t: String(t), tn: String(t + 1) };
}

/** How the action prior is named in a model. */
export interface PriorNotation {
  readonly text: string;
  readonly tex: string;
  /** The same at the next state (a' given s'). */
  readonly nextText: string;
  readonly nextTex: string;
}

/** The prior's name when no model names it. */
export const PI0_NOTATION: PriorNotation = { text: "pi0(a|s)", tex: "\\pi_0(a \\mid s)", nextText: "pi0(a'|s')", nextTex: "\\pi_0(a' \\mid s')" };

/** Everything a printer needs besides the tree. */
export interface PrintContext {
  readonly slice: SliceLabels;
  readonly prior: PriorNotation;
}

const sub = (label: string, tex: boolean): string => (label.length > 1 || tex ? `_{${label}}` : `_${label}`);

type Show = (c: PrintContext, tex: boolean) => string;
const same = (s: string): Show => () => s;
const both = (text: string, tex: string): Show => (_c, t) => (t ? tex : text);

/** Display of every symbol the derivations use. */
const SYMBOLS: Readonly<Record<string, Show>> = {
  alpha: both("alpha", "\\alpha"),
  gamma: both("gamma", "\\gamma"),
  lambda: both("lambda", "\\lambda"),
  m: same("m"),
  p: both("P(s'|s,a)", "P(s' \\mid s,a)"),
  r: same("r(s,a,s')"),
  rsa: same("r(s,a)"),
  Vn: (c, t) => `V${sub(c.slice.tn, t)}(s')`,
  Qn: (c, t) => `Q${sub(c.slice.tn, t)}(s',a')`,
  pi0n: (c, t) => (t ? c.prior.nextTex : c.prior.nextText),
  Q: (c, t) => `Q${sub(c.slice.t, t)}(s,a)`,
  V: (c, t) => `V${sub(c.slice.t, t)}(s)`,
  pi0: (c, t) => (t ? c.prior.tex : c.prior.text),
  prior0: both("pi0(a|s)", "\\pi_0(a \\mid s)"),
  pol: (c, t) => (t ? `q${sub(c.slice.t, t)}(a \\mid s)` : `q${sub(c.slice.t, t)}(a|s)`),
  beta_n: (c, t) => (t ? `\\beta${sub(c.slice.tn, t)}(s')` : `beta${sub(c.slice.tn, t)}(s')`),
  beta_sa: (c, t) => (t ? `\\beta${sub(c.slice.t, t)}(s,a)` : `beta${sub(c.slice.t, t)}(s,a)`),
  beta_s: (c, t) => (t ? `\\beta${sub(c.slice.t, t)}(s)` : `beta${sub(c.slice.t, t)}(s)`),
  beta_0: both("beta_0(s)", "\\beta_{0}(s)"),
  log_beta_sa: (c, t) => (t ? `\\ln\\beta${sub(c.slice.t, t)}(s,a)` : `log beta${sub(c.slice.t, t)}(s,a)`),
  log_beta_s: (c, t) => (t ? `\\ln\\beta${sub(c.slice.t, t)}(s)` : `log beta${sub(c.slice.t, t)}(s)`),
  p0: both("p0(s)", "p_0(s)"),
  V0: both("V_0(s)", "V_{0}(s)"),
  Z: same("Z"),
  logZ: both("log Z", "\\ln Z"),
  elbo: both("ELBO(q*)", "\\mathrm{ELBO}(q^*)"),
  J: same("J"),
  piref: (c, t) => (t ? c.prior.tex : c.prior.text),
  Nsa: same("N(s,a)"),
  Ns: same("N(s)"),
  // RLHF's one-step problem: prompt x, responses y and y'.
  x_r: both("r(x,y)", "r(x,y)"),
  x_Q: both("Q(x,y)", "Q(x,y)"),
  x_rp: both("r(x,y')", "r(x,y')"),
  x_V: both("V(x)", "V(x)"),
  x_Z: both("Z(x)", "Z(x)"),
  x_pistar: both("pi*(y|x)", "\\pi^*(y \\mid x)"),
  x_pistarp: both("pi*(y'|x)", "\\pi^*(y' \\mid x)"),
  x_piref: both("pi_ref(y|x)", "\\pi_{\\mathrm{ref}}(y \\mid x)"),
  x_pirefp: both("pi_ref(y'|x)", "\\pi_{\\mathrm{ref}}(y' \\mid x)"),
  x_ry: both("r_DPO(x,y)", "r_{\\mathrm{DPO}}(x,y)"),
};

/** Symbols that a bound function ranges over (renamed with a suffix per term when expanded). */
export const BOUND: Readonly<Record<string, { readonly over: "entry" | "action" | "nextAction" | "state"; readonly symbols: readonly string[] }>> = {
  Sn: { over: "entry", symbols: ["p", "r", "Vn", "Qn", "pi0n", "beta_n"] },
  En: { over: "entry", symbols: ["p", "r", "Vn", "Qn", "pi0n", "beta_n"] },
  Sa: { over: "action", symbols: ["Q", "pi0", "pol", "piref", "Nsa", "beta_sa"] },
  Maxa: { over: "action", symbols: ["Q", "pi0", "pol", "piref", "Nsa", "beta_sa"] },
  Sn2: { over: "nextAction", symbols: ["Qn", "pi0n"] },
  Maxn: { over: "nextAction", symbols: ["Qn", "pi0n"] },
  Ss: { over: "state", symbols: ["p0", "V0", "beta_0"] },
  Sy: { over: "action", symbols: ["x_r", "x_piref", "x_pistar"] },
};

function isAdditive(node: Expr): boolean {
  const n = node as Expr & { op?: string; args?: Expr[] };
  return node.type === "OperatorNode" && (n.op === "+" || (n.op === "-" && (n.args?.length ?? 0) === 2));
}

/** A printer for mathjs's `handler` option (toString and toTex). */
function handler(c: PrintContext, tex: boolean) {
  const print = (node: Expr, options: object): string => (tex ? node.toTex(options) : node.toString(options));
  const group = (node: Expr, options: object): string => {
    const s = print(node, options);
    return isAdditive(node) ? (tex ? `\\left(${s}\\right)` : `(${s})`) : s;
  };
  return (node: Expr, options: object): string | undefined => {
    if (node.type === "SymbolNode") {
      const show = SYMBOLS[(node as Expr & { name: string }).name];
      return show ? (tex ? " " + show(c, true) : show(c, false)) : undefined;
    }
    if (node.type !== "FunctionNode") return undefined;
    const f = node as Expr & { fn: { name?: string }; args: Expr[] };
    const [x, w] = f.args;
    if (x === undefined) return undefined;
    const sn = (name: string) => f.fn.name === name;
    if (sn("Sn")) return tex ? `\\sum_{s'} ${group(x, options)}` : `sum_{s'} ${group(x, options)}`;
    if (sn("Sa")) return tex ? `\\sum_{a} ${group(x, options)}` : `sum_a ${group(x, options)}`;
    if (sn("Sn2")) return tex ? `\\sum_{a'} ${group(x, options)}` : `sum_{a'} ${group(x, options)}`;
    if (sn("Sy")) return tex ? `\\sum_{y} ${group(x, options)}` : `sum_y ${group(x, options)}`;
    if (sn("Ss")) return tex ? `\\sum_{s} ${group(x, options)}` : `sum_s ${group(x, options)}`;
    if (sn("En")) return tex ? `\\mathbb{E}_{s' \\sim P(\\cdot \\mid s,a)}\\left[${print(x, options)}\\right]` : `E_{s'~P(.|s,a)}[${print(x, options)}]`;
    if (sn("Maxa") && w && w.type === "ConstantNode") return tex ? `\\max_{a} ${group(x, options)}` : `max_a ${group(x, options)}`;
    if (sn("Maxa") && w) return tex ? `\\max_{a:\\, ${print(w, options)} > 0} ${group(x, options)}` : `max_{a: ${print(w, options)} > 0} ${group(x, options)}`;
    if (sn("Maxn") && w) return tex ? `\\max_{a':\\, ${print(w, options)} > 0} ${group(x, options)}` : `max_{a': ${print(w, options)} > 0} ${group(x, options)}`;
    if (sn("Tie") && w) return tex ? `\\mathbb{1}\\left[${print(x, options)} = ${print(w, options)}\\right]` : `[${print(x, options)} = ${print(w, options)}]`;
    return undefined;
  };
}

/** Plain-text rendering of an expression in the lesson's notation. */
export function showText(node: Expr, c: PrintContext): string {
  return node.toString({ handler: handler(c, false), parenthesis: "auto" });
}

/** LaTeX rendering (mathjs toTex) of an expression in the lesson's notation. */
export function showTex(node: Expr, c: PrintContext): string {
  return node
    .toTex({ handler: handler(c, true), parenthesis: "auto" })
    .replace(/\s+/g, " ")
    .trim();
}
