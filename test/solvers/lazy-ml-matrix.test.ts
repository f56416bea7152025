/**
 * ml-matrix is required on first use by the tabular solvers only (src/solvers/ml-matrix.ts): the
 * public API, the engine, the models and `cai solve` never load it (some 10 MB of resident memory
 * and part of the cold start). A preload script records, at exit, the CommonJS modules the child
 * process loaded (test/support/loaded-modules.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, root } from "../support/cli.js";
import { moduleRecorder, type ModuleRecorder } from "../support/loaded-modules.js";

let recorder: ModuleRecorder;

beforeAll(() => {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run tsc first (npm test does)`);
  recorder = moduleRecorder("cai-ml-matrix-");
});

afterAll(() => recorder?.close());

/** Run node recording the CommonJS modules it loads. */
function loadedBy(args: string[], name: string): { modules: string[]; status: number | null; stderr: string } {
  const r = recorder.run(args, name);
  return { modules: r.cjs, status: r.status, stderr: r.stderr };
}

const isMlMatrix = (path: string) => /[\\/]node_modules[\\/]ml-matrix[\\/]/.test(path);
const api = JSON.stringify(pathToFileURL(join(root, "dist/src/index.js")).href);
const models = JSON.stringify(pathToFileURL(join(root, "dist/models/index.js")).href);

describe("ml-matrix is loaded by the tabular solvers only", () => {
  it("importing the public API and the models and solving (infinite and finite horizon) loads no ml-matrix", () => {
    const script = [
      `const a = await import(${api});`,
      `await import(${models});`,
      "const mdp = a.frozenLake();",
      "if (!Number.isFinite(a.solve(mdp, { alpha: 0.5, gamma: 0.9 }).V[0])) process.exit(3);",
      "if (!Number.isFinite(a.solve(mdp, { backup: 'exact', alpha: 1, horizon: 5 }).logZ)) process.exit(4);",
    ].join("\n");
    const run = loadedBy(["--input-type=module", "-e", script], "api");
    expect(run.status, run.stderr).toBe(0);
    expect(run.modules.filter(isMlMatrix)).toEqual([]);
  });

  it("cai solve loads no ml-matrix", () => {
    const file = join(recorder.dir, "lake.json");
    const env = spawnSync(process.execPath, [cliPath, "env", "frozenlake"], { encoding: "utf8" });
    expect(env.status).toBe(0);
    writeFileSync(file, env.stdout);
    const run = loadedBy([cliPath, "solve", file, "--gamma", "0.9", "--json"], "solve");
    expect(run.status, run.stderr).toBe(0);
    expect(run.modules.filter(isMlMatrix)).toEqual([]);
  });

  it("soft policy iteration loads it on first use (the recording sees it) and agrees with message passing to 1e-9", () => {
    const script = [
      `const a = await import(${api});`,
      "const mdp = a.frozenLake();",
      "const pi = a.softPolicyIteration(mdp, { alpha: 0.5, gamma: 0.9 });",
      "const mp = a.solve(mdp, { alpha: 0.5, gamma: 0.9, tol: 1e-13 });",
      "let d = 0; for (let s = 0; s < mdp.nStates; s++) d = Math.max(d, Math.abs(pi.V[s] - mp.V[s]));",
      "if (!(d <= 1e-9)) { console.error('gap ' + d); process.exit(5); }",
    ].join("\n");
    const run = loadedBy(["--input-type=module", "-e", script], "pi");
    expect(run.status, run.stderr).toBe(0);
    expect(run.modules.filter(isMlMatrix).length).toBeGreaterThan(0);
  });
});
