/**
 * A fast path for the common case of Gymnasium P JSON: `{"P": ..., "initial": [...]}` read from its
 * UTF-8 bytes straight into the table's typed arrays, with no text string, no object tree and no
 * second pass for repeated keys. It accepts only documents whose shape leaves no question open:
 * top-level keys "P" and "initial" (each at most once), `P` and `P[s]` lists or objects keyed
 * "0", "1", ... in that order (so no key repeats), entries `[prob, next, reward, done]` with numbers
 * (next an integer in range) and done true/false/0/1, `initial` a list of n numbers or null. For
 * anything else it returns undefined, and the caller decodes the text on the general path
 * (decode.ts), which reports every problem with its place; the arrays it returns then go through
 * the same checks (buildChecked) as the general path's.
 *
 * Numbers are decoded as JSON.parse decodes them: a mantissa below 2^53 with a decimal exponent
 * within +-22 is one exact double times or divided by an exact power of ten, one correctly rounded
 * operation (Clinger's fast path); any other number is handed to Number() on its own text.
 */
import { indexArray, type MdpArrays } from "./tabular.js";

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const TWO53 = 2 ** 53;

class Bail extends Error {}
const bail = new Bail();

/** The arrays of a Gymnasium P JSON document in `bytes`, or undefined when it is not the common shape. */
export function gymnasiumFromBytes(bytes: Uint8Array): MdpArrays | undefined {
  return attempt(() => decode(bytes, bytes.length, null));
}

/**
 * The same from a reader of `size` bytes (a file: `read(into, at, length)` fills into[at..] and
 * returns how many bytes it gave, 0 at the end), read through one window of WINDOW bytes reused from
 * start to end, so that the file is never in memory whole: a 38 MB file then touches 1 MiB of fresh
 * memory instead of 38. An item of the document longer than the margin (a number of 64 000 digits,
 * a run of 64 KB of spaces) meets the window's end and returns undefined, as any other uncommon
 * shape. `window` sets the window's size and margin (tests take small ones to cross many windows).
 */
export function gymnasiumFromReader(
  size: number,
  read: (into: Uint8Array, at: number, length: number) => number,
  window: { readonly bytes: number; readonly margin: number } = { bytes: WINDOW, margin: MARGIN },
): MdpArrays | undefined {
  if (!(window.margin >= 1 && window.margin < window.bytes)) throw new RangeError(`the window's margin (${window.margin}) must be at least 1 and below its size (${window.bytes})`);
  return attempt(() => decode(new Uint8Array(window.bytes + SENTINEL), size, read, window.margin));
}

function attempt(run: () => MdpArrays): MdpArrays | undefined {
  try {
    return run();
  } catch (e) {
    if (e === bail) return undefined;
    throw e;
  }
}

/** The reader's window, and how far from its end the decoder refills it at the next item. */
const WINDOW = 1 << 20;
const MARGIN = 1 << 16;
/** Zero bytes after the window's data: NUL is nowhere in the grammar, so the decoder stops on it and bails. */
const SENTINEL = 16;

/**
 * Decode from `first`: the whole document when `read` is null, else a window that `read` fills
 * (the document's size `size` sets the first capacity of the entry arrays).
 */
