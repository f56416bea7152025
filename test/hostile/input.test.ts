/**
 * Hostile inputs: duplicated JSON keys, never-ending and binary inputs, standard input twice,
 * coercible strings and nulls in prior tables, values nested 100 000 deep or two million long in
 * messages, control characters in file names, unwritable output paths, counts near 1e308, reward
 * bounds near 1e308, tables too wide to draw or too large to build. Each is refused with exit 2 and
 * one short line that says what was found, or handled with finite numbers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonSyntaxError, PriorError, parseJson, preview, randomMdp, tablePrior } from "../../src/index.js";
import { findDuplicateKey } from "../../src/mdp/json-keys.js";
import { fcParams } from "../support/arbitraries.js";
import { cliSandbox, type Run } from "../support/cli.js";

const box = cliSandbox("cai-hostile-input-");

function expectInput(r: Run, pattern: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error|Maximum call stack/);
  for (const line of r.lines) {
    expect(line).toMatch(/^(cai: (error|warning): |usage: )/);
    expect(line.length).toBeLessThan(400);
  }
}

/** 1-based line and column of offset `pos` in `text` (the reference for the scanner's positions). */
function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos).split("\n");
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

describe("duplicated JSON keys are rejected with line and column", () => {
  it("documents without a repeated key pass; inserting a copy of any key into its object is found at the copy", () => {
    const key = fc.string({ maxLength: 6 });
    const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.constant(null), fc.boolean());
    const doc = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("value"), { maxLength: 3 }), tie("object")),
      object: fc.dictionary(key, tie("value"), { maxKeys: 4 }),
    })).object;
    fc.assert(
      fc.property(doc, fc.boolean(), (o, pretty) => {
        const text = JSON.stringify(o, null, pretty ? 2 : undefined);
        expect(findDuplicateKey(text)).toBeUndefined();
        const keys = Object.keys(o);
        if (keys.length === 0) return;
        // Repeat the first key at the end of the top-level object.
        const dupText = text.slice(0, text.lastIndexOf("}")) + `, ${JSON.stringify(keys[0])}: 1}`;
        const d = findDuplicateKey(dupText);
        expect(d).toBeDefined();
        expect(d!.key).toBe(keys[0]);
        expect(d!.pos).toBe(dupText.lastIndexOf(`${JSON.stringify(keys[0])}: 1}`));
        expect(() => parseJson(dupText, "doc")).toThrow(JsonSyntaxError);
        expect(() => parseJson(dupText, "doc")).toThrow(new RegExp(`at ${lineCol(dupText, d!.pos)}: the key`));
      }),
      fcParams(200),
    );
  });

  it('"P" twice and a state key twice are refused by the CLI, naming both places; escaped keys compare decoded', () => {
    const twice = box.file("twice.json", '{"P": [[[[1, 0, 0, true]]]],\n  "P": [[[[1, 0, 5, true]]]]}');
    expectInput(box.cai(["inspect", twice]), /twice\.json: malformed JSON at line 2, column 3: the key "P" appears twice in one object \(first at line 1, column 2\)/);
    const text = '{"P": {"0": [[[1, 0, 0, true]]], "0": [[[1, 0, 1, true]]]}}';
    const state = box.file("state.json", text);
    expectInput(box.cai(["solve", state, "--horizon", "1"]), new RegExp(`state\\.json: malformed JSON at ${lineCol(text, text.lastIndexOf('"0"'))}: the key "0" appears twice`));
    expect(findDuplicateKey('{"a": 1, "\\u0061": 2}')?.key).toBe("a");
    expect(findDuplicateKey('{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}')).toBeUndefined();
  });

  it("a document nested 100 000 deep is scanned without recursion", () => {
    const deep = "[".repeat(100_000) + '{"x": 1, "x": 2}' + "]".repeat(100_000);
    expect(findDuplicateKey(deep)?.key).toBe("x");
  });
});

