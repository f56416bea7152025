/**
 * The CLI's chunked JSON writer (src/cli/json-writer.ts) against the one-call form it replaces,
 * JSON.stringify(value, cliReplacer): byte for byte on random documents (every number JSON.stringify
 * can meet, non-finite ones, -0, Float64Arrays, nested lists, undefined and functions, class
 * instances with toJSON, other typed arrays, JsonTable rows and lists) and on the output of a real solve.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonTable, cliReplacer, writeJson } from "../../src/cli/json-writer.js";
import { resultJson } from "../../src/cli/solve-flags.js";
import { frozenLakeOpen, solve } from "../../src/index.js";
import { fcParams } from "../support/arbitraries.js";

function written(value: unknown): string | undefined {
  const chunks: string[] = [];
  return writeJson(value, (c) => chunks.push(c)) ? chunks.join("") : undefined;
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
        expect(written(v)).toBe(JSON.stringify(v, cliReplacer) as string | undefined);
      }),
      fcParams(400),
    );
  });

  it("writes every number as JSON.stringify does (shortest round trip, exponents, -0 as 0, non-finite as null)", () => {
    fc.assert(
      fc.property(fc.array(anyNumber, { minLength: 1, maxLength: 200 }), (a) => {
        expect(written(Float64Array.from(a))).toBe(JSON.stringify(Array.from(a), cliReplacer));
        expect(written({ a, b: [a] })).toBe(JSON.stringify({ a, b: [a] }, cliReplacer));
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
    const chunks: string[] = [];
    writeJson(out, (c) => chunks.push(c));
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.join("")).toBe(JSON.stringify(out, cliReplacer));
  });
});
