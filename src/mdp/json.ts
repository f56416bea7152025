/**
 * JSON with located syntax errors: {@link parseJson} throws a {@link JsonSyntaxError} with the
 * 1-based line and column of the first error, found by a small scanner run on failure only.
 */
import { JsonSyntaxError } from "../errors.js";
import { quoteText } from "../preview.js";
import { findDuplicateKey } from "./json-keys.js";

/**
 * Parse JSON, turning a syntax error into a {@link JsonSyntaxError} with its 1-based line and column
 * and a one-line description. (V8's own messages give no position for "Unexpected token" and quote
 * the input, newlines included; the error is located here by a small scanner run on failure only.)
 */
export function parseJson(text: string, source: string): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (e) {
    if (text.trim() === "") throw new JsonSyntaxError(source, "the input is empty", 1, 1);
    const found = locateJsonError(text) ?? { pos: text.length, detail: oneLine((e as Error).message) };
    const { line, column } = lineColumn(text, found.pos);
    throw new JsonSyntaxError(source, found.detail, line, column);
  }
  // JSON.parse keeps the last of two equal keys: a repeated key is refused, located as syntax errors are.
  const dup = findDuplicateKey(text);
  if (dup) {
    const { line, column } = lineColumn(text, dup.pos);
    const first = lineColumn(text, dup.firstPos);
    throw new JsonSyntaxError(source, `the key ${quoteText(dup.key)} appears twice in one object (first at line ${first.line}, column ${first.column})`, line, column);
  }
  return doc;
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

/** A message on one line (V8 quotes input, newlines included). */
export function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ");
}
