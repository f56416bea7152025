/**
 * mathjs (one to two seconds to import) is loaded by `cai derive` only. A module-resolution hook
 * (node:module register) records every module URL a child process resolves; the public API, the
 * engine and `cai solve` must resolve nothing under node_modules/mathjs, and `cai derive` must.
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
  recorder = moduleRecorder("cai-mathjs-");
});

afterAll(() => recorder?.close());

/** Run node recording the ES modules it resolves. */
function resolvedBy(args: string[], name: string): { urls: string[]; status: number | null; stderr: string } {
  const r = recorder.run(args, name);
  return { urls: r.esm, status: r.status, stderr: r.stderr };
}

const isMathjs = (url: string) => /\/node_modules\/mathjs\//.test(url);

describe("mathjs stays off every path but cai derive", () => {
  it("importing the public API (dist/src/index.js) and solving resolves no mathjs module", () => {
    const script = [
      `const api = await import(${JSON.stringify(pathToFileURL(join(root, "dist/src/index.js")).href)});`,
      "const mdp = api.frozenLake();",
      "const res = api.solve(mdp, { backup: 'exact', alpha: 1, horizon: 5 });",
      "if (!Number.isFinite(res.logZ)) process.exit(3);",
    ].join("\n");
    const run = resolvedBy(["--input-type=module", "-e", script], "index");
    expect(run.status, run.stderr).toBe(0);
    expect(run.urls.some((u) => u.endsWith("/dist/src/index.js"))).toBe(true);
    expect(run.urls.some((u) => u.endsWith("/dist/src/derive/index.js"))).toBe(true);
    expect(run.urls.filter(isMathjs)).toEqual([]);
  });

  it("cai solve resolves no mathjs module", () => {
    const file = join(recorder.dir, "lake.json");
    const env = spawnSync(process.execPath, [cliPath, "env", "frozenlake"], { encoding: "utf8" });
    expect(env.status).toBe(0);
    writeFileSync(file, env.stdout);
    const run = resolvedBy([cliPath, "solve", file, "--horizon", "3"], "solve");
    expect(run.status, run.stderr).toBe(0);
    // The bin is one bundle (dist/cai.js); the packages the solve path imports (graphology) are
    // resolved from node_modules, so the hook does see that path's imports.
    expect(run.urls.some((u) => u.endsWith("/dist/cai.js"))).toBe(true);
    expect(run.urls.some((u) => /\/node_modules\/graphology\//.test(u))).toBe(true);
    expect(run.urls.filter(isMathjs)).toEqual([]);
  });

  it("cai derive does resolve mathjs (the hook sees it when it is loaded)", () => {
    const run = resolvedBy([cliPath, "derive"], "derive");
    expect(run.status, run.stderr).toBe(0);
    expect(run.urls.filter(isMathjs).length).toBeGreaterThan(0);
  });
});
