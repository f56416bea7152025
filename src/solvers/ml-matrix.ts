/**
 * ml-matrix, loaded on first use. The tabular solvers need it for their dense linear algebra; the
 * engine, the models and `cai solve` do not, and loading it costs some 10 MB of resident memory and
 * part of the CLI's cold start. A synchronous require of the package's CommonJS build keeps the
 * solvers synchronous.
 */
import type * as MlMatrix from "ml-matrix";
import { RunError } from "../errors.js";
import { nodeBuiltin } from "../host.js";

let lib: typeof MlMatrix | undefined;

/** The ml-matrix module (required once, on the first call). */
export function mlMatrix(): typeof MlMatrix {
  if (lib) return lib;
  const mod = nodeBuiltin("node:module");
  if (mod === undefined) throw new RunError("needs-node", "the tabular solvers (ml-matrix) run under Node.js only; solve() runs anywhere");
  return (lib = mod.createRequire(import.meta.url)("ml-matrix") as typeof MlMatrix);
}