describe("one validation for flat and nested prior tables: strings, nulls and lists are not numbers", () => {
  it("any non-number entry is refused in both forms, naming the same state and action and saying what was found", () => {
    const bad = fc.constantFrom<unknown>("0", "0.5", null, [0.5], true, {}, "");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), bad, fc.nat(), (n, m, v, k) => {
        const rows = Array.from({ length: n }, () => Array.from({ length: m }, () => 1 / m as unknown));
        const i = k % (n * m);
        rows[Math.floor(i / m)]![i % m] = v;
        const flat = rows.flat();
        // (A 1 x 1 table whose one entry is a list reads as the nested form: nothing to compare.)
        if (n * m === 1 && typeof v === "object" && v !== null) return;
        const messages = [rows, flat].map((t) => {
          try {
            tablePrior(t, n, m);
          } catch (e) {
            expect(e).toBeInstanceOf(PriorError);
            return (e as PriorError).problems[0]!.message;
          }
          return "accepted";
        });
        expect(messages[0]).toBe(messages[1]);
        expect(messages[0]).toContain(`state ${Math.floor(i / m)}, action ${i % m}: ${preview(v)}`);
        expect(messages[0]).toMatch(/is not a number$/);
        expect(messages[0]).not.toMatch(/NaN/);
      }),
      fcParams(200),
    );
  });

  it('the CLI refuses [1, "0", 0.5, "0.5"] and [[1, null], [0.5, [0.5]]] alike', () => {
    const two = box.file("two.json", { P: [[[[1, 0, 0, true]], [[1, 0, 0, true]]], [[[1, 1, 0, true]], [[1, 1, 0, true]]]] });
    expectInput(box.cai(["solve", two, "--horizon", "1", "--prior", box.file("flat.json", { prior: [1, "0", 0.5, "0.5"] })]), /state 0, action 1: "0" \(a string\) is not a number/);
    expectInput(box.cai(["solve", two, "--horizon", "1", "--prior", box.file("nested.json", { prior: [[1, null], [0.5, [0.5]]] })]), /state 0, action 1: null is not a number[\s\S]*state 1, action 1: \[0\.5\] is not a number/);
  });
});

describe("messages describe values without recursing and cut them short", () => {
  it("previews stay under 100 characters for lists up to 10^6 long and values nested 10^5 deep", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.string(), fc.constant(null)), { maxLength: 200 }), (a) => {
        expect(preview(a).length).toBeLessThan(100);
        expect(preview({ a, b: a }).length).toBeLessThan(100);
      }),
      fcParams(100),
    );
    expect(preview(Array.from({ length: 1_000_000 }, (_, i) => i))).toMatch(/^\[0, 1, 2, .*\.\.\. \(1000000 items\)\]$/);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(preview(deep)).toBe("[[...]]");
  });

  it("a demonstration 'pair' of two million numbers and one nested 100 000 deep give one short line each", () => {
    const lake = box.file("lake.json", JSON.parse(box.cai(["env", "frozenlake", "--map", "4x4"]).stdout));
    const long = box.file("long.json", `{"demonstrations": [[${Array.from({ length: 2_000_000 }, (_, i) => i % 10).join(",")}]]}`);
    expectInput(box.cai(["solve", lake, "--gamma", "0.9", "--model", "demonstration", "--demos", long]), /expected a \[state, action\] pair, got \[0, 1, 2, .*\(2000000 items\)\]/);
    const deep = box.file("deep.json", `{"demonstrations": [${"[".repeat(100_000)}${"]".repeat(100_000)}]}`);
    expectInput(box.cai(["solve", lake, "--gamma", "0.9", "--model", "demonstration", "--demos", deep]), /expected a \[state, action\] pair, got \[\[\.\.\.\]\]/);
  });

  it("counts near 1e308 name the file and say they overflow; a size given as a string says so", () => {
    const lake = box.file("lake2.json", JSON.parse(box.cai(["env", "frozenlake", "--map", "4x4", "--format", "native"]).stdout));
    const counts = box.file("counts.json", { counts: Array.from({ length: 16 }, () => [1e308, 1e308, 0, 0]) });
    const r = box.cai(["solve", lake, "--gamma", "0.9", "--model", "demonstration", "--demos", counts]);
    expectInput(r, /counts\.json: state 0: the counts \(and smoothing\) add up to more than float64 holds/);
    expect(r.stderr).not.toMatch(/sum to 0/);
    const doc = JSON.parse(box.cai(["env", "frozenlake", "--map", "4x4", "--format", "native"]).stdout) as Record<string, unknown>;
    expectInput(box.cai(["inspect", box.file("st.json", { ...doc, states: "16" })]), /"states" is "16" \(a string\), expected the number 16 \(the size of P\)/);
  });
});

