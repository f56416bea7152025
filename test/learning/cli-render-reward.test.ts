/**
 * `cai render values FILE --reward R.json`: a reward table (what `cai irl --json` prints) drawn on the
 * map as a well-formed, self-contained SVG; the number in a cell is sum_a q(a|s) r(s,a) with the
 * file's policy, else max_a r(s,a); solve flags do not apply and a wrong table exits 2.
 */
import { describe, expect, it } from "vitest";
import { cliSandbox, expectInputError } from "../support/cli.js";
import { allElements, parseXml, textOf } from "../render/xml.js";

const { cai, file } = cliSandbox("cai-render-reward-");

describe("cai render values --reward", () => {
  it("draws cai irl's reward on the lake, and a bare reward table with max_a r(s, a)", () => {
    const lake = file("fl.json", cai(["env", "frozenlake", "--map", "4x4", "--format", "native"]).stdout);
    const demos = file("d.json", cai(["sample", lake, "--horizon", "8", "--episodes", "50", "--seed", "3"]).stdout);
    const learned = file("irl.json", cai(["irl", lake, "--demos", demos, "--horizon", "8", "--l2", "0.1", "--json"]).stdout);
    const r = cai(["render", "values", lake, "--reward", learned]);
    expect(r.status, r.stderr).toBe(0);
    const svg = parseXml(r.stdout);
    const texts = allElements(svg).map(textOf).join(" ");
    expect(texts).toContain("Σₐ q(a|s) r(s,a)");
    const table = file("r.json", { reward: Array.from({ length: 16 }, (_, s) => [s === 14 ? 5 : 0, 0, s === 14 ? 7 : 0, 0]) });
    const bare = cai(["render", "values", lake, "--reward", table, "--title", "seven by the goal"]);
    expect(bare.status, bare.stderr).toBe(0);
    const texts2 = allElements(parseXml(bare.stdout)).map(textOf).join(" ");
    expect(texts2).toContain("maxₐ r(s,a)");
    expect(texts2).toContain("seven by the goal");
    expect(texts2).toMatch(/\b7(\.0+)?\b/);
  });

  it("exits 2 for solve flags beside --reward and for a table of the wrong shape", () => {
    const lake = file("fl.json", cai(["env", "frozenlake", "--map", "4x4", "--format", "native"]).stdout);
    expectInputError(cai(["render", "values", lake, "--reward", file("r.json", { reward: [[1, 2]] })]));
    expectInputError(cai(["render", "values", lake, "--reward", file("r2.json", { reward: Array(16).fill([0, 0, 0, 0]) }), "--gamma", "0.9"]));
    expectInputError(cai(["render", "values", lake, "--reward", file("r3.json", { reward: Array(16).fill([0, "x", 0, 0]) })]));
  });
});
