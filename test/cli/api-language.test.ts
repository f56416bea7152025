/**
 * The engine speaks the API's language and the CLI translates: engine errors name API options
 * (`maxIter`, not `--max-iter`) and give no CLI advice; the CLI reports them with its flags. Bad
 * horizons and worker failures are typed CaiErrors (never an internal error, exit 70).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CaiError, NoFixedPointError, ParameterError, TabularMdp, TrajectoryGraph, solve } from "../../src/index.js";
import { cliText, reportError } from "../../src/cli/common.js";

const loop = TabularMdp.fromLists([[[{ prob: 1, next: 0, reward: 1, done: false }]]]);

/** What reportError writes and returns. */
function report(e: unknown): { lines: string[]; status: number } {
  const lines: string[] = [];
  const status = reportError(e, (l) => lines.push(l));
  return { lines, status };
}

/** Source files under a folder of src/. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

describe("engine errors name API options; the CLI names flags", () => {
  it("solve with maxIter 0 throws a ParameterError naming maxIter; the CLI reports --max-iter with exit 2", () => {
    let err: unknown;
    try {
      solve(loop, { gamma: 0.5, maxIter: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParameterError);
    expect((err as ParameterError).parameter).toBe("maxIter");
    expect((err as ParameterError).message).toBe("maxIter: must be an integer >= 1, got 0");
    const r = report(err);
    expect(r).toEqual({ lines: ["cai: error: --max-iter: must be an integer >= 1, got 0"], status: 2 });
  });

  it("no fixed point: the library's message gives no flags, the CLI's gives them, exit 1", () => {
    let err: unknown;
    try {
      solve(loop, { backup: "exact", gamma: 0.9, alpha: 0.5 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NoFixedPointError);
    expect((err as Error).message).not.toMatch(/--[a-z]/);
    const r = report(err);
    expect(r.status).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^cai: error: exact message passing has no fixed point: .* Use --backup variational, a finite --horizon, or a smaller --gamma\.$/);
  });

  it("phrases that name API options are put in flags on the way out", () => {
    expect(cliText("did not settle; run more sweeps (maxIter)")).toBe("did not settle; run more sweeps (--max-iter)");
    expect(cliText('alpha 0 must be greater than 0 (the hard backup is the alpha -> 0 limit: backup: "hard")')).toBe("alpha 0 must be greater than 0 (the hard backup is the alpha -> 0 limit: --backup hard)");
  });

  it("a bad horizon of the graph is a ParameterError (a CaiError), not a RangeError", () => {
    expect(() => TrajectoryGraph.build({ nStates: 1, nActions: 1, hasTerminal: false, gamma: 1, horizon: 0 })).toThrow(ParameterError);
    expect(report(new ParameterError("horizon", "must be an integer >= 1, got 0")).status).toBe(2);
  });

  it("no message string in the engine core, the learners, the solvers or the diagnostics names a CLI flag", () => {
    const root = join(import.meta.dirname, "..", "..", "src");
    const files = ["inference", "mdp", "graph", "numeric", "learning", "solvers", "diagnostics"].flatMap((d) => sources(join(root, d)));
    files.push(join(root, "errors.ts"), join(root, "limits.ts"));
    const found: string[] = [];
    for (const f of files) {
      // An environment file ends with its descriptor, its `cai env` face (name, flags, help and the
      // usage messages of its flags: issue 12), after a marked line; the builder above it may not name flags.
      let face = false;
      readFileSync(f, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (f.includes(join("mdp", "environments")) && line.startsWith("// cai env face:")) face = true;
          if (face) return;
          if (/^\s*(\*|\/\/|\/\*)/.test(line)) return; // comments may mention the CLI
          if (/["`'][^"`']*(^|[ (])--[a-z][^"`']*["`']/.test(line)) found.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
    expect(new ParameterError("x", "y")).toBeInstanceOf(CaiError);
  });
});
