/** `cai env`, run compiled (npm test compiles before vitest), parsing what it prints. */
import { describe, expect, it } from "vitest";
import { cliffWalking, frozenLake, frozenLakeOpen, gridShape, parseMdp, randomMdp, taxi, writeMdp } from "../../src/index.js";
import { cai, tables } from "./support.js";

describe("cai env writes Gymnasium P JSON", () => {
  it("frozenlake: slippery 4x4 by default, and env -> parseMdp gives back the same table", () => {
    const r = cai("env", "frozenlake");
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { P: unknown[][][]; initial: number[] };
    expect(doc.P).toHaveLength(16);
    expect(doc.P[0]![0]).toEqual([
      [0.33333333333333337, 0, 0, false],
      [0.3333333333333333, 0, 0, false],
      [0.33333333333333337, 4, 0, false],
    ]);
    expect(doc.P[15]![2]).toEqual([[1, 15, 0, true]]);
    expect(doc.initial[0]).toBe(1);
    expect(tables(parseMdp(r.stdout))).toEqual(tables(frozenLake()));
  });

  it("frozenlake --map 8x8, custom rows with --no-slippery, --success-rate, --reward-schedule", () => {
    expect(tables(parseMdp(cai("env", "frozenlake", "--map", "8x8").stdout))).toEqual(tables(frozenLake({ map: "8x8" })));
    const custom = cai("env", "frozenlake", "--map", "SFFF,FHFH,FFFH,HFFG", "--no-slippery");
    expect(tables(parseMdp(custom.stdout))).toEqual(tables(frozenLake({ isSlippery: false })));
    const rate = cai("env", "frozenlake", "--success-rate", "0.8");
    expect(tables(parseMdp(rate.stdout))).toEqual(tables(frozenLake({ successRate: 0.8 })));
    const schedule = cai("env", "frozenlake", "--reward-schedule=10,-5,-1");
    expect(tables(parseMdp(schedule.stdout))).toEqual(tables(frozenLake({ rewardSchedule: [10, -5, -1] })));
  });

  it("cliffwalking, cliffwalking --slippery and taxi match the library tables", () => {
    expect(tables(parseMdp(cai("env", "cliffwalking").stdout))).toEqual(tables(cliffWalking()));
    expect(tables(parseMdp(cai("env", "cliffwalking", "--slippery").stdout))).toEqual(tables(cliffWalking({ isSlippery: true })));
    const t = cai("env", "taxi");
    expect(t.status).toBe(0);
    expect(tables(parseMdp(t.stdout))).toEqual(tables(taxi()));
  });

  it("random is reproducible by seed, differs across seeds, and takes the reward range", () => {
    const args = ["env", "random", "--states", "200", "--actions", "4", "--successors", "8", "--seed", "1"];
    const a = cai(...args);
    expect(a.status).toBe(0);
    expect(cai(...args).stdout).toBe(a.stdout);
    expect(cai("env", "random", "--states", "200", "--actions", "4", "--successors", "8", "--seed", "2").stdout).not.toBe(a.stdout);
    expect(tables(parseMdp(a.stdout))).toEqual(tables(randomMdp({ states: 200, actions: 4, successors: 8, seed: 1 })));
    const ranged = parseMdp(cai("env", "random", "--states", "10", "--reward-min=-3", "--reward-max", "-2").stdout);
    expect(Math.min(...ranged.reward)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...ranged.reward)).toBeLessThanOrEqual(-2);
    expect(ranged.nActions).toBe(4);
  });

  it("--format native carries names and meta, so the grid survives", () => {
    const mdp = parseMdp(cai("env", "cliffwalking", "--format", "native").stdout);
    expect(mdp.actionNames).toEqual(["UP", "RIGHT", "DOWN", "LEFT"]);
    expect(mdp.stateName(36)).toBe("3,0");
    expect(gridShape(mdp)?.kindOf(40)).toBe("cliff");
  });

  it("frozenlake-open above a million entries is written in chunks, character for character what writeMdp writes", () => {
    const r = cai("env", "frozenlake-open", "--size", "300");
    expect(r.status).toBe(0);
    const mdp = frozenLakeOpen(300);
    expect(mdp.nnz).toBeGreaterThan(1_000_000);
    expect(r.stdout === writeMdp(mdp)).toBe(true);
    const native = cai("env", "frozenlake-open", "--size", "300", "--no-slippery", "--format", "native");
    expect(native.stdout === writeMdp(frozenLakeOpen(300, { isSlippery: false }), "native")).toBe(true);
  });
});

describe("cai env usage", () => {
  it("cai env --help lists the environments and their options", () => {
    const r = cai("env", "--help");
    expect(r.status).toBe(0);
    for (const word of ["frozenlake", "frozenlake-open", "cliffwalking", "taxi", "random", "--map", "--no-slippery", "--success-rate", "--size", "--slippery", "--states", "--seed", "--format"]) {
      expect(r.stdout).toContain(word);
    }
    expect(cai("--help").stdout).toMatch(/^\s+env\s+/m);
  });

  it("bad options exit with status 2 and one error line, no stack trace", () => {
    const cases: [string[], RegExp][] = [
      [["env", "frozenlake", "--bogus"], /bogus/],
      [["env", "frozenlake", "--size", "4"], /--size does not apply to frozenlake/],
      [["env", "frozenlake", "--map", "5x5"], /--map: "5x5" is neither a named map/],
      [["env", "frozenlake", "--map", "SFXF,FFFG"], /map: row 1 \("SFXF"\): "X" at column 3/],
      [["env", "frozenlake", "--success-rate", "2"], /--success-rate: 2 is above the maximum 1/],
      [["env", "frozenlake", "--slippery", "--no-slippery"], /not both/],
      [["env", "frozenlake-open"], /needs --size/],
      [["env", "frozenlake-open", "--size", "1"], /--size: 1 is below the minimum 2/],
      [["env", "random", "--states", "3", "--successors", "4"], /--successors: 4 is above the maximum 3/],
      [["env", "random", "--actions", "2"], /random needs --states/],
      [["env", "mountaincar"], /unknown environment "mountaincar"/],
      [["env"], /missing the environment NAME/],
      [["env", "taxi", "--format", "csv"], /--format must be gymnasium or native/],
    ];
    for (const [args, message] of cases) {
      const r = cai(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      const errors = r.stderr.split("\n").filter((l) => l.startsWith("cai: error:"));
      expect(errors, args.join(" ")).toHaveLength(1);
      expect(errors[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });
});
