/**
 * The JSON number writer on WebAssembly (wasm/json-numbers.ts, Ryu's shortest digits): doubles to
 * the bytes `String(x)` gives them (JSON's "null" for non-finite numbers, "0" for -0), with the
 * separators of a list or a table of rows, a block at a time, with no string per number. The CLI's
 * JSON writer (json-writer.ts) takes it for long lists and tables; where the module is missing
 * (a build without assemblyscript, a browser) or fails its start-up check, numberBytes() is null
 * and the writer uses String(x), the same bytes.
 */
import { readBeside } from "../host.js";

/** Where the module's memory holds the power-of-five tables, the numbers to write and the text (json-numbers.ts uses the same TABLE_AT). */
const TABLE_AT = 65536;
const SRC_AT = 2 * 65536;
const OUT_AT = 3 * 65536;
/** Numbers per call. */
const BLOCK = 8192;
/**
 * Bytes an item can take: "],[" and at most 25 characters ("-0.00000" and 17 digits; "-1.2345678901234567e-308" is 24).
 * BLOCK items of 32 bytes end at OUT_AT + 256 KiB, inside the module's 8 pages.
 */
const ITEM_BYTES = 32;

interface Exports {
  readonly memory: WebAssembly.Memory;
  writeItems(src: number, count: number, first: number, width: number, out: number): number;
}

/** Writes numbers as JSON list items; see {@link numberBytes}. */
export interface NumberBytes {
  /**
   * Items [from, to) of `values` as the items of a JSON list (`width` null: "," between them) or of
   * a table of rows of `width` (item i: "[" before item 0, "],[" before the first of each later
   * row, "," before the rest; i counts from `from`), without the outer brackets, handed to `sink`
   * a block at a time. The block is a view of the module's memory, valid only during the call:
   * `sink` writes or copies it.
   */
  write(values: ArrayLike<number>, from: number, to: number, width: number | null, sink: (bytes: Uint8Array) => void): void;
}

let cached: NumberBytes | null | undefined;

/** The writer, or null where the module cannot be loaded or does not write as String(x) does. */
export function numberBytes(): NumberBytes | null {
  if (cached === undefined) cached = load();
  return cached;
}

function load(): NumberBytes | null {
  if (typeof WebAssembly === "undefined") return null;
  // dist/src/cli/number-bytes.js -> ./wasm/; from the sources (vitest), the build's copy in dist;
  // the bundled command line (dist/cai.js), from dist.
  const bytes = readBeside(import.meta.url, ["./wasm/json-numbers.wasm", "../../dist/src/cli/wasm/json-numbers.wasm", "./src/cli/wasm/json-numbers.wasm"]);
  if (bytes === null) return null;
  try {
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Exports;
    fillTables(exports.memory);
    const writer = makeWriter(exports);
    return agreesWithString(writer) ? writer : null;
  } catch {
    return null;
  }
}

/**
 * Ryu's tables (d2s_full_table.h), exact: entry i of DOUBLE_POW5_INV_SPLIT is
 * floor(2^(bitlength(5^i) - 1 + 125) / 5^i) + 1 (i < 342), of DOUBLE_POW5_SPLIT 5^i scaled to
 * 125 bits, 5^i >> (bitlength(5^i) - 125) (i < 326); each as two little-endian u64 (low, high).
 */
function fillTables(memory: WebAssembly.Memory): void {
  const v = new BigUint64Array(memory.buffer, TABLE_AT, 2 * (342 + 326));
  const mask = (1n << 64n) - 1n;
  let pow = 1n;
  for (let i = 0; i < 342; i++, pow *= 5n) {
    const len = BigInt(pow.toString(2).length);
    const inv = (1n << (len - 1n + 125n)) / pow + 1n;
    v[2 * i] = inv & mask;
    v[2 * i + 1] = inv >> 64n;
    if (i < 326) {
      const shift = len - 125n;
      const p = shift >= 0n ? pow >> shift : pow << -shift;
      v[2 * (342 + i)] = p & mask;
      v[2 * (342 + i) + 1] = p >> 64n;
    }
  }
}

function makeWriter(exports: Exports): NumberBytes {
  const { memory, writeItems } = exports;
  const src = new Float64Array(memory.buffer, SRC_AT, BLOCK);
  const out = new Uint8Array(memory.buffer, OUT_AT, BLOCK * ITEM_BYTES);
  return {
    write(values, from, to, width, sink) {
      for (let i = from; i < to; ) {
        const count = Math.min(BLOCK, to - i);
        if (values instanceof Float64Array) src.set(values.subarray(i, i + count));
        else for (let c = 0; c < count; c++) src[c] = values[i + c]!;
        const len = writeItems(SRC_AT, count, i - from, width ?? 0, OUT_AT);
        // Never a cut number: ITEM_BYTES bounds every item (a subarray past the view would clamp silently).
        if (len > out.length) throw new Error(`the JSON number writer wrote ${len} bytes for ${count} numbers, past its ${out.length}`);
        sink(out.subarray(0, len));
        i += count;
      }
    },
  };
}

/** Doubles whose text takes every branch of the notation and of Ryu's digit loops. */
const CHECKS = [
  0, -0, 1, -1, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, -1.5, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
  1e21, 1e-7, 1e-6, 123e-20, 9007199254740993, 9007199254740992, 2 ** 63, 2 ** 64, 123456789012345680000, 1e20, 0.000001234, 1.5e300,
  4.35, 0.25, 100, 1e23, 8.077481978662418e-91, 5e-310, 299792458, 1.2345678901234567, NaN, Infinity, -Infinity,
];

/** The module's text for CHECKS (and a sweep of powers and thirds) is String(x)'s, or it is not used. */
function agreesWithString(writer: NumberBytes): boolean {
  const xs = [...CHECKS];
  for (let e = -320; e <= 308; e += 7) xs.push(10 ** e, 3 * 10 ** e, (1 / 3) * 10 ** e);
  let text = "";
  writer.write(xs, 0, xs.length, null, (b) => {
    for (let i = 0; i < b.length; i++) text += String.fromCharCode(b[i]!);
  });
  return text === xs.map((x) => (Number.isFinite(x) ? (x === 0 ? "0" : String(x)) : "null")).join(",");
}
