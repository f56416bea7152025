/**
 * MDPs and tables from numpy arrays (`.npy` / `.npz` bytes), in the layouts Python users have:
 *
 * - **pymdptoolbox**: `P` of shape (A, S, S) with `P[a, s, s']`, and `R` of shape (S, A), (A, S, S)
 *   or (S,) (pymdptoolbox's three reward forms);
 * - **dense**: `P` of shape (S, A, S) with `P[s, a, s']`, and `R` of shape (S, A), (S, A, S) or (S,);
 * - **CSR**: `row_start` (S*A + 1), `next`, `prob`, `reward`, `done` (optional: all false) and
 *   `initial` (S), the arrays of {@link TabularMdp} itself, for tables too large for JSON.
 *
 * Dense layouts list the nonzero entries of each row in next-state order, none of them `done`;
 * `initial` (S) is optional there (uniform). When S = A the shape of P cannot tell (A, S, S) from
 * (S, A, S): an array `layout` ("mdptoolbox" or "sas") says which. Float32 probabilities are read
 * as the doubles they are, accepted when each row sums to 1 within float32 rounding (a warning says
 * so) and never renormalised. Bytes in, tables out: no file access here.
 */
import { InputError, MdpValidationError, type Problem } from "../errors.js";
import { fsum } from "../numeric/logspace.js";
import { NumpyFormatError, encodeNpy, encodeNpyStrings, isNpy, parseNpy, shapeSize, type NpyArray, type NpyHeader } from "./npy.js";
import { encodeNpz, isZip, openNpz, parseNpz, type NpzArchive } from "./npz.js";
import { bytesSource } from "./zip.js";
import { checkTableSize } from "../limits.js";
import { PROBABILITY_SUM_TOLERANCE, TabularMdp, buildChecked, indexArray, nextStateProblem, type MdpLabels } from "./tabular.js";

/** A numpy table holding values that are not finite numbers (each problem names the index). */
export class NumpyValueError extends InputError {}

/** Unit roundoff of float32: a stored float32 is within this relative distance of the value meant. */
export const FLOAT32_ROUNDING = 2 ** -24;

/** The tolerance on a row sum of `k` float32 probabilities: 2 k units of float32 rounding (at least 1e-9). */
export function float32SumTolerance(k: number): number {
  return Math.max(PROBABILITY_SUM_TOLERANCE, 2 * Math.max(1, k) * FLOAT32_ROUNDING);
}

/** The MDP layouts of an `.npz` file. */
export type NumpyMdpLayout = "mdptoolbox" | "sas" | "csr";

/** What reading numpy data gave, with what the user should be told. */
export interface NumpyRead<T> {
  readonly value: T;
  /** E.g. that a float32 table was accepted within float32 rounding. */
  readonly warnings: readonly string[];
}

/** True when the bytes are a `.npy` file or an `.npz` (zip) archive. */
export function isNumpy(bytes: Uint8Array): boolean {
  return isNpy(bytes) || isZip(bytes);
}

/** The arrays of `.npy` bytes (one array, named by `fallbackName`) or `.npz` bytes (by name). */
export function numpyArrays(bytes: Uint8Array, source: string, fallbackName: string): Map<string, NpyArray> {
  if (isNpy(bytes)) return new Map([[fallbackName, parseNpy(bytes, source)]]);
  return parseNpz(bytes, source);
}

const shapeText = (s: readonly number[]) => `(${s.join(", ")}${s.length === 1 ? "," : ""})`;
const isFloat32 = (a: NpyArray) => a.kind === "f" && a.itemSize === 4;

/** Read an MDP from `.npz` bytes in any of the three layouts. */
export function mdpFromNpz(bytes: Uint8Array, source: string): NumpyRead<TabularMdp> & { readonly layout: NumpyMdpLayout } {
  if (!isZip(bytes)) throw new NumpyFormatError(source, "not an .npz file (it is not a zip archive)");
  return mdpFromNpzArchive(openNpz(bytesSource(bytes), source));
}

