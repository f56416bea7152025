/**
 * Reading and writing MDP files.
 *
 * Two JSON formats, told apart by their content (never by the file name):
 *
 * - **Gymnasium P JSON**: `{"P": P, "initial": [...]}` where `P[s][a]` is a list of
 *   `[prob, next_state, reward, done]`, the layout of Gymnasium's toy_text `env.P`. `P` and `P[s]`
 *   may be lists or objects keyed "0".."k-1" (what Python's `json.dump(env.P)` writes); `done` may
 *   be true/false or 1/0; other top-level keys are ignored; without `initial`, p0 is uniform.
 * - **Native JSON** (`"format": "control-as-inference/mdp@1"`): the same `P` and `initial`, plus
 *   `stateNames`, `actionNames`, `meta` (free-form object), and `states` / `actions` (sizes, checked).
 */
import { readFileSync } from "node:fs";
import { FileReadError, JsonSyntaxError, MdpValidationError, UnknownFormatError, type Problem } from "../errors.js";
import { TabularMdp } from "./tabular.js";

/** The `format` value of the native JSON format. */
export const NATIVE_FORMAT = "control-as-inference/mdp@1";

/** Formats a file can be written in. */
export type MdpFormat = "gymnasium" | "native";

/** Read a file (or standard input when `path` is "-") as text. */
export function readSource(path: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new FileReadError(path === "-" ? "<stdin>" : path, err.code === "ENOENT" ? "no such file" : err.message);
  }
}

/** Parse JSON, turning a syntax error into a {@link JsonSyntaxError} with line and column. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const msg = (e as Error).message;
    let pos = text.length;
    const lc = /line (\d+) column (\d+)/.exec(msg);
    const at = /position (\d+)/.exec(msg);
    if (at) pos = Number(at[1]);
    let line = 1;
    let col = 1;
    if (lc && !at) {
      line = Number(lc[1]);
      col = Number(lc[2]);
    } else {
      for (let i = 0; i < pos && i < text.length; i++) {
        if (text.charCodeAt(i) === 10) {
          line++;
          col = 1;
        } else col++;
      }
    }
    const detail = msg.replace(/\s*\(line \d+ column \d+\)/, "").replace(/ in JSON at position \d+/, "");
    throw new JsonSyntaxError(source, text.trim() === "" ? "the input is empty" : detail, line, col);
  }
}

/** Read an MDP from a file path, or from standard input when the path is "-". */
export function readMdpFile(path: string): TabularMdp {
  return parseMdp(readSource(path), path === "-" ? "<stdin>" : path);
}

/** Parse an MDP from text in either JSON format (detected from the content). */
export function parseMdp(text: string, source = "<input>"): TabularMdp {
  const first = /\S/.exec(text)?.[0];
  if (first !== undefined && first !== "{" && first !== "[") {
    throw new UnknownFormatError(source, "the content is not JSON (expected Gymnasium P JSON or native JSON)");
  }
  return mdpFromJson(parseJson(text, source), source);
}

/** Build an MDP from an already parsed JSON document in either format. */
export function mdpFromJson(doc: unknown, source = "<input>"): TabularMdp {
  if (!isObject(doc)) {
    throw new UnknownFormatError(source, `expected a JSON object with a "P" key, got ${describe(doc)}`);
  }
  if ("format" in doc) {
    if (doc.format !== NATIVE_FORMAT) {
      throw new UnknownFormatError(source, `"format" is ${JSON.stringify(doc.format)}; the native format is "${NATIVE_FORMAT}"`);
    }
    return fromDocument(doc, true);
  }
  if (!("P" in doc)) {
    throw new UnknownFormatError(
      source,
      `no "P" key (Gymnasium P JSON) and no "format" key (native "${NATIVE_FORMAT}"); keys found: ${Object.keys(doc).slice(0, 8).join(", ") || "none"}`,
    );
  }
  return fromDocument(doc, false);
}

