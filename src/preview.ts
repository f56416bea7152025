/**
 * Values quoted in messages: short, on one line, never recursive. A user's document may hold a
 * list of two million numbers or a value nested 100 000 deep; a message quotes a preview of at most
 * about 60 characters (a list shows its first scalar items and its length; nested lists and objects
 * show as [...] and {...}), strings are cut to 40 characters with control characters escaped.
 */

/** Longest preview, in characters (before the closing "... (N items)]"). */
const PREVIEW_CHARS = 60;

/** A scalar for a message: numbers as JavaScript prints them, strings quoted and cut. */
function scalar(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "missing";
  if (typeof v === "string") return quoteText(v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return v.length === 0 ? "[]" : "[...]";
  if (typeof v === "object") return Object.keys(v).length === 0 ? "{}" : "{...}";
  return typeof v;
}

/** Text quoted in JSON syntax (control characters escaped), cut to 40 characters. */
export function quoteText(text: string): string {
  return JSON.stringify(text.length > 40 ? text.slice(0, 40) + "..." : text);
}

/**
 * A one-line preview of any value, without recursing into it: `[1, "0", 0.5, ... (2000000 items)]`,
 * `{"a": 1, "b": [...]}`, `"a string cut to forty characters..."`.
 */
export function preview(v: unknown): string {
  if (Array.isArray(v)) {
    const parts: string[] = [];
    let used = 1;
    let i = 0;
    for (; i < v.length; i++) {
      const s = scalar(v[i]);
      if (used + s.length + 2 > PREVIEW_CHARS) break;
      parts.push(s);
      used += s.length + 2;
    }
    return i === v.length ? `[${parts.join(", ")}]` : `[${parts.join(", ")}${parts.length > 0 ? ", " : ""}... (${v.length} items)]`;
  }
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v);
    const parts: string[] = [];
    let used = 1;
    let i = 0;
    for (; i < keys.length; i++) {
      const s = `${quoteText(keys[i]!)}: ${scalar((v as Record<string, unknown>)[keys[i]!])}`;
      if (used + s.length + 2 > PREVIEW_CHARS) break;
      parts.push(s);
      used += s.length + 2;
    }
    return i === keys.length ? `{${parts.join(", ")}}` : `{${parts.join(", ")}${parts.length > 0 ? ", " : ""}... (${keys.length} keys)}`;
  }
  return scalar(v);
}

/** Control characters (C0, DEL, C1) in text written to a terminal, escaped as \xHH (ESC is \x1b). */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