/**
 * Read an MDP from an opened `.npz` archive in any of the three layouts. The CSR arrays are
 * streamed into the typed arrays the table keeps (no copy of the archive or of a whole member in
 * memory): what the Node edge uses for a file of any size.
 */
export function mdpFromNpzArchive(archive: NpzArchive): NumpyRead<TabularMdp> & { readonly layout: NumpyMdpLayout } {
  const { source } = archive;
  if (archive.has("row_start")) return { ...csrMdp(archive), layout: "csr" };
  if (archive.has("P")) return denseMdp(new Map(archive.names.map((name) => [name, archive.read(name)])), source);
  throw new NumpyFormatError(
    source,
    `no MDP arrays: expected "P" and "R" (pymdptoolbox (A, S, S) or dense (S, A, S)) or "row_start", "next", "prob", "reward", "done", "initial" (CSR); found ${archive.names.map((k) => JSON.stringify(k)).join(", ")}`,
    "unknown-format",
  );
}

function need(arrays: Map<string, NpyArray>, name: string, source: string, layout: string): NpyArray {
  const a = arrays.get(name);
  if (!a) throw new NumpyFormatError(source, `the ${layout} layout needs an array "${name}" (found ${[...arrays.keys()].map((k) => JSON.stringify(k)).join(", ")})`);
  if (a.kind === "U") throw new NumpyFormatError(source, `"${name}" holds strings, not numbers`);
  return a;
}

function float32Warning(source: string, what: string, worst: number, tol: number): string {
  return `${source}: ${what} ${what.includes(",") ? "are" : "is"} float32: accepted because every row sums to 1 within float32 rounding (largest |sum - 1| = ${worst.toExponential(1)}, tolerance ${tol.toExponential(1)}); used as stored, not renormalised`;
}

function initialFrom(arrays: Map<string, NpyArray>, n: number, source: string, problems: Problem[]): { initial: Float64Array; float32: boolean } {
  const a = arrays.get("initial");
  if (!a) return { initial: new Float64Array(n).fill(1 / n), float32: false };
  if (a.kind === "U" || a.shape.length !== 1 || a.shape[0] !== n) {
    problems.push({ code: "bad-initial", path: `${source}: initial`, message: `${source}: initial has shape ${shapeText(a.shape)}, expected (${n},)` });
    return { initial: new Float64Array(n).fill(1 / n), float32: false };
  }
  return { initial: Float64Array.from(a.data), float32: isFloat32(a) };
}

