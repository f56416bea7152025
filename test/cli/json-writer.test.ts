/**
 * The CLI's chunked JSON writer (src/cli/json-writer.ts) against the one-call form it replaces,
 * JSON.stringify(value, cliReplacer): byte for byte on random documents (every number JSON.stringify
 * can meet, non-finite ones, -0, Float64Arrays, nested lists, undefined and functions, class
 * instances with toJSON, other typed arrays, JsonTable rows and lists) and on the output of a real solve.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonTable, cliReplacer, writeJson } from "../../src/cli/json-writer.js";
import { numberBytes, type NumberBytes } from "../../src/cli/number-bytes.js";
import { resultJson } from "../../src/cli/solve-flags.js";
import { frozenLakeOpen, solve } from "../../src/index.js";
import { fcParams } from "../support/arbitraries.js";

/** The text writeJson writes: with the WebAssembly number writer (the default) or with String(x) only (`numbers` null). */
function written(value: unknown, numbers?: NumberBytes | null): string | undefined {
  const chunks: string[] = [];
  const sink = (c: string | Uint8Array) => void chunks.push(typeof c === "string" ? c : Buffer.from(c).toString("latin1"));
  return writeJson(value, sink, numbers) ? chunks.join("") : undefined;
}

const anyNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 1e21, 1e-7, 123e-20, 0.1, 1 / 3),
  fc.integer(),
);
class Point {
  constructor(readonly x: number) {}
  toJSON() {
    return { x: this.x, kind: "point" };
  }
}
const leaf = fc.oneof(
  anyNumber,
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(() => 1),
  fc.array(anyNumber, { maxLength: 3000 }).map((a) => Float64Array.from(a)),
  fc.array(anyNumber, { maxLength: 2000 }),
  fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 5 }).map((a) => Int32Array.from(a)),
  anyNumber.map((x) => new Point(x)),
  fc.date({ noInvalidDate: true }),
  // Tables written from typed arrays: rows of `width` (the last row may be short) or one list.
  fc.tuple(fc.array(anyNumber, { maxLength: 300 }), fc.option(fc.integer({ min: 1, max: 7 }))).map(([a, w]) => new JsonTable(Float64Array.from(a), w)),
);
const doc = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("list"), tie("object")),
  list: fc.array(tie("value"), { maxLength: 6 }),
  object: fc.dictionary(fc.string(), tie("value"), { maxKeys: 6 }),
})).value;

describe("JSON writer", () => {
  it("writes exactly what JSON.stringify with the CLI's replacer writes, on random documents", () => {
    fc.assert(
      fc.property(doc, (v) => {
        const expected = JSON.stringify(v, cliReplacer) as string | undefined;
        expect(written(v)).toBe(expected);
        expect(written(v, null)).toBe(expected);
      }),
      fcParams(400),
    );
  });

  it("writes every number as JSON.stringify does (shortest round trip, exponents, -0 as 0, non-finite as null)", () => {
    fc.assert(
      fc.property(fc.array(anyNumber, { minLength: 1, maxLength: 200 }), (a) => {
        for (const nb of [undefined, null]) {
          expect(written(Float64Array.from(a), nb)).toBe(JSON.stringify(Array.from(a), cliReplacer));
          expect(written({ a, b: [a] }, nb)).toBe(JSON.stringify({ a, b: [a] }, cliReplacer));
        }
      }),
      fcParams(500),
    );
  });

  it("a JsonTable is its rows as nested lists (or one list), as toJSON gives them", () => {
    const t = new JsonTable(Float64Array.from([1, 2, 3, 4, 5]), 2);
    expect(t.toJSON()).toEqual([[1, 2], [3, 4], [5]]);
    expect(written(t)).toBe("[[1,2],[3,4],[5]]");
    expect(written(new JsonTable(Float64Array.from([0.25, 0.25, -0, NaN]), null))).toBe("[0.25,0.25,0,null]");
    expect(written(new JsonTable(new Float64Array(0), 3))).toBe("[]");
  });

  it("the JSON of a solve (Q, V, policy, occupancy, ...) is the same bytes", () => {
    const mdp = frozenLakeOpen(40); // 6400 Q values: several chunks
    const res = solve(mdp, { gamma: 0.95, alpha: 0.2 });
    const out = resultJson(res, false);
    for (const nb of [undefined, null]) {
      const chunks: string[] = [];
      writeJson(out, (c) => chunks.push(typeof c === "string" ? c : Buffer.from(c).toString("latin1")), nb);
      expect(chunks.length).toBeGreaterThan(2);
      expect(chunks.join("")).toBe(JSON.stringify(out, cliReplacer));
    }
  });

  it("the WebAssembly number writer is built and loads (the tests above would otherwise try String(x) twice)", () => {
    expect(numberBytes()).not.toBeNull();
  });
});