describe("inputs that never end, binary inputs, standard input twice, file names, output paths", () => {
  it("cai inspect /dev/zero stops at the first NUL byte (exit 2); so does a file holding one", () => {
    expectInput(box.cai(["inspect", "/dev/zero"]), /\/dev\/zero: cannot read: a NUL byte at offset 0: binary data, not text/);
    expectInput(box.cai(["inspect", box.file("nul.json", '{"P": [\u0000]}')]), /a NUL byte at offset 7/);
  });

  it("every command reads standard input once: a second - is a usage error, not 'the input is empty'", () => {
    const lake = JSON.stringify(JSON.parse(box.cai(["env", "frozenlake", "--map", "4x4"]).stdout));
    for (const args of [["solve", "-", "--gamma", "0.9", "--prior", "-"], ["solve", "-", "--gamma", "0.9", "--model", "demonstration", "--demos", "-"], ["render", "values", "-", "--gamma", "0.9", "--prior", "-", "--out", box.path("x.svg")]]) {
      const r = box.cai(args, lake);
      expectInput(r, /standard input \(-\) can be read once/);
      expect(r.stderr).not.toMatch(/empty/);
    }
  });

  it("control characters in a file name are escaped on stderr", () => {
    const r = box.cai(["inspect", "a\u001b[31mred\u0007.json"]);
    expectInput(r, /a\\x1b\[31mred\\x07\.json: cannot read: no such file/);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it("--dump and --out to a missing folder exit 2 naming the flag", () => {
    expectInput(box.cai(["bench", "softvi", "--size", "3", "--dump", box.path("no/such/v.bin")]), /--dump .*no\/such\/v\.bin: cannot write: no such folder/);
    const lake = box.file("lake3.json", JSON.parse(box.cai(["env", "frozenlake", "--map", "4x4"]).stdout));
    expectInput(box.cai(["render", "values", lake, "--gamma", "0.9", "--out", box.path("no/such/v.svg")]), /--out .*: cannot write: no such folder/);
  });
});

describe("sizes and bounds", () => {
  it("random rewards with bounds near +-1e308 stay finite and inside the bounds", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e300, max: 1.7e308, noNaN: true }), fc.integer({ min: 0, max: 1000 }), (b, seed) => {
        const mdp = randomMdp({ states: 3, actions: 2, successors: 2, seed, rewardRange: [-b, b] });
        for (const r of mdp.reward) {
          expect(Number.isFinite(r)).toBe(true);
          expect(Math.abs(r)).toBeLessThanOrEqual(b);
        }
      }),
      fcParams(50),
    );
    const r = box.cai(["env", "random", "--states", "3", "--reward-min=-1e308", "--reward-max", "1e308"]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/Infinity|null/);
  });

  it("a table of a million actions: render values and report refuse before solving; env and bench refuse tables beyond 2 GiB", () => {
    const wide = box.file("wide.json", `{"P": [[${Array.from({ length: 100_000 }, () => "[[1,0,0,true]]").join(",")}]]}`);
    expectInput(box.cai(["render", "values", wide, "--gamma", "0.9", "--out", box.path("w.svg")]), /render values draws q\(a\|s\) .*100000 actions are more than the 64 it can draw/);
    expectInput(box.cai(["report", wide, "--gamma", "0.9", "--out", box.path("w.html")]), /report draws q\(a\|s\)/);
    expectInput(box.cai(["env", "random", "--states", "1e9"]), /--states: a random MDP of 1000000000 states .* above the limit of 2\.00 GiB/);
    expectInput(box.cai(["env", "frozenlake-open", "--size", "100000"]), /--size: an open lake of 100000 x 100000 cells .* above the limit/);
    expectInput(box.cai(["bench", "softvi", "--size", "100000"]), /--size: an open lake/);
  });

  it("cai check refuses a Q-table with values beyond 1e300 (a residual would overflow), naming the state and action", () => {
    const lake = box.file("lake4.json", JSON.parse(box.cai(["env", "frozenlake", "--map", "4x4"]).stdout));
    const rows = Array.from({ length: 16 }, (_, s) => (s === 5 ? "0,1e308,0,0" : "0,0,0,0"));
    const q = box.file("q.csv", rows.join("\n"));
    expectInput(box.cai(["check", lake, "--q", q, "--gamma", "0.9"]), /q\.csv: state 5, action 1: 1e\+308 is beyond the supported range of values/);
  });
});