function csrMdp(archive: NpzArchive): NumpyRead<TabularMdp> {
  const { source } = archive;
  const header = (name: string, optional = false): NpyHeader | undefined => {
    if (!archive.has(name)) {
      if (optional) return undefined;
      throw new NumpyFormatError(source, `the CSR layout needs an array "${name}" (found ${archive.names.map((k) => JSON.stringify(k)).join(", ")})`);
    }
    const h = archive.header(name);
    if (h.kind === "U") throw new NumpyFormatError(source, `"${name}" holds strings, not numbers`);
    if (h.shape.length !== 1) throw new NumpyFormatError(source, `${name} has shape ${shapeText(h.shape)}; the CSR arrays are one-dimensional`);
    return h;
  };
  const rs = header("row_start")!;
  const nx = header("next")!;
  const pr = header("prob")!;
  const rw = header("reward")!;
  const dn = header("done", true);
  const init = header("initial")!;
  const n = init.count;
  if (n < 1) throw new NumpyFormatError(source, "initial is empty: the MDP needs at least one state");
  const rows = rs.count - 1;
  const m = rows / n;
  if (!Number.isInteger(m) || m < 1) {
    throw new NumpyFormatError(source, `row_start has ${rs.count} entries; with ${n} states (the length of initial) it needs S * A + 1 = ${n} * A + 1`);
  }
  const nnz = nx.count;
  for (const [name, h] of [["prob", pr], ["reward", rw], ...(dn ? [["done", dn] as const] : [])] as const) {
    if (h.count !== nnz) throw new NumpyFormatError(source, `${name} has ${h.count} entries but next has ${nnz}`);
  }
  checkTableSize(rows, nnz, "file", `the CSR table of ${source}`);
  // Each array goes from the archive into the typed array the table keeps, a chunk of values at a time.
  const rowStart = indexArray(rows + 1);
  let previous = 0;
  archive.forEachChunk("row_start", (v, count, first) => {
    for (let i = 0; i < count; i++) {
      const x = v[i]!;
      if (!Number.isInteger(x)) throw new NumpyFormatError(source, `row_start[${first + i}] is ${x}, not an integer index`);
      if (x < 0 || x > nnz || x < previous) throw new NumpyFormatError(source, `row_start[${first + i}] = ${x}: row starts must rise from 0 to ${nnz} (the number of entries)`);
      rowStart[first + i] = previous = x;
    }
  });
  if (rowStart[0] !== 0 || rowStart[rows] !== nnz) throw new NumpyFormatError(source, `row_start must run from 0 to ${nnz} (the number of entries), not ${rowStart[0]} to ${rowStart[rows]}`);
  const next = indexArray(nnz);
  const problems: Problem[] = [];
  let row = 0;
  archive.forEachChunk("next", (v, count, first) => {
    for (let i = 0; i < count; i++) {
      const k = first + i;
      const t = v[i]!;
      if (!Number.isInteger(t)) throw new NumpyFormatError(source, `next[${k}] is ${t}, not an integer index`);
      if (t >= 0 && t < n) next[k] = t;
      else {
        while (rowStart[row + 1]! <= k) row++;
        problems.push({ ...nextStateProblem(Math.floor(row / m), row % m, k - rowStart[row]!, t, n), path: `${source}: next[${k}]` });
      }
    }
  });
  const done = new Uint8Array(nnz);
  if (dn) {
    archive.forEachChunk("done", (v, count, first) => {
      for (let i = 0; i < count; i++) {
        const x = v[i]!;
        if (x !== 0 && x !== 1) throw new NumpyFormatError(source, `done[${first + i}] is ${x} (expected a bool, 0 or 1)`);
        done[first + i] = x;
      }
    });
  }
  const prob = new Float64Array(nnz);
  archive.forEachChunk("prob", (v, count, first) => prob.set(v.subarray(0, count), first));
  const reward = new Float64Array(nnz);
  archive.forEachChunk("reward", (v, count, first) => reward.set(v.subarray(0, count), first));
  const initial = new Float64Array(n);
  archive.forEachChunk("initial", (v, count, first) => initial.set(v.subarray(0, count), first));
  const f32 = (h: NpyHeader) => h.kind === "f" && h.itemSize === 4;
  return finish({ nStates: n, nActions: m, rowStart, next, prob, reward, done, initial }, {}, problems, source, f32(pr) ? "prob" : undefined, f32(init));
}

/** Validate with the float32 tolerance where the probabilities were float32, and say so. */
function finish(
  arrays: Parameters<typeof buildChecked>[0],
  labels: MdpLabels,
  problems: Problem[],
  source: string,
  float32What: string | undefined,
  initial32: boolean,
): NumpyRead<TabularMdp> {
  const warnings: string[] = [];
  let sumTolerance: number | undefined;
  if (float32What !== undefined || initial32) {
    const { nStates: n, nActions: m, rowStart, prob } = arrays;
    let longest = 1;
    let worst = 0;
    for (let row = 0; row < n * m; row++) {
      const k0 = rowStart[row]!;
      const k1 = rowStart[row + 1]!;
      if (k1 - k0 > longest) longest = k1 - k0;
      if (float32What !== undefined && k1 > k0) worst = Math.max(worst, Math.abs(fsum(prob, k0, k1) - 1));
    }
    if (initial32) {
      longest = Math.max(longest, n);
      worst = Math.max(worst, Math.abs(fsum(arrays.initial, 0, n) - 1));
    }
    sumTolerance = float32SumTolerance(longest);
    if (worst <= sumTolerance) warnings.push(float32Warning(source, [float32What, initial32 ? "initial" : undefined].filter((x) => x !== undefined).join(", "), worst, sumTolerance));
  }
  const mdp = buildChecked(arrays, labels, problems, sumTolerance === undefined ? {} : { sumTolerance });
  return { value: mdp, warnings };
}