/** Every item of `xs` as the WebAssembly writer writes it, split at its commas (a list, width null). */
function wasmItems(xs: Float64Array): string[] {
  const parts: Buffer[] = [];
  numberBytes()!.write(xs, 0, xs.length, null, (b) => parts.push(Buffer.from(b)));
  return Buffer.concat(parts).toString("latin1").split(",");
}
const asJson = (x: number) => (Number.isFinite(x) ? (x === 0 ? "0" : String(x)) : "null");

describe("WebAssembly number writer (Ryu) against String(x)", () => {
  it("agrees on 400 000 doubles: random bit patterns, subnormals, integers, decimals, halves and every power of two and ten", () => {
    const xs: number[] = [];
    const bits = new BigUint64Array(1);
    const f = new Float64Array(bits.buffer);
    // A fixed generator (xorshift), so a failure names the same doubles every run.
    let seed = 0x9e3779b9;
    const u32 = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    for (let i = 0; i < 100_000; i++) {
      bits[0] = (BigInt(u32()) << 32n) | BigInt(u32());
      xs.push(f[0]!); // any double, NaNs and infinities among them
      bits[0] = BigInt(u32() % 0x100000) * 2n ** 32n + BigInt(u32()); // subnormal
      xs.push(f[0]!);
      xs.push(u32() * 2 ** (u32() % 40) * (u32() & 1 ? 1 : -1)); // integers, some past 2^53 and 1e21
      xs.push(Math.round(u32() / 2 ** (u32() % 30)) / 10 ** (u32() % 12)); // short decimals
    }
    for (let e = -1074; e <= 1023; e++) xs.push(2 ** e, -(2 ** e), 1.5 * 2 ** e);
    for (let e = -323; e <= 308; e++) xs.push(Number(`1e${e}`), Number(`5e${e}`), Number(`9.999999999999999e${e}`));
    const a = Float64Array.from(xs);
    const got = wasmItems(a);
    expect(got.length).toBe(a.length);
    const bad: string[] = [];
    for (let i = 0; i < a.length; i++) if (got[i] !== asJson(a[i]!) && bad.length < 5) bad.push(`${asJson(a[i]!)} written as ${got[i]}`);
    expect(bad).toEqual([]);
  });

  it("agrees on random doubles (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { minLength: 1, maxLength: 100 }), (a) => {
        expect(wasmItems(Float64Array.from(a))).toEqual(a.map(asJson));
      }),
      fcParams(300),
    );
  });

  it("writes whole blocks of the longest items (a row separator and 25 characters each) without losing a byte", () => {
    // -0.0000012345678901234567 (n = -5: "0." and five zeros before 17 digits) in rows of one.
    const x = -0.0000012345678901234567;
    expect(String(x).length).toBe(25);
    const t = new JsonTable(new Float64Array(3 * 8192 + 5).fill(x), 1);
    expect(written(t)).toBe(JSON.stringify(t));
    const big = Float64Array.from({ length: 20000 }, (_, i) => -(1 + i / 7) * 1e-6);
    expect(written(new JsonTable(big, 1))).toBe(JSON.stringify(new JsonTable(big, 1)));
  });

  it("frames tables of every width across its blocks of 8192 numbers as nested JSON lists", () => {
    for (const n of [16, 8191, 8192, 8193, 16385, 20000]) {
      const flat = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? i : 1 / (i + 1)));
      for (const width of [null, 1, 3, 4, 7]) {
        const t = new JsonTable(flat, width);
        expect(written(t)).toBe(JSON.stringify(t));
        expect(written({ rows: t, after: [1, 2] })).toBe(JSON.stringify({ rows: t, after: [1, 2] }));
      }
    }
  });
});
