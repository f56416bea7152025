/**
 * Reading the tables the CLI takes (MDPs, Q-tables, priors, reference policies, demonstration
 * counts, terminal values) from JSON, CSV or numpy files, told apart by their content, never by the
 * file name. Warnings (a float32 table accepted within float32 rounding) go to stderr.
 */
import { PriorError } from "../errors.js";
import { parseJson } from "../mdp/formats.js";
import { readMdpFile } from "../mdp/read-source.js";
import { float32SumTolerance, isNumpy, numpyArrays, numpyTable } from "../mdp/numpy-mdp.js";
import { isNpy } from "../mdp/npy.js";
import { peekBytes, readBytes } from "../mdp/read-bytes.js";
import { readSource } from "../mdp/read-source.js";
import type { TabularMdp } from "../mdp/tabular.js";
import { tablePrior, type ActionPrior } from "../inference/prior.js";
import { parseQTable } from "../diagnostics/q-table.js";
import { warn } from "./common.js";

export { warn };

const sourceName = (path: string) => (path === "-" ? "<stdin>" : path);

/**
 * A table file: numpy bytes when its first bytes say so, else text read by readSource (which reads
 * standard input once and stops at a NUL byte). Standard input is read as text.
 */
function readTable(path: string): { bytes: Uint8Array; text?: undefined } | { bytes?: undefined; text: string } {
  return isNumpy(peekBytes(path)) ? { bytes: readBytes(path) } : { text: readSource(path) };
}

/** Read an MDP file (JSON or .npz), printing its warnings. */
export function loadMdp(path: string): TabularMdp {
  return readMdpFile(path, { onWarning: warn });
}

/** A Q-table for an n x m MDP: JSON, CSV, `.npy` (n, m), or `.npz` with an array "Q". */
export function readQTableFile(path: string, n: number, m: number): { Q: Float64Array; format: string } {
  const source = sourceName(path);
  const { bytes, text } = readTable(path);
  if (bytes !== undefined) {
    const t = numpyTable(bytes, source, ["Q"], [[n, m], [n * m]], "Q-table");
    if (t.float32) warn(`${source}: the Q-table is float32 (about 7 significant digits): differences below its rounding are not the engine's`);
    return { Q: Float64Array.from(t.values), format: isNpy(bytes) ? "npy" : `npz "${t.name}"` };
  }
  return parseQTable(text, source, n, m);
}

/**
 * A policy table `{"<key>": pi0[s][a]}` (JSON), `.npy` (n, m), or `.npz` with an array named `key`
 * (or its only array). A float32 table is accepted when its rows sum to 1 within float32 rounding,
 * with a warning; never renormalised.
 */
export function readPolicyTableFile(path: string, mdp: TabularMdp, key = "prior", what = "prior"): ActionPrior {
  const source = sourceName(path);
  const { bytes, text } = readTable(path);
  const n = mdp.nStates;
  const m = mdp.nActions;
  if (bytes !== undefined) {
    const t = numpyTable(bytes, source, [key], [[n, m], [n * m]], what);
    if (!t.float32) return tablePrior(t.values, n, m, `${source}: ${what}`);
    const tol = float32SumTolerance(m);
    const prior = tablePrior(t.values, n, m, `${source}: ${what}`, tol);
    let worst = 0;
    for (let s = 0; s < n; s++) {
      let sum = 0;
      for (let a = 0; a < m; a++) sum += t.values[s * m + a]!;
      worst = Math.max(worst, Math.abs(sum - 1));
    }
    warn(`${source}: the ${what} is float32: accepted because every row sums to 1 within float32 rounding (largest |sum - 1| = ${worst.toExponential(1)}, tolerance ${tol.toExponential(1)}); used as stored, not renormalised`);
    return prior;
  }
  const doc = parseJson(text, source);
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || !(key in doc)) {
    throw new PriorError([{ code: "bad-prior", path: source, message: `${source}: expected an object {"${key}": [[...], ...]} with one row per state` }]);
  }
  return tablePrior((doc as Record<string, unknown>)[key], n, m, `${source}: ${what}`);
}