function denseMdp(arrays: Map<string, NpyArray>, source: string): NumpyRead<TabularMdp> & { layout: NumpyMdpLayout } {
  const P = need(arrays, "P", source, "dense");
  if (P.shape.length !== 3) {
    throw new NumpyFormatError(source, `P has shape ${shapeText(P.shape)}; expected (A, S, S) as pymdptoolbox holds it or (S, A, S)${P.shape.length === 1 ? " (an object array of sparse matrices cannot be read: save P.toarray() per action, or the CSR arrays)" : ""}`);
  }
  const [d0, d1, d2] = P.shape as [number, number, number];
  let layout: NumpyMdpLayout;
  const hint = arrays.get("layout")?.strings?.[0];
  if (hint !== undefined) {
    if (hint !== "mdptoolbox" && hint !== "sas") throw new NumpyFormatError(source, `layout is ${JSON.stringify(hint)}; expected "mdptoolbox" (P[a, s, s']) or "sas" (P[s, a, s'])`);
    layout = hint;
  } else if (d1 === d2 && d0 !== d1) layout = "mdptoolbox";
  else if (d0 === d2 && d0 !== d1) layout = "sas";
  else if (d0 === d1 && d1 === d2) {
    throw new NumpyFormatError(source, `P has shape ${shapeText(P.shape)}: with as many actions as states it may be (A, S, S) or (S, A, S); add layout="mdptoolbox" or layout="sas" to the .npz`);
  } else throw new NumpyFormatError(source, `P has shape ${shapeText(P.shape)}; expected (A, S, S) as pymdptoolbox holds it or (S, A, S)`);
  const toolbox = layout === "mdptoolbox";
  const n = toolbox ? d1 : d0;
  const m = toolbox ? d0 : d1;
  if (hint !== undefined && (toolbox ? d1 !== d2 : d0 !== d2)) {
    throw new NumpyFormatError(source, `P has shape ${shapeText(P.shape)}, which is not ${toolbox ? "(A, S, S)" : "(S, A, S)"} as layout="${hint}" says`);
  }
  if (n < 1 || m < 1) throw new NumpyFormatError(source, `P has shape ${shapeText(P.shape)}: the MDP needs at least one state and one action`);
  const R = need(arrays, "R", source, "dense");
  // Where R[...] of (s, a, s') sits in R.data, by R's form.
  let rIndex: (s: number, a: number, t: number) => number;
  const rs = R.shape;
  if (rs.length === 1 && rs[0] === n) rIndex = (s) => s;
  else if (rs.length === 2 && rs[0] === n && rs[1] === m) rIndex = (s, a) => s * m + a;
  else if (rs.length === 3 && toolbox && rs[0] === m && rs[1] === n && rs[2] === n) rIndex = (s, a, t) => (a * n + s) * n + t;
  else if (rs.length === 3 && !toolbox && rs[0] === n && rs[1] === m && rs[2] === n) rIndex = (s, a, t) => (s * m + a) * n + t;
  else {
    throw new NumpyFormatError(source, `R has shape ${shapeText(rs)}; with P ${toolbox ? "(A, S, S)" : "(S, A, S)"} = ${shapeText(P.shape)} it must be (S,) = (${n},), (S, A) = (${n}, ${m}) or ${toolbox ? `(A, S, S) = (${m}, ${n}, ${n})` : `(S, A, S) = (${n}, ${m}, ${n})`}`);
  }
  const pIndex = toolbox ? (s: number, a: number, t: number) => (a * n + s) * n + t : (s: number, a: number, t: number) => (s * m + a) * n + t;
  const pName = (s: number, a: number, t: number) => (toolbox ? `P[${a}, ${s}, ${t}]` : `P[${s}, ${a}, ${t}]`);
  const rName = (s: number, a: number, t: number) => `R[${rs.length === 1 ? s : rs.length === 2 ? `${s}, ${a}` : toolbox ? `${a}, ${s}, ${t}` : `${s}, ${a}, ${t}`}]`;
  const problems: Problem[] = [];
  // Entries: every nonzero P (NaN and negatives included, so that they are reported).
  let nnz = 0;
  for (let i = 0; i < P.data.length; i++) if (P.data[i] !== 0) nnz++;
  const rowStart = indexArray(n * m + 1);
  const next = indexArray(nnz);
  const prob = new Float64Array(nnz);
  const reward = new Float64Array(nnz);
  const done = new Uint8Array(nnz);
  const skipSumRows = new Uint8Array(n * m);
  let k = 0;
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      rowStart[row] = k;
      for (let t = 0; t < n; t++) {
        const p = P.data[pIndex(s, a, t)]!;
        if (p === 0) continue;
        const r = R.data[rIndex(s, a, t)]!;
        if (!(p > 0 && p !== Infinity)) {
          skipSumRows[row] = 1;
          problems.push({ code: "bad-probability", path: `${source}: ${pName(s, a, t)}`, state: s, action: a, message: `${source}: ${pName(s, a, t)} (state ${s}, action ${a}, next state ${t}) is ${p}, not a probability` });
        }
        if (!Number.isFinite(r)) problems.push({ code: "bad-reward", path: `${source}: ${rName(s, a, t)}`, state: s, action: a, message: `${source}: ${rName(s, a, t)} (state ${s}, action ${a}, next state ${t}) is ${r}, not a finite reward` });
        prob[k] = Number.isFinite(p) ? p : 0;
        next[k] = t;
        reward[k] = Number.isFinite(r) ? r : 0;
        k++;
      }
    }
  }
  rowStart[n * m] = k;
  const { initial, float32: initial32 } = initialFrom(arrays, n, source, problems);
  if (problems.length > 0) throw new MdpValidationError(problems);
  const read = finish({ nStates: n, nActions: m, rowStart, next, prob, reward, done, initial }, {}, problems, source, isFloat32(P) ? "P" : undefined, initial32);
  return { ...read, layout };
}

