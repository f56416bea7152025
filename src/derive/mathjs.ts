/**
 * The one place that loads mathjs. Importing mathjs costs one to two seconds, so it is never
 * imported statically: `cai solve` and the engine must not pay for it. Everything in src/derive
 * takes the loaded module as an argument (or loads it through {@link loadMathJs}).
 */
import type { MathNode } from "mathjs";

/** The mathjs module namespace, as `await import("mathjs")` returns it. */
export type MathJs = typeof import("mathjs");

/** A mathjs expression tree. */
export type Expr = MathNode;

let loading: Promise<MathJs> | undefined;

/** Load mathjs once (dynamic import); later calls share the same module. */
export function loadMathJs(): Promise<MathJs> {
  loading ??= import("mathjs");
  return loading;
}
