/**
 * The few algebraic identities the derivations use, as transformations of mathjs trees. Each is a
 * named step of a derivation; mathjs's `simplify` tidies the result between steps.
 *
 *   sum_{s'} P(s'|s,a) x(s')   = E_{s'~P}[x]                     (definition of the expectation)
 *   E[c x] = c E[x],  E[c + x] = c + E[x],  E[c] = c               (linearity; c free of s')
 *   log(x y) = log x + log y,  log(x / y) = log x - log y,  log(exp(x)) = x
 *   exp(x) / exp(y) = exp(x - y)
 */
import { BOUND } from "./notation.js";
import type { Expr, MathJs } from "./mathjs.js";

type Op = Expr & { op: string; fn: string; args: Expr[] };
type Fn = Expr & { fn: Expr & { name: string }; args: Expr[] };

const isOp = (n: Expr, op?: string): n is Op => n.type === "OperatorNode" && (op === undefined || (n as Op).op === op);
const isFn = (n: Expr, name?: string): n is Fn => n.type === "FunctionNode" && (name === undefined || (n as Fn).fn.name === name);
const unwrap = (n: Expr): Expr => (n.type === "ParenthesisNode" ? unwrap((n as Expr & { content: Expr }).content) : n);

/** Parse `source` and put the trees of `holes` where their names appear (placeholders `h_...`). */
export function tpl(math: MathJs, source: string, holes: Readonly<Record<string, Expr>> = {}): Expr {
  return math.parse(source).transform((node) => {
    if (node.type === "SymbolNode") {
      const name = (node as Expr & { name: string }).name;
      const h = holes[name];
      if (h !== undefined) return new math.ParenthesisNode(h.cloneDeep());
    }
    return node;
  });
}

/** Replace every symbol `name` by `by` (in parentheses, then tidied by the printer). */
export function substitute(math: MathJs, node: Expr, name: string, by: Expr): Expr {
  return node.transform((n) => (n.type === "SymbolNode" && (n as Expr & { name: string }).name === name ? new math.ParenthesisNode(by.cloneDeep()) : n));
}

/** Does the tree mention any of `names`? */
export function mentions(node: Expr, names: readonly string[]): boolean {
  return node.filter((n) => n.type === "SymbolNode" && names.includes((n as Expr & { name: string }).name)).length > 0;
}

/** Drop the parentheses mathjs keeps as nodes (the printers put back the ones that are needed). */
export function stripParens(node: Expr): Expr {
  return node.transform((n) => unwrap(n));
}

/** The factors of a product (flattened; a single non-product is one factor). */
function factors(node: Expr): Expr[] {
  const n = unwrap(node);
  if (isOp(n, "*") && n.args.length === 2) return [...factors(n.args[0]!), ...factors(n.args[1]!)];
  return [n];
}

function product(math: MathJs, fs: readonly Expr[]): Expr {
  if (fs.length === 0) return new math.ConstantNode(1);
  return fs.reduce((acc, f) => new math.OperatorNode("*", "multiply", [acc, f]));
}

/** sum_{s'} P(s'|s,a) x(s') -> E_{s'~P}[x]: a bound sum over s' whose body has the factor p. */
export function sumToExpectation(math: MathJs, node: Expr): Expr {
  return node.transform((n) => {
    if (!isFn(n, "Sn")) return n;
    const fs = factors(n.args[0]!);
    const i = fs.findIndex((f) => f.type === "SymbolNode" && (f as Expr & { name: string }).name === "p");
    if (i < 0) return n;
    const rest = fs.filter((_f, j) => j !== i);
    return new math.FunctionNode(new math.SymbolNode("En"), [product(math, rest)]);
  });
}

/**
 * Linearity of the expectation over s': constants (trees free of the symbols that vary with s')
 * come out of E[.] as factors, divisors and addends; E[c] = c.
 */
