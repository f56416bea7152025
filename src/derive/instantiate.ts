/**
 * From symbols to numbers: expand the bound sums of a derived expression over the entries, actions
 * or states of a concrete MDP, and evaluate it with mathjs at a scope holding the MDP's numbers.
 * This is how the tests (and a reader) check that a derivation says what the engine computes.
 *
 * Expansion renames each bound symbol with a suffix per term: entry k of a row -> `_e<k>`, action
 * j -> `_a<j>`, state i -> `_s<i>` (inner sums first, so Q' at action j of entry k is `Qn_a<j>_e<k>`).
 * Tie(x, v) becomes the engine's tie test x >= v - 1e-9 max(1, |v|).
 */
import { ParameterError, RunError } from "../errors.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { TIE_TOLERANCE } from "../inference/rules/actions.js";
import type { Backup } from "../inference/rules/index.js";
import type { Derivation } from "./derive.js";
import type { Expr, MathJs } from "./mathjs.js";
import { BOUND } from "./notation.js";

/** How many terms each kind of bound sum has. */
export interface ExpandSizes {
  /** Successor entries of the row (s, a). */
  readonly entries?: number;
  /** Actions per state. */
  readonly actions?: number;
  /** States (the initial factor's sum). */
  readonly states?: number;
}

type Fn = Expr & { fn: Expr & { name: string }; args: Expr[] };

const SUFFIX = { entry: "_e", action: "_a", nextAction: "_a", state: "_s" } as const;

function rename(math: MathJs, node: Expr, symbols: readonly string[], suffix: string): Expr {
  return node.transform((n) => {
    if (n.type !== "SymbolNode") return n;
    const name = (n as Expr & { name: string }).name;
    return symbols.some((b) => name === b || name.startsWith(b + "_")) ? new math.SymbolNode(name + suffix) : n;
  });
}

function chain(math: MathJs, terms: Expr[], op: "+" | "max"): Expr {
  if (op === "max") return new math.FunctionNode(new math.SymbolNode("max"), terms);
  if (terms.length === 0) return new math.ConstantNode(0);
  return terms.reduce((acc, t) => new math.OperatorNode("+", "add", [acc, t]));
}

/**
 * Expand every bound sum, maximum and tie indicator of `node` into plain arithmetic over the given
 * sizes. Throws when the tree needs a size that is not given.
 */
export function expand(math: MathJs, node: Expr, sizes: ExpandSizes): Expr {
  const rec = (n: Expr): Expr => {
    const mapped = n.type === "FunctionNode" ? new math.FunctionNode((n as Fn).fn, (n as Fn).args.map(rec)) : n.map((child) => rec(child));
    if (mapped.type !== "FunctionNode") return mapped;
    const f = mapped as Fn;
    const name = f.fn.name;
    if (name === "Tie") {
      const [x, v] = f.args as [Expr, Expr];
      const cut = new math.OperatorNode("-", "subtract", [
        v,
        new math.OperatorNode("*", "multiply", [new math.ConstantNode(TIE_TOLERANCE), new math.FunctionNode(new math.SymbolNode("max"), [new math.ConstantNode(1), new math.FunctionNode(new math.SymbolNode("abs"), [v])])]),
      ]);
      return new math.ConditionalNode(new math.OperatorNode(">=", "largerEq", [x, cut]), new math.ConstantNode(1), new math.ConstantNode(0));
    }
    const b = BOUND[name];
    if (!b) return mapped;
    const count = b.over === "entry" ? sizes.entries : b.over === "state" ? sizes.states : sizes.actions;
    if (count === undefined) throw new ParameterError("sizes", `expand: ${name}(...) needs the number of ${b.over === "entry" ? "entries" : b.over === "state" ? "states" : "actions"}`);
    const [x, w] = f.args as [Expr, Expr | undefined];
    const terms: Expr[] = [];
    for (let i = 0; i < count; i++) {
      const suffix = `${SUFFIX[b.over]}${i}`;
      const xi = rename(math, x, b.symbols, suffix);
      if (name === "En") terms.push(new math.OperatorNode("*", "multiply", [new math.SymbolNode(`p${suffix}`), new math.ParenthesisNode(xi)]));
      else if (name === "Maxa" || name === "Maxn") {
        const wi = rename(math, w!, b.symbols, suffix);
        const masked = new math.OperatorNode("-", "unaryMinus", [new math.SymbolNode("Infinity")]);
        terms.push(new math.ConditionalNode(new math.OperatorNode(">", "larger", [wi, new math.ConstantNode(0)]), xi, masked));
      } else terms.push(new math.ParenthesisNode(xi));
    }
    return chain(math, terms, name === "Maxa" || name === "Maxn" ? "max" : "+");
  };
  return rec(node);
}

/** Compiled expansions, cached per tree and sizes. */
const compiled = new WeakMap<Expr, Map<string, { evaluate(scope?: object): unknown }>>();