function fromDocument(doc: Record<string, unknown>, native: boolean): TabularMdp {
  const problems: Problem[] = [];
  const states = asIndexedList(doc.P, "P", problems);
  if (!states) throw new MdpValidationError(problems);
  const n = states.length;
  if (n === 0) throw new MdpValidationError([{ code: "no-states", path: "P", message: "P has no states" }]);
  const rows: unknown[][] = [];
  let m = -1;
  for (let s = 0; s < n; s++) {
    const acts = asIndexedList(states[s], `P[${s}]`, problems);
    if (!acts) continue;
    if (m < 0) m = acts.length;
    else if (acts.length !== m) {
      problems.push({
        code: "ragged-actions",
        path: `P[${s}]`,
        state: s,
        message: `state ${s} has ${acts.length} actions, state 0 has ${m} (every state needs the same number of actions)`,
      });
      continue;
    }
    rows[s] = acts;
  }
  if (problems.length > 0) throw new MdpValidationError(problems);
  if (m === 0) throw new MdpValidationError([{ code: "no-actions", path: "P[0]", message: "state 0 has no actions" }]);
  let nnz = 0;
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < m; a++) {
      const list = rows[s]![a];
      if (!Array.isArray(list)) {
        problems.push({ code: "bad-shape", path: `P[${s}][${a}]`, state: s, action: a, message: `state ${s}, action ${a}: expected a list of [prob, next_state, reward, done], got ${describe(list)}` });
      } else nnz += list.length;
    }
  }
  if (problems.length > 0) throw new MdpValidationError(problems);
  const rowStart = new Int32Array(n * m + 1);
  const next = new Int32Array(nnz);
  const prob = new Float64Array(nnz);
  const reward = new Float64Array(nnz);
  const done = new Uint8Array(nnz);
  let k = 0;
  for (let s = 0; s < n; s++) {
    const acts = rows[s]!;
    for (let a = 0; a < m; a++) {
      rowStart[s * m + a] = k;
      const list = acts[a] as unknown[];
      for (let e = 0; e < list.length; e++, k++) {
        const item = list[e];
        const path = `P[${s}][${a}][${e}]`;
        const where = `state ${s}, action ${a}, entry ${e}`;
        if (!Array.isArray(item) || item.length !== 4) {
          problems.push({ code: "bad-shape", path, state: s, action: a, entry: e, message: `${where}: expected [prob, next_state, reward, done], got ${describe(item)}` });
          continue;
        }
        const [p, t, r, d] = item as [unknown, unknown, unknown, unknown];
        if (typeof p !== "number") problems.push({ code: "bad-probability", path: `${path}[0]`, state: s, action: a, entry: e, message: `${where}: probability is ${describe(p)}, not a number` });
        else prob[k] = p;
        if (typeof t !== "number" || !Number.isInteger(t)) problems.push({ code: "next-state-out-of-range", path: `${path}[1]`, state: s, action: a, entry: e, message: `${where}: next state ${describe(t)} is not an integer state index` });
        else next[k] = t < -2147483648 || t > 2147483647 ? -1 : t;
        if (typeof r !== "number") problems.push({ code: "bad-reward", path: `${path}[2]`, state: s, action: a, entry: e, message: `${where}: reward is ${describe(r)}, not a number` });
        else reward[k] = r;
        if (d === true || d === 1) done[k] = 1;
        else if (d !== false && d !== 0) problems.push({ code: "bad-done", path: `${path}[3]`, state: s, action: a, entry: e, message: `${where}: done is ${describe(d)} (expected true/false or 1/0)` });
        if (typeof t === "number" && Number.isInteger(t) && (t < -2147483648 || t > 2147483647)) {
          problems.push({ code: "next-state-out-of-range", path: `${path}[1]`, state: s, action: a, entry: e, message: `${where}: next state ${t} is out of range (states are 0..${n - 1})` });
        }
      }
    }
  }
  rowStart[n * m] = k;
  let initial: Float64Array;
  if (doc.initial === undefined || doc.initial === null) initial = new Float64Array(n).fill(1 / n);
  else if (Array.isArray(doc.initial)) initial = Float64Array.from(doc.initial as unknown[], (v) => (typeof v === "number" ? v : NaN));
  else {
    problems.push({ code: "bad-initial", path: "initial", message: `initial distribution: expected a list of ${n} probabilities, got ${describe(doc.initial)}` });
    initial = new Float64Array(n).fill(1 / n);
  }
  const labels: { stateNames?: string[]; actionNames?: string[]; meta?: Record<string, unknown> } = {};
  if (native) {
    for (const [key, size] of [["states", n], ["actions", m]] as const) {
      if (doc[key] !== undefined && doc[key] !== size) {
        problems.push({ code: "bad-shape", path: key, message: `"${key}" says ${describe(doc[key])} but P has ${size}` });
      }
    }
    for (const key of ["stateNames", "actionNames"] as const) {
      const v = doc[key];
      if (v === undefined) continue;
      if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
        problems.push({ code: "bad-names", path: key, message: `"${key}" must be a list of strings` });
      } else labels[key] = v as string[];
    }
    if (doc.meta !== undefined) {
      if (isObject(doc.meta)) labels.meta = doc.meta;
      else problems.push({ code: "bad-shape", path: "meta", message: `"meta" must be an object, got ${describe(doc.meta)}` });
    }
  }
  // Shape and type problems first: the value checks below would repeat them.
  if (problems.length > 0) throw new MdpValidationError(problems);
  return TabularMdp.fromArrays({ nStates: n, nActions: m, rowStart, next, prob, reward, done, initial }, labels);
}

