/**
 * Decoding MDP documents.
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
import { MdpValidationError, UnknownFormatError, type Problem } from "../errors.js";
import { parseJson } from "./json.js";
import { TabularMdp, buildChecked, indexArray, describeValue, nextStateProblem, raggedActionProblems, type MdpLabels } from "./tabular.js";

/** The `format` value of the native JSON format. */
export const NATIVE_FORMAT = "control-as-inference/mdp@1";

/** Parse an MDP from text in either JSON format (detected from the content, never from a file name). */
export function parseMdp(text: string, source = "<input>"): TabularMdp {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const first = /\S/.exec(text)?.[0];
  let doc: unknown;
  try {
    doc = parseJson(text, source);
  } catch (e) {
    // Text that does not even start like a JSON document is some other format, not broken JSON.
    if (first !== undefined && first !== "{" && first !== "[") {
      throw new UnknownFormatError(source, "the content is not JSON (expected Gymnasium P JSON or native JSON)");
    }
    throw e;
  }
  return mdpFromJson(doc, source);
}

/** Build an MDP from an already parsed JSON document in either format. */
export function mdpFromJson(doc: unknown, source = "<input>"): TabularMdp {
  if (!isObject(doc)) {
    throw new UnknownFormatError(source, `expected a JSON object with a "P" key, got ${describe(doc)}`);
  }
  const format = doc.format;
  if (format === NATIVE_FORMAT) return fromDocument(doc, true);
  // Another version of our own format is not something to guess at; any other "format" key in a
  // document with "P" is one of the top-level keys Gymnasium P JSON ignores.
  if (format !== undefined && (!("P" in doc) || (typeof format === "string" && format.startsWith("control-as-inference/")))) {
    throw new UnknownFormatError(source, `"format" is ${describe(format)}; the native format is "${NATIVE_FORMAT}"`);
  }
  if (!("P" in doc)) {
    const keys = Object.keys(doc);
    throw new UnknownFormatError(
      source,
      `no "P" key (Gymnasium P JSON) and no "format" key (native "${NATIVE_FORMAT}"); keys found: ${
        keys.length === 0 ? "none" : keys.slice(0, 8).map((k) => JSON.stringify(k)).join(", ") + (keys.length > 8 ? ", ..." : "")
      }`,
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
  const rows: (unknown[] | undefined)[] = new Array(n);
  const counts: (number | undefined)[] = new Array(n);
  for (let s = 0; s < n; s++) {
    const acts = asIndexedList(states[s], `P[${s}]`, problems, s);
    rows[s] = acts;
    counts[s] = acts?.length;
  }
  const ragged = raggedActionProblems(counts);
  problems.push(...ragged.problems);
  if (problems.length > 0) throw new MdpValidationError(problems);
  const m = ragged.nActions;
  if (m === 0) throw new MdpValidationError([{ code: "no-actions", path: "P[0]", state: 0, message: "state 0 has no actions (every state needs at least one)" }]);
  let nnz = 0;
  for (let s = 0; s < n; s++) {
    const acts = rows[s]!;
    for (let a = 0; a < m; a++) {
      const list = acts[a];
      if (Array.isArray(list)) nnz += list.length;
      else {
        problems.push({
          code: "bad-shape",
          path: `P[${s}][${a}]`,
          state: s,
          action: a,
          message: `state ${s}, action ${a}: expected a list of [prob, next_state, reward, done], got ${describe(list)}`,
        });
      }
    }
  }
  if (problems.length > 0) throw new MdpValidationError(problems);
  const rowStart = indexArray(n * m + 1);
  const next = indexArray(nnz);
  const prob = new Float64Array(nnz);
  const reward = new Float64Array(nnz);
  const done = new Uint8Array(nnz);
  // Rows with a probability that is not a number: their sum check would only repeat the problem.
  const skipSumRows = new Uint8Array(n * m);
  let k = 0;
  for (let s = 0; s < n; s++) {
    const acts = rows[s]!;
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      rowStart[row] = k;
      const list = acts[a] as unknown[];
      for (let e = 0; e < list.length; e++, k++) {
        const item = list[e];
        if (Array.isArray(item) && item.length === 4) {
          const p: unknown = item[0];
          const t: unknown = item[1];
          const r: unknown = item[2];
          const d: unknown = item[3];
          // The valid path: plain stores, no strings built.
          if (typeof p === "number" && typeof t === "number" && typeof r === "number" && Number.isInteger(t) && t >= 0 && t < n && (d === true || d === false || d === 0 || d === 1)) {
            prob[k] = p;
            next[k] = t;
            reward[k] = r;
            done[k] = d === true || d === 1 ? 1 : 0;
            continue;
          }
          // Something is off: store what is usable (the rules check it), report the rest here.
          if (typeof p === "number") prob[k] = p;
          else {
            skipSumRows[row] = 1;
            problems.push(entryProblem("bad-probability", s, a, e, 0, `probability is ${describe(p)}, not a number`));
          }
          if (typeof t === "number" && Number.isInteger(t) && t >= 0 && t < n) next[k] = t;
          else problems.push(nextStateProblem(s, a, e, t, n));
          if (typeof r === "number") reward[k] = r;
          else problems.push(entryProblem("bad-reward", s, a, e, 2, `reward is ${describe(r)}, not a number`));
          if (d === true || d === 1) done[k] = 1;
          else if (d !== false && d !== 0) problems.push(entryProblem("bad-done", s, a, e, 3, `done is ${describe(d)} (expected true/false or 1/0)`));
        } else {
          skipSumRows[row] = 1;
          problems.push({
            code: "bad-shape",
            path: `P[${s}][${a}][${e}]`,
            state: s,
            action: a,
            entry: e,
            message: `state ${s}, action ${a}, entry ${e}: expected [prob, next_state, reward, done], got ${describe(item)}`,
          });
        }
      }
    }
  }
  rowStart[n * m] = k;
  let initial: Float64Array;
  let skipInitial = false;
  if (doc.initial === undefined || doc.initial === null) initial = new Float64Array(n).fill(1 / n);
  else if (Array.isArray(doc.initial)) {
    const list = doc.initial as unknown[];
    initial = Float64Array.from(list, (v) => (typeof v === "number" ? v : NaN));
    if (list.length === n) {
      list.forEach((v, i) => {
        if (typeof v === "number") return;
        skipInitial = true;
        problems.push({ code: "bad-initial", path: `initial[${i}]`, state: i, message: `initial distribution: entry ${i} is ${describe(v)}, not a number` });
      });
    }
  } else {
    skipInitial = true;
    problems.push({ code: "bad-initial", path: "initial", message: `initial distribution: expected a list of ${n} probabilities, got ${describe(doc.initial)}` });
    initial = new Float64Array(n).fill(1 / n);
  }
  const labels: { stateNames?: string[]; actionNames?: string[]; meta?: Record<string, unknown> } = {};
  if (native) {
    for (const [key, size] of [["states", n], ["actions", m]] as const) {
      if (doc[key] !== undefined && doc[key] !== size) {
        const v = doc[key];
        problems.push({
          code: "bad-shape",
          path: key,
          message: typeof v === "number" ? `"${key}" says ${v} but P has ${size}` : `"${key}" is ${describe(v)}${typeof v === "string" ? " (a string)" : ""}, expected the number ${size} (the size of P)`,
        });
      }
    }
    for (const key of ["stateNames", "actionNames"] as const) {
      const v = doc[key];
      if (v === undefined) continue;
      if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
        problems.push({ code: "bad-names", path: key, message: `"${key}" must be a list of strings, got ${describe(v)}` });
      } else labels[key] = v as string[];
    }
    if (doc.meta !== undefined) {
      if (isObject(doc.meta)) labels.meta = doc.meta;
      else problems.push({ code: "bad-shape", path: "meta", message: `"meta" must be an object, got ${describe(doc.meta)}` });
    }
  }
  return buildChecked({ nStates: n, nActions: m, rowStart, next, prob, reward, done, initial }, labels as MdpLabels, problems, { skipSumRows, skipInitial });
}