/** Expand (cached) and evaluate `node` at `scope`; the result must be a finite-or-infinite real number. */
export function evaluateAt(math: MathJs, node: Expr, sizes: ExpandSizes, scope: Readonly<Record<string, number>>): number {
  let bySize = compiled.get(node);
  if (!bySize) compiled.set(node, (bySize = new Map()));
  const key = `${sizes.entries ?? "-"}/${sizes.actions ?? "-"}/${sizes.states ?? "-"}`;
  let code = bySize.get(key);
  if (!code) bySize.set(key, (code = expand(math, node, sizes).compile()));
  const v = code.evaluate({ ...scope });
  if (typeof v !== "number") throw new RunError("derivation", `derived expression did not evaluate to a real number: ${String(v)}`);
  return v;
}

/** The scope of row (s, a): p_e<k>, r_e<k>, Vn_e<k> (0 for a done entry's successor), alpha, gamma. */
export function rowScope(mdp: MdpArrays, s: number, a: number, Vnext: ArrayLike<number>, alpha: number, gamma: number): Record<string, number> {
  const row = s * mdp.nActions + a;
  const scope: Record<string, number> = { alpha, gamma };
  for (let k = mdp.rowStart[row]!, e = 0; k < mdp.rowStart[row + 1]!; k++, e++) {
    scope[`p_e${e}`] = mdp.prob[k]!;
    scope[`r_e${e}`] = mdp.reward[k]!;
    scope[`Vn_e${e}`] = mdp.done[k] ? 0 : Vnext[mdp.next[k]!]!;
  }
  return scope;
}

/** Number of entries of row (s, a). */
export function rowEntries(mdp: MdpArrays, s: number, a: number): number {
  const row = s * mdp.nActions + a;
  return mdp.rowStart[row + 1]! - mdp.rowStart[row]!;
}

/** The scope of state s's action sums: Q_a<j>, pi0_a<j>, alpha. */
export function actionScope(Q: ArrayLike<number>, prior: ArrayLike<number>, s: number, m: number, alpha: number): Record<string, number> {
  const scope: Record<string, number> = { alpha };
  for (let j = 0; j < m; j++) {
    scope[`Q_a${j}`] = Q[s * m + j]!;
    scope[`pi0_a${j}`] = prior[s * m + j]!;
  }
  return scope;
}

/** What {@link runDerivation} computes, from the derived expressions alone. */
export interface DerivedRun {
  readonly backup: Backup;
  /** Q_t, V_t, policy_t for t = 0..H-1 (flat n x m / n). */
  readonly Q: Float64Array[];
  readonly V: Float64Array[];
  readonly policy: Float64Array[];
  /** The initial factor's result: log Z (exact), ELBO(q*) (variational), J (hard). */
  readonly initial: number;
  readonly initialName: string;
}

/**
 * Run a derivation's schedule on a concrete MDP over a finite horizon, every number computed by
 * mathjs from the derived expressions (the slice's steps, repeated for a stationary derivation).
 * @param prior - pi0(a|s), flat n x m (normalised; 0 masks an action).
 */
export function runDerivation(math: MathJs, d: Derivation, mdp: MdpArrays, prior: ArrayLike<number>, alpha: number, gamma: number, horizon: number): DerivedRun {
  const n = mdp.nStates;
  const m = mdp.nActions;
  const dynamics = d.steps.find((s) => s.schedule.kind === "dynamics")!.output;
  const actions = d.steps.find((s) => s.schedule.kind === "prior")!.output;
  const initial = d.steps.find((s) => s.schedule.kind === "initial")!.output;
  if (d.horizon !== null && d.horizon !== horizon) throw new ParameterError("horizon", `the derivation is unrolled over H = ${d.horizon}, not ${horizon}`);
  const Qs: Float64Array[] = new Array(horizon);
  const Vs: Float64Array[] = new Array(horizon);
  const Ps: Float64Array[] = new Array(horizon);
  let Vnext = new Float64Array(n);
  for (let t = horizon - 1; t >= 0; t--) {
    const Q = new Float64Array(n * m);
    const V = new Float64Array(n);
    const P = new Float64Array(n * m);
    for (let s = 0; s < n; s++) {
      for (let a = 0; a < m; a++) Q[s * m + a] = evaluateAt(math, dynamics.result, { entries: rowEntries(mdp, s, a) }, rowScope(mdp, s, a, Vnext, alpha, gamma));
    }
    for (let s = 0; s < n; s++) {
      const scope = actionScope(Q, prior, s, m, alpha);
      V[s] = evaluateAt(math, actions.result, { actions: m }, scope);
      for (let a = 0; a < m; a++) {
        P[s * m + a] = evaluateAt(math, actions.policy!, { actions: m }, { ...scope, Q: Q[s * m + a]!, pi0: prior[s * m + a]!, V: V[s]! });
      }
    }
    Qs[t] = Q;
    Vs[t] = V;
    Ps[t] = P;
    Vnext = V;
  }
  const scope: Record<string, number> = { alpha };
  for (let s = 0; s < n; s++) {
    scope[`p0_s${s}`] = mdp.initial[s]!;
    scope[`V0_s${s}`] = Vs[0]![s]!;
  }
  return { backup: d.backup, Q: Qs, V: Vs, policy: Ps, initial: evaluateAt(math, initial.result, { states: n }, scope), initialName: initial.resultName };
}