function decode(first: Uint8Array, size: number, read: ((into: Uint8Array, at: number, length: number) => number) | null, margin = MARGIN): MdpArrays {
  const b = first;
  const windowBytes = b.length - SENTINEL;
  let i = 0;
  let avail = b.length;
  let eof = true;
  let refillAt = Infinity;
  /** Move the unread bytes to the window's start and read on after them. */
  const refill = (): void => {
    if (read === null || eof) return;
    b.copyWithin(0, i, avail);
    let got = avail - i;
    i = 0;
    while (got < windowBytes) {
      const r = read(b, got, windowBytes - got);
      if (r === 0) {
        eof = true;
        break;
      }
      got += r;
    }
    avail = got;
    b.fill(0, avail, avail + SENTINEL);
    refillAt = eof ? Infinity : avail - margin;
  };
  if (read !== null) {
    avail = 0;
    eof = false;
    refill();
  }
  /** At the start of each item: refill when the window's unread part is shorter than the margin. */
  const mark = (): void => {
    if (i > refillAt) refill();
  };
  if (avail >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3;

  const ws = (): void => {
    for (;;) {
      const c = b[i];
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else return;
    }
  };
  const expect = (c: number): void => {
    ws();
    if (b[i] !== c) throw bail;
    i++;
  };
  /** A key made of ASCII letters and digits only (no escapes); returns it as a string. */
  const key = (): string => {
    ws();
    if (b[i] !== 34) throw bail;
    const start = ++i;
    for (;;) {
      const c = b[i]!;
      if (c === 34) break;
      if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) throw bail;
      i++;
      if (i - start > 20) throw bail;
    }
    let s = "";
    for (let j = start; j < i; j++) s += String.fromCharCode(b[j]!);
    i++;
    expect(58); // :
    return s;
  };
  /** The decimal key "k" exactly (an object read as a list must be keyed 0..k-1 in order here). */
  const indexKey = (k: number): void => {
    ws();
    if (b[i] !== 34) throw bail;
    i++;
    let digits = 1;
    for (let p = 10; k >= p; p *= 10) digits++;
    let v = 0;
    for (let j = 0; j < digits; j++) {
      const c = b[i + j]!;
      if (c < 48 || c > 57) throw bail;
      v = v * 10 + (c - 48);
    }
    if (v !== k || (digits > 1 && b[i] === 48) || b[i + digits] !== 34) throw bail;
    i += digits + 1;
    expect(58);
  };
  const number = (): number => {
    ws();
    const start = i;
    let neg = false;
    if (b[i] === 45) {
      neg = true;
      i++;
    }
    let m = 0;
    let c = b[i]!;
    if (c === 48) {
      i++;
      c = b[i]!;
    } else if (c >= 49 && c <= 57) {
      while (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48);
        c = b[++i]!;
      }
    } else throw bail;
    let e10 = 0;
    if (c === 46) {
      c = b[++i]!;
      if (!(c >= 48 && c <= 57)) throw bail;
      while (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48);
        e10--;
        c = b[++i]!;
      }
    }
    if (c === 101 || c === 69) {
      c = b[++i]!;
      let eneg = false;
      if (c === 43 || c === 45) {
        eneg = c === 45;
        c = b[++i]!;
      }
      if (!(c >= 48 && c <= 57)) throw bail;
      let e = 0;
      while (c >= 48 && c <= 57) {
        if (e < 100000) e = e * 10 + (c - 48);
        c = b[++i]!;
      }
      e10 += eneg ? -e : e;
    }
    // Below 2^53 every step of m = 10 m + digit was exact.
    if (m < TWO53 && e10 >= -22 && e10 <= 22) {
      const v = e10 < 0 ? m / POW10[-e10]! : m * POW10[e10]!;
      return neg ? -v : v;
    }
    let s = "";
    for (let j = start; j < i; j++) s += String.fromCharCode(b[j]!);
    return Number(s);
  };

  // Growable entry arrays (rows of P add entries in order).
  // About 35 bytes an entry in the common layouts; the arrays grow when a file packs them tighter.
  let cap = Math.max(16, Math.ceil(size / 32));
  let prob = new Float64Array(cap);
  let reward = new Float64Array(cap);
  let next = indexArray(cap);
  let done = new Uint8Array(cap);
  let k = 0;
  let rowEnds = new Int32Array(1024);
  let rows = 0;
  const grow = (): void => {
    cap = Math.ceil(cap * 1.5);
    const p2 = new Float64Array(cap);
    p2.set(prob);
    prob = p2;
    const r2 = new Float64Array(cap);
    r2.set(reward);
    reward = r2;
    const n2 = indexArray(cap);
    n2.set(next);
    next = n2;
    const d2 = new Uint8Array(cap);
    d2.set(done);
    done = d2;
  };
  const endRow = (): void => {
    if (rows === rowEnds.length) {
      const r = new Int32Array(rows * 2);
      r.set(rowEnds);
      rowEnds = r;
    }
    rowEnds[rows++] = k;
  };
  // Next states are checked against n once n is known (at the end).
  let maxNext = 0;

  /** `[ [p, s', r, d], ... ]`: one row. */
  const entries = (): void => {
    mark();
    expect(91);
    ws();
    if (b[i] === 93) {
      i++;
      endRow();
      return;
    }
    for (;;) {
      mark();
      expect(91);
      if (k === cap) grow();
      prob[k] = number();
      expect(44);
      const t = number();
      if (!(Number.isInteger(t) && t >= 0 && t <= 0x7ffffffe)) throw bail;
      next[k] = t;
      if (t > maxNext) maxNext = t;
      expect(44);
      reward[k] = number();
      expect(44);
      ws();
      const c = b[i];
      if (c === 116 && b[i + 1] === 114 && b[i + 2] === 117 && b[i + 3] === 101) {
        done[k] = 1;
        i += 4;
      } else if (c === 102 && b[i + 1] === 97 && b[i + 2] === 108 && b[i + 3] === 115 && b[i + 4] === 101) {
        done[k] = 0;
        i += 5;
      } else {
        const d = number();
        if (d === 1) done[k] = 1;
        else if (d === 0) done[k] = 0;
        else throw bail;
      }
      k++;
      expect(93);
      ws();
      if (b[i] === 44) {
        i++;
        continue;
      }
      if (b[i] === 93) {
        i++;
        endRow();
        return;
      }
      throw bail;
    }
  };
  /** A list or an object keyed "0".."k-1" in order, of items read by `item`; returns its length. */
  const indexed = (item: () => void): number => {
    ws();
    const open = b[i];
    if (open !== 91 && open !== 123) throw bail;
    i++;
    ws();
    const close = open === 91 ? 93 : 125;
    if (b[i] === close) {
      i++;
      return 0;
    }
    let count = 0;
    for (;;) {
      mark();
      if (open === 123) indexKey(count);
      item();
      count++;
      ws();
      if (b[i] === 44) {
        i++;
        continue;
      }
      if (b[i] === close) {
        i++;
        return count;
      }
      throw bail;
    }
  };

  let n = -1;
  let m = -1;
  let initial: Float64Array | null | undefined;
  expect(123);
  ws();
  if (b[i] === 125) throw bail;
  for (;;) {
    mark();
    const name = key();
    if (name === "P" && n === -1) {
      n = indexed(() => {
        const acts = indexed(entries);
        if (m === -1) m = acts;
        else if (acts !== m) throw bail;
      });
    } else if (name === "initial" && initial === undefined) {
      ws();
      if (b[i] === 110 && b[i + 1] === 117 && b[i + 2] === 108 && b[i + 3] === 108) {
        i += 4;
        initial = null;
      } else {
        const vals: number[] = [];
        expect(91);
        ws();
        if (b[i] === 93) i++;
        else {
          for (;;) {
            mark();
            vals.push(number());
            ws();
            if (b[i] === 44) {
              i++;
              continue;
            }
            if (b[i] === 93) {
              i++;
              break;
            }
            throw bail;
          }
        }
        initial = Float64Array.from(vals);
      }
    } else throw bail;
    ws();
    if (b[i] === 44) {
      i++;
      continue;
    }
    if (b[i] === 125) {
      i++;
      break;
    }
    throw bail;
  }
  ws();
  if (!eof) {
    refill();
    ws();
  }
  if (!eof || i !== avail) throw bail;
  if (n <= 0 || m <= 0 || maxNext >= n) throw bail;
  if (initial && initial.length !== n) throw bail;

  const rowStart = indexArray(n * m + 1);
  for (let r = 0; r < rows; r++) rowStart[r + 1] = rowEnds[r]!;
  // The entry arrays as they are when the estimate of their length was close (their pages past k
  // were never touched, so cost no memory), else copies of their first k entries.
  const fit = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => (k >= 0.75 * cap ? (a.subarray(0, k) as T) : (a.slice(0, k) as T));
  return {
    nStates: n,
    nActions: m,
    rowStart,
    next: k >= 0.75 * cap ? next.subarray(0, k) : copyIndex(next, k),
    prob: fit(prob),
    reward: fit(reward),
    done: fit(done),
    initial: initial ?? new Float64Array(n).fill(1 / n),
  };
}

/** The first k entries of an index array, in a new index array (shared from its size up, as indexArray places it). */
function copyIndex(a: Int32Array, k: number): Int32Array {
  const out = indexArray(k);
  out.set(a.subarray(0, k));
  return out;
}