function entryProblem(code: string, s: number, a: number, e: number, field: number, what: string): Problem {
  return { code, path: `P[${s}][${a}][${e}][${field}]`, state: s, action: a, entry: e, message: `state ${s}, action ${a}, entry ${e}: ${what}` };
}

/**
 * A JSON list, or an object keyed "0".."k-1" (in any order) read as a list; pushes a problem
 * otherwise. `state` is set when the value is the action table of that state.
 */
function asIndexedList(v: unknown, path: string, problems: Problem[], state?: number): unknown[] | undefined {
  const place = state === undefined ? {} : { state };
  const what = state === undefined ? path : `state ${state}`;
  if (Array.isArray(v)) return v;
  if (isObject(v)) {
    const keys = Object.keys(v);
    const out: unknown[] = new Array(keys.length);
    for (const key of keys) {
      const i = Number(key);
      if (!/^(0|[1-9][0-9]*)$/.test(key) || i >= keys.length) {
        problems.push({
          code: "bad-shape",
          path: `${path}[${JSON.stringify(key)}]`,
          ...place,
          message: `${what}: key ${JSON.stringify(key)} is not one of "0".."${keys.length - 1}" (an object read as a list needs the keys 0..k-1)`,
        });
        return undefined;
      }
      out[i] = v[key];
    }
    return out;
  }
  problems.push({ code: "bad-shape", path, ...place, message: `${what}: expected a list or an object keyed "0".."k-1", got ${describe(v)}` });
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const describe = describeValue;
