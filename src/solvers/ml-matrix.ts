/**
 * ml-matrix, loaded on first use. The tabular solvers need it for their dense linear algebra; the
 * engine, the models and `cai solve` do not, and loading it costs some 10 MB of resident memory and
 * part of the CLI's cold start. A synchronous require of the package's CommonJS build keeps the
 * solvers synchronous.
 */
import { createRequire } from "node:module";
import type * as MlMatrix from "ml-matrix";

let lib: typeof MlMatrix | undefined;

/** The ml-matrix module (required once, on the first call). */
export function mlMatrix(): typeof MlMatrix {
  return (lib ??= createRequire(import.meta.url)("ml-matrix") as typeof MlMatrix);
}
