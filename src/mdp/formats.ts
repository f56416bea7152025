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
import type * as NodeFs from "node:fs";
import { nodeBuiltin } from "../host.js";
import { FileReadError, JsonSyntaxError, MdpValidationError, UnknownFormatError, type Problem } from "../errors.js";
import { TabularMdp, buildChecked, indexArray, describeValue, nextStateProblem, raggedActionProblems, type MdpLabels } from "./tabular.js";

/** The `format` value of the native JSON format. */
export const NATIVE_FORMAT = "control-as-inference/mdp@1";

/** Formats a file can be written in. */
export type MdpFormat = "gymnasium" | "native";

/** Read a file (or standard input when `path` is "-") as UTF-8 text; a leading byte-order mark is dropped. */
export function readSource(path: string): string {
  const source = path === "-" ? "<stdin>" : path;
  let text: string;
  try {
    text = path === "-" ? readStdin() : fs().readFileSync(path, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason: Record<string, string> = {
      ENOENT: "no such file",
      EISDIR: "is a directory, not a file",
      EACCES: "permission denied",
      EPERM: "permission denied",
      ENOTDIR: "a component of the path is not a directory",
      ENAMETOOLONG: "the file name is too long",
    };
    throw new FileReadError(source, (err.code !== undefined ? reason[err.code] : undefined) ?? oneLine(err.message));
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** node:fs (files are read under Node.js only; parseMdp takes text anywhere). */
function fs(): typeof NodeFs {
  const mod = nodeBuiltin("node:fs");
  if (mod === undefined) throw new Error("files can be read under Node.js only (pass the text to parseMdp)");
  return mod;
}

/** All of standard input. `readFileSync(0)` fails with EAGAIN on a non-blocking pipe: read in a loop then. */
function readStdin(): string {
  try {
    return fs().readFileSync(0, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
  }
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(1 << 16);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let got: number;
    try {
      got = fs().readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        Atomics.wait(pause, 0, 0, 5);
        continue;
      }
      if (code === "EOF") break;
      throw e;
    }
    if (got === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, got)));
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Parse JSON, turning a syntax error into a {@link JsonSyntaxError} with its 1-based line and column
 * and a one-line description. (V8's own messages give no position for "Unexpected token" and quote
 * the input, newlines included; the error is located here by a small scanner run on failure only.)
 */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    if (text.trim() === "") throw new JsonSyntaxError(source, "the input is empty", 1, 1);
    const found = locateJsonError(text) ?? { pos: text.length, detail: oneLine((e as Error).message) };
    const { line, column } = lineColumn(text, found.pos);
    throw new JsonSyntaxError(source, found.detail, line, column);
  }
}

/** 1-based line and column (in UTF-16 code units) of offset `pos`. */
function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < pos; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: pos - lineStart + 1 };
}

/** A JSON number (RFC 8259), anchored where `lastIndex` points. */
const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/**
 * The offset and a description of the first syntax error of `text` (RFC 8259), or undefined when
 * it is valid. Iterative, so deep nesting cannot overflow the stack.
 */
