/**
 * Reading Q-tables written by other programs: JSON lists, {"Q": ...}, CSV as numpy.savetxt and pandas
 * write it; every problem named by row and column.
 */
import { describe, expect, it } from "vitest";
import { JsonSyntaxError } from "../../src/index.js";
import { QTableError, parseQTable } from "../../src/diagnostics/q-table.js";

const messages = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QTableError);
    return (e as QTableError).problems.map((p) => p.message);
  }
  throw new Error("expected a QTableError");
};

describe("parseQTable reads", () => {
  it("a JSON list of lists and an object with Q (the output of cai solve --json)", () => {
    expect(Array.from(parseQTable("[[1, 2], [3, -4.5e-3]]", "q.json", 2, 2).Q)).toEqual([1, 2, 3, -4.5e-3]);
    const r = parseQTable(JSON.stringify({ backup: "variational", Q: [[1, 2], [3, 4]], V: [0, 0] }), "q.json", 2, 2);
    expect(r.format).toBe("json");
    expect(Array.from(r.Q)).toEqual([1, 2, 3, 4]);
  });

  it("CSV with commas, semicolons, tabs or spaces (numpy.savetxt), with a header, comments and blank lines", () => {
    for (const text of ["1,2\n3,4\n", "1;2\r\n3;4", "1\t2\n3\t4\n\n", "1.000000000000000000e+00 2.0e+00\n  3 4 \n", "a,b\n1,2\n3,4", "# from numpy\n1 2\n\n3 4\n"]) {
      const r = parseQTable(text, "q.csv", 2, 2);
      expect(r.format).toBe("csv");
      expect(Array.from(r.Q), JSON.stringify(text)).toEqual([1, 2, 3, 4]);
    }
  });

  it("the index column pandas writes under an empty header cell", () => {
    expect(Array.from(parseQTable(",0,1\n0,1.5,2\n1,3,4\n", "q.csv", 2, 2).Q)).toEqual([1.5, 2, 3, 4]);
  });
});

describe("parseQTable reports", () => {
  it("a wrong number of rows or columns, naming the state", () => {
    expect(messages(() => parseQTable("[[1, 2]]", "q.json", 2, 2))).toEqual(["q.json: has 1 rows but the MDP has 2 states (one row per state)"]);
    expect(messages(() => parseQTable("[[1, 2], [3]]", "q.json", 2, 2))).toEqual(["q.json: Q[1] (state 1) has 1 values, expected 2 (one per action)"]);
    expect(messages(() => parseQTable("1,2\n3,4,5\n", "q.csv", 2, 2))).toEqual(["q.csv: line 2 (state 1) has 3 values, expected 2 (one per action)"]);
    expect(messages(() => parseQTable("1,2\n", "q.csv", 2, 2))).toEqual(["q.csv: has 1 rows of numbers but the MDP has 2 states (one row per state)"]);
  });

  it("every value that is not a finite number, by line and column (CSV) or index (JSON)", () => {
    expect(messages(() => parseQTable("1,x\nnan,\n", "q.csv", 2, 2))).toEqual([
      'q.csv: line 1, column 2 (state 0, action 1): "x" is not a finite number',
      'q.csv: line 2, column 1 (state 1, action 0): "nan" is not a finite number',
      "q.csv: line 2, column 2 (state 1, action 1): empty field is not a finite number",
    ]);
    expect(messages(() => parseQTable('{"Q": [[1, "2"], [null, 4]]}', "q.json", 2, 2))).toEqual([
      'q.json: Q[0][1] (state 0, action 1) is "2", not a finite number',
      "q.json: Q[1][0] (state 1, action 0) is null, not a finite number",
    ]);
    expect(messages(() => parseQTable("0x10,1\n2,Infinity\n", "q.csv", 2, 2))).toHaveLength(2);
  });

  it("documents that are not tables, and malformed JSON with its line and column", () => {
    expect(messages(() => parseQTable('{"q": []}', "q.json", 1, 1))[0]).toMatch(/without "Q"/);
    expect(messages(() => parseQTable("[1, 2]", "q.json", 2, 1))[0]).toMatch(/Q\[0\] \(state 0\) is not a list/);
    expect(messages(() => parseQTable("", "q.csv", 1, 1))[0]).toMatch(/empty/);
    expect(() => parseQTable("[[1, 2],\n [3, 4]", "q.json", 2, 2)).toThrow(JsonSyntaxError);
    expect(() => parseQTable("[[1, 2],\n [3, 4]", "q.json", 2, 2)).toThrow(/line 2/);
  });
});