/**
 * The MDP as an `.npz` in the CSR layout (what {@link mdpFromNpz} reads back, entry for entry), with
 * `state_names` / `action_names` when the MDP has names.
 */
export function mdpToNpz(mdp: TabularMdp): Uint8Array {
  const files: Record<string, Uint8Array> = {
    row_start: encodeNpy(mdp.rowStart, [mdp.rowStart.length], "<i8"),
    next: encodeNpy(mdp.next, [mdp.next.length], "<i8"),
    prob: encodeNpy(mdp.prob, [mdp.prob.length]),
    reward: encodeNpy(mdp.reward, [mdp.reward.length]),
    done: encodeNpy(mdp.done, [mdp.done.length], "|b1"),
    initial: encodeNpy(mdp.initial, [mdp.nStates]),
  };
  if (mdp.stateNames) files.state_names = encodeNpyStrings(mdp.stateNames);
  if (mdp.actionNames) files.action_names = encodeNpyStrings(mdp.actionNames);
  return encodeNpz(files);
}

/**
 * A numeric table from `.npy` bytes, or from the array of an `.npz` named by the first of `names`
 * that it holds (or its only array).
 * @param shape - the shapes accepted, e.g. [[n, m], [n * m]] for an n x m table.
 * @returns the values in C order, and whether they were stored as float32.
 * @throws {@link NumpyFormatError} for a missing array or a wrong shape, naming what was expected.
 */