/**
 * A demonstrations document as `parseDemonstrations` reads it: JSON as written, or numpy: a `.npy`
 * of counts (n, m), or an `.npz` with `counts` (n, m), `demonstrations` (k, 2) [state, action]
 * pairs and `smoothing` (a scalar), any of them.
 */
export function readDemonstrationsDocument(path: string): unknown {
  const source = sourceName(path);
  const { bytes, text } = readTable(path);
  if (bytes === undefined) return parseJson(text, source);
  const arrays = numpyArrays(bytes, source, "counts");
  const doc: Record<string, unknown> = {};
  const counts = arrays.get("counts");
  if (counts && counts.shape.length === 2) {
    const [n, m] = counts.shape as [number, number];
    doc.counts = Array.from({ length: n }, (_, s) => Array.from(counts.data.subarray(s * m, (s + 1) * m)));
  } else if (counts) doc.counts = Array.from(counts.data);
  const pairs = arrays.get("demonstrations");
  if (pairs) {
    if (pairs.shape.length !== 2 || pairs.shape[1] !== 2) {
      throw new PriorError([{ code: "bad-demonstrations", path: `${source}: demonstrations`, message: `${source}: demonstrations has shape (${pairs.shape.join(", ")}), expected (k, 2): one [state, action] pair per row` }]);
    }
    doc.demonstrations = Array.from({ length: pairs.shape[0]! }, (_, i) => [pairs.data[2 * i], pairs.data[2 * i + 1]]);
  }
  const smoothing = arrays.get("smoothing");
  if (smoothing) {
    if (smoothing.data.length !== 1) throw new PriorError([{ code: "bad-demonstrations", path: `${source}: smoothing`, message: `${source}: smoothing must be one number, got shape (${smoothing.shape.join(", ")})` }]);
    doc.smoothing = smoothing.data[0];
  }
  for (const name of arrays.keys()) {
    if (!["counts", "demonstrations", "smoothing"].includes(name)) {
      throw new PriorError([{ code: "bad-demonstrations", path: `${source}: ${name}`, message: `${source}: unknown array "${name}" (a demonstrations .npz holds counts, demonstrations, smoothing)` }]);
    }
  }
  return doc;
}

/**
 * A vector of n values (terminal values h, pymdptoolbox's `h`): a JSON list, an object with one of
 * `keys`, a `.npy` of shape (n,), or an `.npz` with one of `keys` (or its only array).
 */
export function readVectorFile(path: string, n: number, keys: readonly string[], what: string): Float64Array {
  const source = sourceName(path);
  const { bytes, text } = readTable(path);
  if (bytes !== undefined) {
    const t = numpyTable(bytes, source, keys, [[n]], what);
    return Float64Array.from(t.values);
  }
  const doc = parseJson(text, source);
  let list: unknown = doc;
  if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) {
    const key = keys.find((k) => k in doc);
    if (key === undefined) throw new PriorError([{ code: "bad-vector", path: source, message: `${source}: expected a list of ${n} numbers or an object with ${keys.map((k) => `"${k}"`).join(" or ")}` }]);
    list = (doc as Record<string, unknown>)[key];
  }
  if (!Array.isArray(list) || list.length !== n) {
    throw new PriorError([{ code: "bad-vector", path: source, message: `${source}: the ${what} must be a list of ${n} numbers (one per state), got ${Array.isArray(list) ? `${list.length}` : typeof list}` }]);
  }
  const out = new Float64Array(n);
  const problems = list.flatMap((v, i) => {
    if (typeof v === "number" && Number.isFinite(v)) {
      out[i] = v;
      return [];
    }
    return [{ code: "bad-vector", path: `${source}[${i}]`, state: i, message: `${source}: the ${what}, state ${i}: ${JSON.stringify(v) ?? String(v)} is not a finite number` }];
  });
  if (problems.length > 0) throw new PriorError(problems);
  return out;
}
