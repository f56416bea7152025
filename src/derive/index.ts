/**
 * Symbolic derivations (`cai derive`): the message rules of the trajectory factor graph run on
 * mathjs expression trees. mathjs is loaded lazily (`await import("mathjs")`) by {@link derive} and
 * {@link loadMathJs}; importing this module does not load it.
 */
export { derive, deriveWith, checkDeriveOptions, type Derivation, type DerivationStep, type DeriveOptions } from "./derive.js";
export { DERIVE_FORMATS, formatDerivation, formatText, formatLatex, type DeriveFormat } from "./format.js";
export { expand, evaluateAt, rowScope, rowEntries, actionScope, runDerivation, type DerivedRun, type ExpandSizes } from "./instantiate.js";
export { loadMathJs, type MathJs, type Expr } from "./mathjs.js";
export { showText, showTex, sliceLabels, GENERIC_SLICE, PI0_NOTATION, type PrintContext, type PriorNotation, type SliceLabels } from "./notation.js";
export { modelSection, symbolicKit, type ModelSection, type SymbolicContext, type SymbolicKit, type SymbolicModel } from "./priors.js";
export { SYMBOLIC_DYNAMICS, SYMBOLIC_PRIOR, symbolicInitial, nextValueThroughQ, type DerivedEquation, type EquationRole, type RuleOutput } from "./rules.js";
