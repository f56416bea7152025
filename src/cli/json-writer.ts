/**
 * JSON text for the CLI's output, written in chunks: the same bytes as
 * `JSON.stringify(value, replacer)` with the CLI's replacer (non-finite numbers become null, a
 * Float64Array is written as a list), without calling a replacer per number and without building
 * one string of the whole document. Plain objects, plain arrays, Float64Arrays, strings, numbers,
 * booleans and null are written here; anything else (a toJSON method, a class instance, another
 * typed array, a Map) is handed to JSON.stringify with the same replacer for its subtree. Long
 * lists and tables of numbers are written as bytes by the WebAssembly number writer
 * (number-bytes.ts: the digits of String(x), about five times faster, with no string per number).
 */
import { numberBytes, type NumberBytes } from "./number-bytes.js";

/** The CLI's replacer: what `printJson` has always applied. */
export function cliReplacer(_key: string, v: unknown): unknown {
  return typeof v === "number" && !Number.isFinite(v) ? null : v instanceof Float64Array ? Array.from(v) : v;
}

/** A number as JSON.stringify writes it after the replacer ("null" when not finite). */
function num(x: number): string {
  return x === 0 ? "0" : x - x === 0 ? String(x) : "null";
}

const FLUSH_CHARS = 1 << 16;

/**
 * A flat table of numbers written as JSON rows of `width` numbers (a list of lists; `width` null: one
 * flat list), without building the nested arrays (millions of boxed numbers at large tables):
 * {@link writeJson} writes it from the typed array, and JSON.stringify through `toJSON`, the same text.
 */
export class JsonTable {
  constructor(
    readonly flat: ArrayLike<number>,
    readonly width: number | null,
  ) {}

  toJSON(): number[] | number[][] {
    const { flat, width } = this;
    if (width === null) return Array.from(flat);
    const n = Math.ceil(flat.length / width);
    const out: number[][] = new Array<number[]>(n);
    for (let s = 0, i = 0; s < n; s++) {
      const len = Math.min(width, flat.length - i);
      const row = new Array<number>(len);
      for (let a = 0; a < len; a++) row[a] = flat[i++]!;
      out[s] = row;
    }
    return out;
  }
}

/** Lists and tables of at least this many numbers go through the WebAssembly writer (number-bytes.ts) when it is there. */
const BYTES_MIN_ITEMS = 16;

/**
 * Write `value` as JSON through `write` (several chunks: strings, and for long lists and tables of
 * numbers, bytes of ASCII text that `write` must use or copy before it returns); false when
 * JSON.stringify would give undefined. `numbers` writes the long lists (default: the WebAssembly
 * writer, {@link numberBytes}; null: String(x) for every number, the same text).
 */
export function writeJson(value: unknown, write: (chunk: string | Uint8Array) => void, numbers?: NumberBytes | null): boolean {
  // The WebAssembly writer is loaded at the first long list, not for documents without one.
  let writer: NumberBytes | null | undefined = numbers;
  const longLists = (): NumberBytes | null => (writer === undefined ? (writer = numberBytes()) : writer);
  let buf = "";
  const flush = (): void => {
    if (buf.length >= FLUSH_CHARS) {
      write(buf);
      buf = "";
    }
  };
  /** Items [from, to) of a list (width null) or table as bytes, after the text so far. */
  const bytes = (nb: NumberBytes, a: ArrayLike<number>, from: number, to: number, width: number | null): void => {
    if (buf.length > 0) write(buf);
    buf = "";
    nb.write(a, from, to, width, write);
  };
  // Tables repeat numbers (a policy of 0.25 where the values are flat): the last one is kept.
  let last = 0;
  let lastText = "0";
  /** a[from..to) as a JSON list. */
  const list = (a: ArrayLike<number>, from = 0, to = a.length): void => {
    if (to <= from) {
      buf += "[]";
      return;
    }
    buf += "[";
    const nb = to - from >= BYTES_MIN_ITEMS ? longLists() : null;
    if (nb !== null) {
      bytes(nb, a, from, to, null);
      buf += "]";
      return;
    }
    for (let i = from; i < to; i++) {
      const x = a[i]!;
      if (x !== last) {
        last = x;
        lastText = num(x);
      }
      buf += i === from ? lastText : "," + lastText;
      if ((i & 1023) === 0) flush();
    }
    buf += "]";
    flush();
  };
  const table = (t: JsonTable): void => {
    const { flat, width } = t;
    if (width === null) return list(flat);
    const n = Math.ceil(flat.length / width);
    const nb = flat.length >= BYTES_MIN_ITEMS ? longLists() : null;
    if (nb !== null) {
      buf += "[";
      bytes(nb, flat, 0, flat.length, width);
      buf += "]]";
      return;
    }
    buf += "[";
    for (let s = 0; s < n; s++) {
      if (s > 0) buf += ",";
      list(flat, s * width, Math.min(flat.length, (s + 1) * width));
    }
    buf += "]";
    flush();
  };
  /** Returns false for a value JSON.stringify leaves out (undefined, a function, a symbol). */
  const any = (v: unknown): boolean => {
    switch (typeof v) {
      case "number":
        buf += num(v);
        return true;
      case "string":
        buf += JSON.stringify(v);
        return true;
      case "boolean":
        buf += v ? "true" : "false";
        return true;
      case "undefined":
      case "function":
      case "symbol":
        return false;
      case "object":
        break;
      default: {
        // bigint: JSON.stringify throws, as it always did.
        const s = JSON.stringify(v, cliReplacer);
        buf += s;
        return true;
      }
    }
    if (v === null) {
      buf += "null";
      return true;
    }
    if (v instanceof Float64Array) {
      list(v);
      return true;
    }
    if (v instanceof JsonTable) {
      table(v);
      return true;
    }
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x === "number")) {
        list(v as number[]);
        return true;
      }
      buf += "[";
      for (let i = 0; i < v.length; i++) {
        if (i > 0) buf += ",";
        if (!any(v[i])) buf += "null";
      }
      buf += "]";
      flush();
      return true;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if ((proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== "function") {
      const obj = v as Record<string, unknown>;
      buf += "{";
      let first = true;
      for (const key of Object.keys(obj)) {
        const x = obj[key];
        if (x === undefined || typeof x === "function" || typeof x === "symbol") continue;
        buf += (first ? "" : ",") + JSON.stringify(key) + ":";
        first = false;
        any(x);
      }
      buf += "}";
      flush();
      return true;
    }
    const s = JSON.stringify(v, cliReplacer) as string | undefined;
    if (s === undefined) return false;
    buf += s;
    return true;
  };
  // The top level: whatever JSON.stringify does with the replacer applied first.
  const top = cliReplacer("", value);
  if (top !== value) {
    const s = JSON.stringify(value, cliReplacer) as string | undefined;
    if (s === undefined) return false;
    write(s);
    return true;
  }
  const ok = any(value);
  if (buf.length > 0) write(buf);
  return ok;
}