/** A JSON list, or an object keyed "0".."k-1" read as a list; pushes a problem otherwise. */
function asIndexedList(v: unknown, path: string, problems: Problem[]): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (isObject(v)) {
    const keys = Object.keys(v);
    const out: unknown[] = new Array(keys.length);
    for (const key of keys) {
      const i = Number(key);
      if (!/^(0|[1-9][0-9]*)$/.test(key) || i >= keys.length) {
        problems.push({ code: "bad-shape", path: `${path}["${key}"]`, message: `${path}: key "${key}" is not one of "0".."${keys.length - 1}"` });
        return undefined;
      }
      out[i] = v[key];
    }
    return out;
  }
  problems.push({ code: "bad-shape", path, message: `${path}: expected a list or an object keyed "0".."k-1", got ${describe(v)}` });
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return JSON.stringify(v.length > 20 ? v.slice(0, 20) + "..." : v);
  return String(v);
}

/**
 * Serialise an MDP. Gymnasium P JSON writes `{"P": lists, "initial": [...]}`; native adds the
 * format tag, sizes, names and metadata. Numbers are written with full round-trip precision.
 */
export function writeMdp(mdp: TabularMdp, format: MdpFormat = "gymnasium"): string {
  const parts: string[] = [];
  if (format === "native") {
    parts.push(`{"format":"${NATIVE_FORMAT}","states":${mdp.nStates},"actions":${mdp.nActions}`);
    if (mdp.stateNames) parts.push(`,"stateNames":${JSON.stringify(mdp.stateNames)}`);
    if (mdp.actionNames) parts.push(`,"actionNames":${JSON.stringify(mdp.actionNames)}`);
    if (Object.keys(mdp.meta).length > 0) parts.push(`,"meta":${JSON.stringify(mdp.meta)}`);
    parts.push(`,"P":[`);
  } else parts.push(`{"P":[`);
  const m = mdp.nActions;
  for (let s = 0; s < mdp.nStates; s++) {
    let line = s === 0 ? "\n[" : ",\n[";
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      line += a === 0 ? "[" : ",[";
      for (let k = mdp.rowStart[row]!; k < mdp.rowStart[row + 1]!; k++) {
        line += `${k === mdp.rowStart[row] ? "" : ","}[${num(mdp.prob[k]!)},${mdp.next[k]},${num(mdp.reward[k]!)},${mdp.done[k] ? "true" : "false"}]`;
      }
      line += "]";
    }
    parts.push(line + "]");
  }
  parts.push(`\n],\n"initial":[${Array.from(mdp.initial, num).join(",")}]}\n`);
  return parts.join("");
}

/** A number as JSON; -0 is written as 0. */
function num(x: number): string {
  return Object.is(x, -0) ? "0" : String(x);
}
