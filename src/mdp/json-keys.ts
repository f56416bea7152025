/**
 * Duplicated keys in JSON objects. JSON.parse keeps the last of two equal keys without a word, so a
 * file with "P" twice (or a state key twice) would be read as a different table than its author
 * wrote. This scanner runs over text that JSON.parse has accepted and reports the first key that an
 * object repeats, with the offsets of both. Iterative (a stack of key sets), so nesting 100 000 deep
 * cannot overflow the call stack; one pass of charCodeAt over the text, strings skipped by indexOf.
 */

/** The first repeated key of an object in valid JSON `text`: its decoded name and both offsets. */
export interface DuplicateKey {
  readonly key: string;
  /** Offset of the repeated key's opening quote. */
  readonly pos: number;
  /** Offset of the first occurrence's opening quote. */
  readonly firstPos: number;
}

/**
 * Find the first key that repeats within one object of `text`, which must be valid JSON (call it
 * after JSON.parse succeeded). Returns undefined when every object's keys are distinct.
 */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  // Fast path: no object at all, or at most one key string per object level is impossible to tell
  // without scanning; but a text without '{' has no keys.
  if (text.indexOf("{") === -1) return undefined;
  const n = text.length;
  // One entry per open bracket: a Map of key -> offset for an object, null for an array.
  const stack: (Map<string, number> | null)[] = [];
  let expectKey = false; // inside an object, after '{' or ','
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const start = i;
      const end = stringEnd(text, i);
      const top = stack.length > 0 ? stack[stack.length - 1] : null;
      if (top && expectKey) {
        const raw = text.slice(start + 1, end);
        const key = raw.indexOf("\\") === -1 ? raw : (JSON.parse(text.slice(start, end + 1)) as string);
        const first = top.get(key);
        if (first !== undefined) return { key, pos: start, firstPos: first };
        top.set(key, start);
        expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === 123 /* { */) {
      stack.push(new Map());
      expectKey = true;
    } else if (c === 91 /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 44 /* , */) {
      expectKey = stack.length > 0 && stack[stack.length - 1] !== null;
    }
    i++;
  }
  return undefined;
}

/** Offset of the closing quote of the string whose opening quote is at `start` (valid JSON). */
function stringEnd(text: string, start: number): number {
  let j = text.indexOf('"', start + 1);
  for (;;) {
    if (j === -1) return text.length - 1;
    // The quote is escaped when an odd number of backslashes precede it.
    let k = j - 1;
    while (text.charCodeAt(k) === 92) k--;
    if ((j - 1 - k) % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
}