export function pullOutOfExpectation(math: MathJs, node: Expr): Expr {
  const bound = BOUND.En!.symbols;
  const pull = (x: Expr): Expr => {
    const b = unwrap(x);
    if (!mentions(b, bound)) return b;
    if (isOp(b, "+") && b.args.length === 2) return new math.OperatorNode("+", "add", [pull(b.args[0]!), pull(b.args[1]!)]);
    if (isOp(b, "-") && b.args.length === 2) return new math.OperatorNode("-", "subtract", [pull(b.args[0]!), pull(b.args[1]!)]);
    if (isOp(b, "/") && !mentions(b.args[1]!, bound)) return new math.OperatorNode("/", "divide", [pull(b.args[0]!), b.args[1]!]);
    const fs = factors(b);
    const constant = fs.filter((f) => !mentions(f, bound));
    const varying = fs.filter((f) => mentions(f, bound));
    const e = new math.FunctionNode(new math.SymbolNode("En"), [product(math, varying)]);
    return constant.length === 0 ? e : new math.OperatorNode("*", "multiply", [product(math, constant), e]);
  };
  return node.transform((n) => (isFn(n, "En") ? pull(n.args[0]!) : n));
}

/** c E[x] -> E[c x] for a constant factor c (to simplify the body as one expression). */
export function pushIntoExpectation(math: MathJs, node: Expr): Expr {
  const bound = BOUND.En!.symbols;
  return node.transform((n) => {
    if (!isOp(n, "*") || n.args.length !== 2) return n;
    const [a, b] = [unwrap(n.args[0]!), unwrap(n.args[1]!)];
    if (isFn(b, "En") && !mentions(a, bound)) return new math.FunctionNode(new math.SymbolNode("En"), [new math.OperatorNode("*", "multiply", [a, b.args[0]!])]);
    if (isFn(a, "En") && !mentions(b, bound)) return new math.FunctionNode(new math.SymbolNode("En"), [new math.OperatorNode("*", "multiply", [b, a.args[0]!])]);
    return n;
  });
}

/** Identities of log and exp, as mathjs simplify rules. */
export const LOG_RULES = [
  "log(exp(n)) -> n",
  "log(n1 * n2) -> log(n1) + log(n2)",
  "log(n1 / n2) -> log(n1) - log(n2)",
  "exp(n1) / exp(n2) -> exp(n1 - n2)",
  "n3 * exp(n1) / exp(n2) -> n3 * exp(n1 - n2)",
] as const;

/** mathjs simplify with its default rules plus `extra` (e.g. {@link LOG_RULES}). */
export function simplifyWith(math: MathJs, node: Expr, extra: readonly string[] = [], scope: Record<string, number> = {}): Expr {
  return math.simplify(node, [...math.simplify.rules, ...extra], scope);
}

/** Simplify inside every bound function (mathjs treats them as opaque and leaves their bodies alone otherwise). */
export function simplifyBodies(math: MathJs, node: Expr, extra: readonly string[] = []): Expr {
  return node.transform((n) => {
    if (isFn(n) && n.fn.name in BOUND) {
      return new math.FunctionNode(new math.SymbolNode(n.fn.name), n.args.map((a) => simplifyWith(math, a, extra)));
    }
    return n;
  });
}

/** sum_a c x(a) = c sum_a x(a): constant factors (free of the symbols `fnName` binds) leave the bound sum. */
export function pullFactorsOutOfSum(math: MathJs, node: Expr, fnName: string): Expr {
  const bound = BOUND[fnName]!.symbols;
  return node.transform((n) => {
    if (!isFn(n, fnName)) return n;
    const fs = factors(n.args[0]!);
    const constant = fs.filter((f) => !mentions(f, bound));
    if (constant.length === 0) return n;
    const varying = fs.filter((f) => mentions(f, bound));
    const inner = new math.FunctionNode(new math.SymbolNode(fnName), [product(math, varying), ...n.args.slice(1)]);
    return new math.OperatorNode("*", "multiply", [product(math, constant), inner]);
  });
}

/** E_{s'~P}[x] = x when P is a point mass (one outcome with probability 1). */
export function pointMass(math: MathJs, node: Expr): Expr {
  return node.transform((n) => (isFn(n, "En") ? new math.ParenthesisNode(n.args[0]!) : n));
}

/** sum_a pi0(a|s) = 1: a normalised prior summed over its actions. */
export function priorSumsToOne(math: MathJs, node: Expr): Expr {
  return node.transform((n) => {
    if (!isFn(n, "Sa")) return n;
    const body = unwrap(n.args[0]!);
    return body.type === "SymbolNode" && (body as Expr & { name: string }).name === "pi0" ? new math.ConstantNode(1) : n;
  });
}
