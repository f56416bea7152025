/**
 * Reading a Q-table computed elsewhere: JSON (a list of n rows of m numbers, or {"Q": that}, e.g. the
 * output of `cai solve --json`) or CSV (n rows of m numbers; comma, semicolon, tab or space
 * separated, as numpy.savetxt and pandas write them). Every problem names its row and column.
 */
import { InputError, type Problem } from "../errors.js";
import { parseJson } from "../mdp/json.js";
import { preview } from "../preview.js";

/** A Q-table that cannot be read or has the wrong shape. */
export class QTableError extends InputError {}

/** Most problems listed before the rest are counted. */
const MAX_PROBLEMS = 50;

/** A decimal number as written by numpy, pandas, JSON or a person (no hex, no "Infinity", no NaN). */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parse a Q-table for an MDP with n states and m actions; the format is read off the text (JSON when
 * it starts with "[" or "{", CSV otherwise).
 * @param source - how errors name the input (a file name).
 * @returns Q flat n x m (row = s * m + a).
 * @throws {@link QTableError} listing every problem (wrong number of rows or columns, a value that is
 * not a finite number), {@link JsonSyntaxError} for malformed JSON.
 */
export function parseQTable(text: string, source: string, n: number, m: number): { Q: Float64Array; format: "json" | "csv" } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = body.trimStart()[0];
  if (first === "[" || first === "{") return { Q: fromJson(parseJson(body, source), source, n, m), format: "json" };
  return { Q: fromCsv(body, source, n, m), format: "csv" };
}

function fail(problems: Problem[]): never {
  if (problems.length > MAX_PROBLEMS) {
    const rest = problems.length - MAX_PROBLEMS;
    problems = [...problems.slice(0, MAX_PROBLEMS), { code: "bad-q-table", message: `... and ${rest} more problems in the Q-table` }];
  }
  throw new QTableError(problems);
}

function fromJson(doc: unknown, source: string, n: number, m: number): Float64Array {
  let table = doc;
  let path = "";
  if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) {
    if (!("Q" in doc)) fail([{ code: "bad-q-table", path: source, message: `${source}: expected a list of ${n} rows of ${m} numbers, or an object {"Q": [...]}; found an object without "Q"` }]);
    table = (doc as Record<string, unknown>).Q;
    path = "Q";
  }
  if (!Array.isArray(table)) fail([{ code: "bad-q-table", path: source, message: `${source}: ${path || "the document"} is not a list of rows (one per state)` }]);
  const rows = table as unknown[];
  const name = (s: number, a?: number) => `${path || "Q"}[${s}]${a === undefined ? "" : `[${a}]`}`;
  const problems: Problem[] = [];
  if (rows.length !== n) problems.push({ code: "q-table-shape", path: source, message: `${source}: has ${rows.length} rows but the MDP has ${n} states (one row per state)` });
  const Q = new Float64Array(n * m);
  rows.forEach((row, s) => {
    if (s >= n) return;
    if (!Array.isArray(row)) {
      problems.push({ code: "q-table-shape", path: `${source}: ${name(s)}`, state: s, message: `${source}: ${name(s)} (state ${s}) is not a list of ${m} numbers` });
      return;
    }
    if (row.length !== m) {
      problems.push({ code: "q-table-shape", path: `${source}: ${name(s)}`, state: s, message: `${source}: ${name(s)} (state ${s}) has ${row.length} values, expected ${m} (one per action)` });
      return;
    }
    row.forEach((v, a) => {
      if (typeof v === "number" && Number.isFinite(v)) Q[s * m + a] = v;
      else {
        problems.push({
          code: "q-table-value",
          path: `${source}: ${name(s, a)}`,
          state: s,
          action: a,
          message: `${source}: ${name(s, a)} (state ${s}, action ${a}) is ${preview(v)}, not a finite number`,
        });
      }
    });
  });
  if (problems.length > 0) fail(problems);
  return Q;
}

function splitLine(line: string, sep: string): string[] {
  return sep === " " ? line.trim().split(/\s+/) : line.split(sep).map((f) => f.trim());
}

function fromCsv(text: string, source: string, n: number, m: number): Float64Array {
  const lines = text.split(/\r?\n/);
  const data: { line: number; text: string }[] = [];
  lines.forEach((l, i) => {
    if (l.trim() !== "" && !l.trimStart().startsWith("#")) data.push({ line: i + 1, text: l });
  });
  if (data.length === 0) fail([{ code: "bad-q-table", path: source, message: `${source}: the Q-table is empty (expected ${n} rows of ${m} numbers)` }]);
  const head = data[0]!.text;
  const sep = head.includes(",") ? "," : head.includes(";") ? ";" : head.includes("\t") ? "\t" : " ";
  // A header: one line more than there are states, the first with no number in it or an empty first
  // cell (pandas writes one over its index column, then the column names 0..m-1).
  let indexColumn = false;
  const headFields = splitLine(head, sep);
  if (data.length === n + 1 && (headFields[0] === "" || headFields.every((f) => !NUMBER.test(f)))) {
    indexColumn = headFields.length === m + 1 && /^(|state|s|index)$/i.test(headFields[0]!);
    data.shift();
  }
  const problems: Problem[] = [];
  if (data.length !== n) problems.push({ code: "q-table-shape", path: source, message: `${source}: has ${data.length} rows of numbers but the MDP has ${n} states (one row per state)` });
  const Q = new Float64Array(n * m);
  data.forEach(({ line, text: l }, s) => {
    if (s >= n) return;
    let fields = splitLine(l, sep);
    if (indexColumn) fields = fields.slice(1);
    if (fields.length !== m) {
      problems.push({ code: "q-table-shape", path: `${source}:${line}`, state: s, message: `${source}: line ${line} (state ${s}) has ${fields.length} values, expected ${m} (one per action)` });
      return;
    }
    fields.forEach((f, a) => {
      const col = a + 1 + (indexColumn ? 1 : 0);
      const x = NUMBER.test(f) ? Number(f) : NaN;
      if (Number.isFinite(x)) Q[s * m + a] = x;
      else {
        problems.push({
          code: "q-table-value",
          path: `${source}:${line}:${col}`,
          state: s,
          action: a,
          message: `${source}: line ${line}, column ${col} (state ${s}, action ${a}): ${f === "" ? "empty field" : preview(f)} is not a finite number`,
        });
      }
    });
  });
  if (problems.length > 0) fail(problems);
  return Q;
}