export function numpyTable(
  bytes: Uint8Array,
  source: string,
  names: readonly string[],
  shapes: readonly (readonly number[])[],
  what: string,
): { values: Float64Array; float32: boolean; name: string } {
  const arrays = numpyArrays(bytes, source, names[0]!);
  let name = names.find((k) => arrays.has(k));
  if (name === undefined && arrays.size === 1) name = [...arrays.keys()][0]!;
  if (name === undefined) {
    throw new NumpyFormatError(source, `no array ${names.map((k) => `"${k}"`).join(" or ")} for the ${what} (found ${[...arrays.keys()].map((k) => JSON.stringify(k)).join(", ")})`);
  }
  const a = arrays.get(name)!;
  const place = isNpy(bytes) ? source : `${source}: ${name}`;
  if (a.kind === "U") throw new NumpyFormatError(place, `holds strings, not the numbers of the ${what}`);
  if (!shapes.some((s) => s.length === a.shape.length && s.every((d, i) => d === a.shape[i]))) {
    throw new NumpyFormatError(place, `the ${what} has shape ${shapeText(a.shape)}, expected ${shapes.map(shapeText).join(" or ")}`);
  }
  const problems: Problem[] = [];
  const cols = a.shape.length === 2 ? a.shape[1]! : 1;
  for (let i = 0; i < a.data.length && problems.length < 50; i++) {
    const v = a.data[i]!;
    if (!Number.isFinite(v)) {
      const at = a.shape.length === 2 ? `[${Math.floor(i / cols)}, ${i % cols}]` : `[${i}]`;
      problems.push({ code: "bad-value", path: `${place}${at}`, message: `${place}${at}: ${v} is not a finite number` });
    }
  }
  if (problems.length > 0) throw new NumpyValueError(problems);
  if (shapeSize(a.shape) !== a.data.length) throw new NumpyFormatError(place, "internal size mismatch");
  return { values: a.data, float32: isFloat32(a), name };
}

/**
 * A JSON-like record as an `.npz`, one array per key with the key's name: a number becomes a 0-d
 * float64 array (int64 for the keys in `integerKeys`), a boolean a 0-d bool, a string a 0-d unicode
 * array, a list of numbers (nested to any depth, rectangular) an array of that shape, a list of
 * strings a unicode array. Keys whose value is null, or not of those kinds (lists of objects), are
 * left out; the names of the keys left out are returned.
 */
export function recordToNpz(record: Readonly<Record<string, unknown>>, integerKeys: readonly string[] = []): { bytes: Uint8Array; omitted: string[] } {
  const files: Record<string, Uint8Array> = {};
  const omitted: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    const npy = toNpy(value, integerKeys.includes(key));
    if (npy) files[key] = npy;
    else omitted.push(key);
  }
  return { bytes: encodeNpz(files), omitted };
}

function toNpy(value: unknown, integer: boolean): Uint8Array | undefined {
  // A table written from a typed array (the CLI's JsonTable: `flat` in rows of `width`, or one
  // list): its numbers straight; anything else with toJSON, as JSON would write it.
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    const { flat, width } = value as { flat?: unknown; width?: unknown };
    if (flat instanceof Float64Array && !integer) {
      if (width === null) return encodeNpy(flat, [flat.length]);
      if (typeof width === "number" && width > 0 && flat.length % width === 0) return encodeNpy(flat, [flat.length / width, width]);
    }
    return toNpy((value as { toJSON(): unknown }).toJSON(), integer);
  }
  if (typeof value === "number") return encodeNpy([value], [], integer && Number.isSafeInteger(value) ? "<i8" : "<f8");
  if (typeof value === "boolean") return encodeNpy([value ? 1 : 0], [], "|b1");
  if (typeof value === "string") return encodeNpyStrings([value], []);
  if (value instanceof Float64Array) return encodeNpy(value, [value.length]);
  if (!Array.isArray(value)) return undefined;
  if (value.every((v) => typeof v === "string")) return encodeNpyStrings(value as string[]);
  // A rectangular nest of numbers: its shape from the first elements, then every element checked.
  const shape: number[] = [];
  for (let v: unknown = value; Array.isArray(v) || v instanceof Float64Array; v = (v as ArrayLike<unknown>)[0]) shape.push((v as ArrayLike<unknown>).length);
  const flat: number[] = [];
  const walk = (v: unknown, depth: number): boolean => {
    if (depth === shape.length) {
      if (typeof v !== "number") return false;
      flat.push(v);
      return true;
    }
    if (!(Array.isArray(v) || v instanceof Float64Array) || v.length !== shape[depth]) return false;
    for (let i = 0; i < v.length; i++) if (!walk(v[i], depth + 1)) return false;
    return true;
  };
  if (!walk(value, 0)) return undefined;
  return encodeNpy(flat, shape, integer && flat.every(Number.isSafeInteger) ? "<i8" : "<f8");
}
