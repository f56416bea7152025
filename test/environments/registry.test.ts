/**
 * An environment is one descriptor: a dummy environment registered here (in the test, not in
 * src/mdp/environments/registry.ts) is picked up by `cai env` (its name in the usage, its help, its
 * flags parsed and refused for other environments, its build) and by the grid drawing (`gridShape`,
 * which render, report, the lesson and demo read), with the table checked entry by entry against the
 * chain written out here.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { UsageError, TabularMdp, parseMdp, type TransitionEntry } from "../../src/index.js";
import { ENVIRONMENTS } from "../../src/mdp/environments/registry.js";
import type { EnvironmentDescriptor } from "../../src/mdp/environments/descriptor.js";
import { gridShape } from "../../src/mdp/environments/grid.js";
import { envCommand } from "../../src/cli/commands/env.js";

/** A corridor of `length` cells: LEFT and RIGHT, reward 1 for reaching the right end, which ends the episode. */
function corridor(length: number): TabularMdp {
  const P: TransitionEntry[][][] = [];
  for (let s = 0; s < length; s++) {
    const move = (to: number): TransitionEntry[] => [{ prob: 1, next: to, reward: to === length - 1 ? 1 : 0, done: to === length - 1 }];
    P.push([move(Math.max(0, s - 1)), move(Math.min(length - 1, s + 1))]);
  }
  return TabularMdp.fromLists(P, { actionNames: ["LEFT", "RIGHT"], meta: { name: "Corridor", rows: 1, cols: length, map: ["S" + "-".repeat(length - 2) + "E"] } });
}

const CORRIDOR: EnvironmentDescriptor = {
  name: "corridor",
  help: ["  corridor          a 1 x N corridor; actions LEFT, RIGHT", "    --length N        cells, N >= 2 (default 4)"],
  flags: [{ name: "length", type: "string" }],
  build: (inputs) => corridor(inputs.number("length", { integer: true, min: 2 }) ?? 4),
  grid: { meta: "Corridor", legend: { S: "start", "-": "free", E: "goal" }, statesPerCell: 1 },
};

const REGISTRY = [...ENVIRONMENTS, CORRIDOR];

function run(argv: string[]): { status: number; stdout: string } {
  let stdout = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    const status = envCommand(REGISTRY).run(argv) as number;
    return { status, stdout };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe("an environment registered as one descriptor", () => {
  it("cai env lists it, documents its flag, builds it and refuses its flag elsewhere", () => {
    const command = envCommand(REGISTRY);
    expect(command.help).toContain("(NAME: frozenlake, frozenlake-open, cliffwalking, taxi, random, corridor)");
    expect(command.help).toContain("  corridor          a 1 x N corridor; actions LEFT, RIGHT\n    --length N        cells, N >= 2 (default 4)");
    const r = run(["corridor", "--length", "5"]);
    expect(r.status).toBe(0);
    const mdp = parseMdp(r.stdout);
    expect(mdp.nStates).toBe(5);
    expect(mdp.nActions).toBe(2);
    for (let s = 0; s < 5; s++) {
      expect([...mdp.entries(s, 0)]).toEqual([{ prob: 1, next: Math.max(0, s - 1), reward: s - 1 === 4 ? 1 : 0, done: false }]);
      expect([...mdp.entries(s, 1)]).toEqual([{ prob: 1, next: Math.min(4, s + 1), reward: Math.min(4, s + 1) === 4 ? 1 : 0, done: Math.min(4, s + 1) === 4 }]);
    }
    expect(parseMdp(run(["corridor"]).stdout).nStates).toBe(4);
    expect(() => command.run(["corridor", "--length", "1"])).toThrow(/--length/);
    expect(() => command.run(["taxi", "--length", "3"])).toThrow(UsageError);
    expect(() => command.run(["taxi", "--length", "3"])).toThrow(/^--length does not apply to taxi \(it has no options\)/);
    expect(() => command.run(["corridor", "--size", "3"])).toThrow(/^--size does not apply to corridor \(its options: --length\)/);
    expect(() => command.run(["maze"])).toThrow(/^unknown environment "maze" \(environments: frozenlake, frozenlake-open, cliffwalking, taxi, random, corridor\)/);
  });

  it("its grid drawing is what gridShape reads back from meta (through the native format too)", () => {
    const mdp = parseMdp(run(["corridor", "--length", "6", "--format", "native"]).stdout);
    expect(gridShape(mdp)).toBeUndefined();
    const grid = gridShape(mdp, REGISTRY)!;
    expect(grid.name).toBe("Corridor");
    expect([grid.rows, grid.cols]).toEqual([1, 6]);
    expect(Array.from({ length: 6 }, (_, s) => grid.kindOf(s))).toEqual(["start", "free", "free", "free", "free", "goal"]);
    expect(grid.position(4)).toEqual({ row: 0, col: 4 });
  });
});