export function locateJsonError(text: string): { pos: number; detail: string } | undefined {
  const n = text.length;
  const stack: number[] = []; // 0: array, 1: object
  // What may come next: a value, a value or "]" (just after "["), a key, a key or "}" (just after "{"),
  // ":", "," or the closing bracket, or the end of the input.
  type Expect = "value" | "value-or-close" | "key" | "key-or-close" | "colon" | "comma-or-close" | "end";
  let expect: Expect = "value";
  let i = 0;
  const err = (pos: number, detail: string) => ({ pos, detail });
  const after = (): Expect => (stack.length === 0 ? "end" : "comma-or-close");
  const show = (pos: number): string => {
    const c = text.codePointAt(pos)!;
    return c < 0x20 ? `control character U+${c.toString(16).toUpperCase().padStart(4, "0")}` : JSON.stringify(String.fromCodePoint(c));
  };
  const scanString = (): { pos: number; detail: string } | number => {
    const start = i;
    let j = i + 1;
    for (;;) {
      if (j >= n) return err(start, "unterminated string");
      const c = text.charCodeAt(j);
      if (c === 34) return j + 1;
      if (c < 0x20) return err(j, c === 10 ? "unterminated string (a newline inside a string)" : `${show(j)} inside a string (escape it)`);
      if (c === 92) {
        const d = text[j + 1];
        if (d === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) return err(j, "bad \\u escape (expected 4 hex digits)");
          j += 6;
        } else if (d !== undefined && '"\\/bfnrt'.includes(d)) j += 2;
        else return err(j, d === undefined ? "unterminated string" : `bad escape \\${d}`);
      } else j++;
    }
  };
  const scanNumber = (): { pos: number; detail: string } | number => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return err(i, text.startsWith("-Infinity", i) ? "-Infinity is not valid JSON (write a large finite number such as -1e300)" : "invalid number");
    const j = i + m[0].length;
    const c = text[j];
    if (c !== undefined && /[0-9.eE+\-]/.test(c)) return err(i, `invalid number ${JSON.stringify(text.slice(i, j + 1))}`);
    return j;
  };
  for (;;) {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    if (i >= n) {
      if (expect === "end") return undefined;
      return err(n, stack.length > 0 ? `unexpected end of input (${stack.length} unclosed bracket${stack.length > 1 ? "s" : ""})` : "unexpected end of input");
    }
    const c = text[i]!;
    switch (expect) {
      case "end":
        return err(i, `unexpected ${show(i)} after the end of the JSON value`);
      case "colon":
        if (c !== ":") return err(i, `expected ":" after the property name, found ${show(i)}`);
        i++;
        expect = "value";
        continue;
      case "key":
      case "key-or-close":
        if (c === "}" && expect === "key-or-close") {
          stack.pop();
          i++;
          expect = after();
          continue;
        }
        if (c !== '"') {
          return err(i, c === "}" ? `trailing comma before "}"` : `expected a property name in double quotes, found ${show(i)}`);
        }
        {
          const r = scanString();
          if (typeof r !== "number") return r;
          i = r;
        }
        expect = "colon";
        continue;
      case "comma-or-close": {
        const close = stack[stack.length - 1] === 1 ? "}" : "]";
        if (c === ",") {
          i++;
          expect = close === "}" ? "key" : "value";
          continue;
        }
        if (c === close) {
          stack.pop();
          i++;
          expect = after();
          continue;
        }
        return err(i, `expected "," or "${close}", found ${show(i)}`);
      }
      case "value":
      case "value-or-close": {
        if (c === "]" && expect === "value-or-close") {
          stack.pop();
          i++;
          expect = after();
          continue;
        }
        if (c === "{" || c === "[") {
          stack.push(c === "{" ? 1 : 0);
          i++;
          expect = c === "{" ? "key-or-close" : "value-or-close";
          continue;
        }
        let r: { pos: number; detail: string } | number;
        if (c === '"') r = scanString();
        else if (c === "-" || (c >= "0" && c <= "9")) r = scanNumber();
        else if (text.startsWith("true", i)) r = i + 4;
        else if (text.startsWith("false", i)) r = i + 5;
        else if (text.startsWith("null", i)) r = i + 4;
        else if (c === "]" && stack[stack.length - 1] === 0) r = err(i, `trailing comma before "]"`);
        else if (text.startsWith("NaN", i)) r = err(i, "NaN is not valid JSON (Python's json.dump writes it for float('nan'))");
        else if (text.startsWith("Infinity", i)) r = err(i, "Infinity is not valid JSON (write a large finite number such as 1e300)");
        else if (c === "'") r = err(i, "strings need double quotes, not single quotes");
        else if (c === "," ) r = err(i, `unexpected ","${stack.length > 0 ? " (a missing value)" : ""}`);
        else r = err(i, `unexpected ${show(i)}`);
        if (typeof r !== "number") return r;
        i = r;
        expect = after();
        continue;
      }
    }
  }
}

/** Read an MDP from a file path, or from standard input when the path is "-". */
export function readMdpFile(path: string): TabularMdp {
  return parseMdp(readSource(path), path === "-" ? "<stdin>" : path);
}

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
        problems.push({ code: "bad-shape", path: key, message: `"${key}" says ${describe(doc[key])} but P has ${size}` });
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

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ");
}

/**
 * Serialise an MDP. Gymnasium P JSON writes `{"P": lists, "initial": [...]}`; native adds the
 * format tag, sizes, names and metadata. Numbers are written with full round-trip precision.
 */
export function writeMdp(mdp: TabularMdp, format: MdpFormat = "gymnasium"): string {
  const parts: string[] = [];
  writeMdpChunks(mdp, format, (chunk) => parts.push(chunk));
  return parts.join("");
}

/**
 * The text of {@link writeMdp}, character for character, handed to `write` in chunks of about
 * `chunkChars` characters, so that a table of millions of entries (the open 1000 x 1000 lake is
 * about 420 MB of JSON) never has to exist as one string.
 */
export function writeMdpChunks(mdp: TabularMdp, format: MdpFormat, write: (chunk: string) => void, chunkChars = 1 << 20): void {
  let head: string;
  if (format === "native") {
    head = `{"format":"${NATIVE_FORMAT}","states":${mdp.nStates},"actions":${mdp.nActions}`;
    if (mdp.stateNames) head += `,"stateNames":${JSON.stringify(mdp.stateNames)}`;
    if (mdp.actionNames) head += `,"actionNames":${JSON.stringify(mdp.actionNames)}`;
    if (Object.keys(mdp.meta).length > 0) head += `,"meta":${JSON.stringify(mdp.meta)}`;
    head += `,"P":[`;
  } else head = `{"P":[`;
  const { nStates: n, nActions: m, rowStart, prob, next, reward, done } = mdp;
  const parts: string[] = [head];
  let size = head.length;
  for (let s = 0; s < n; s++) {
    let line = s === 0 ? "\n[" : ",\n[";
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      line += a === 0 ? "[" : ",[";
      const k0 = rowStart[row]!;
      const k1 = rowStart[row + 1]!;
      for (let k = k0; k < k1; k++) line += `${k === k0 ? "" : ","}[${num(prob[k]!)},${next[k]},${num(reward[k]!)},${done[k] ? "true" : "false"}]`;
      line += "]";
    }
    line += "]";
    parts.push(line);
    size += line.length;
    if (size >= chunkChars) {
      write(parts.join(""));
      parts.length = 0;
      size = 0;
    }
  }
  parts.push(`\n],\n"initial":[${Array.from(mdp.initial, num).join(",")}]}\n`);
  write(parts.join(""));
}

/** A number as JSON, exactly: shortest round-trip digits, and -0 kept as -0 (String(-0) is "0"). */
function num(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}
