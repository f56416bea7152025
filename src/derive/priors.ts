/**
 * The model part of a derivation: what pi0(a|s) is in a model, and what V and the policy become when
 * it is put into the prior factor's rule. The models state their own sections (models/, each
 * descriptor's `symbolic`); this module knows no model by name. It hands a section the prior factor's
 * symbolic output and a kit of the algebra it may use, so that models/ needs no internal import.
 */
import type { Backup } from "../inference/rules/index.js";
import type { SemiringKind } from "../inference/rules/types.js";
import { LOG_RULES, pointMass, priorSumsToOne, pullFactorsOutOfSum, simplifyBodies, simplifyWith, stripParens, substitute, tpl } from "./algebra.js";
import type { Expr, MathJs } from "./mathjs.js";
import type { PriorNotation } from "./notation.js";
import type { DerivedEquation, EquationRole, RuleOutput } from "./rules.js";

/** The model part of a derivation. */
export interface ModelSection {
  /** The model's name, as its descriptor states it. */
  readonly model: string;
  /** One line: the model and its prior, in words. */
  readonly title: string;
  readonly notation: PriorNotation;
  /** pi0(a|s) in the model's own parameters (`m`; `piref`; `Nsa`, `Ns`, `lambda`, `m`): evaluable. */
  readonly priorDefinition: Expr;
  /** V_t(s) with the model's prior put in (evaluable with the same parameters). */
  readonly V: Expr;
  /** The policy pi_t(a|s) with the model's prior put in (evaluable). */
  readonly policy: Expr;
  readonly equations: readonly DerivedEquation[];
  /** Statements in words (limits, support, equivalences) that go with the equations. */
  readonly notes: readonly string[];
}

/** The algebra a model's symbolic section may use (bound to the loaded mathjs). */
export interface SymbolicKit {
  readonly math: MathJs;
  /** Parse a template, with holes replaced by trees. */
  readonly tpl: (source: string, holes?: Readonly<Record<string, Expr>>) => Expr;
  readonly substitute: (node: Expr, name: string, by: Expr) => Expr;
  readonly simplify: (node: Expr, extra?: readonly string[]) => Expr;
  readonly simplifyBodies: (node: Expr, extra?: readonly string[]) => Expr;
  readonly pullFactorsOutOfSum: (node: Expr, fnName: string) => Expr;
  /** E[.] of a single outcome. */
  readonly pointMass: (node: Expr) => Expr;
  /** sum_a pi0(a|s) = 1. */
  readonly priorSumsToOne: (node: Expr) => Expr;
  readonly stripParens: (node: Expr) => Expr;
  /** log and exp simplification rules. */
  readonly LOG_RULES: readonly string[];
  /** One equation of the section. */
  readonly equation: (role: EquationRole, lhs: string, rhs: Expr, by: string, when?: string) => DerivedEquation;
}

/** What a section is given: the rule family's symbolic outputs and the kind of its action rule. */
export interface SymbolicContext {
  readonly backup: Backup;
  /** The action (prior factor) rule's kind: "tempered" (a soft maximum) or "max" (alpha -> 0). */
  readonly actionRule: SemiringKind;
  /** The dynamics factor's symbolic output. */
  readonly dynamics: RuleOutput;
  /** The prior factor's symbolic output (V_t(s) and the policy, with pi0 unnamed). */
  readonly prior: RuleOutput;
}

/** A model's symbolic section for `cai derive` (a model descriptor's `symbolic`). */
export interface SymbolicModel {
  /** The model's name (as `--model` takes it). */
  readonly name: string;
  /** How the model's prior prints. */
  readonly notation: PriorNotation;
  /** The section: the prior's definition, V and the policy with it put in, closed forms, notes. */
  readonly section: (kit: SymbolicKit, context: SymbolicContext) => Omit<ModelSection, "model" | "notation">;
}

/** The algebra kit bound to a mathjs instance. */
export function symbolicKit(math: MathJs): SymbolicKit {
  return {
    math,
    tpl: (source, holes) => tpl(math, source, holes),
    substitute: (node, name, by) => substitute(math, node, name, by),
    simplify: (node, extra) => simplifyWith(math, node, extra),
    simplifyBodies: (node, extra) => simplifyBodies(math, node, extra),
    pullFactorsOutOfSum: (node, fnName) => pullFactorsOutOfSum(math, node, fnName),
    pointMass: (node) => pointMass(math, node),
    priorSumsToOne: (node) => priorSumsToOne(math, node),
    stripParens,
    LOG_RULES,
    equation: (role, lhs, rhs, by, when) => ({ role, lhs: new math.SymbolNode(lhs), rhs: stripParens(rhs), by, ...(when !== undefined ? { when } : {}) }),
  };
}

/** The model section of a model, given the family's symbolic rule outputs. */
export function modelSection(math: MathJs, model: SymbolicModel, context: SymbolicContext): ModelSection {
  return { model: model.name, notation: model.notation, ...model.section(symbolicKit(math), context) };
}
