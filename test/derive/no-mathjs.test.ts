/**
 * mathjs (one to two seconds to import) is loaded by `cai derive` only. A module-resolution hook
 * (node:module register) records every module URL a child process resolves; the public API, the
 * engine and `cai solve` must resolve nothing under node_modules/mathjs, and `cai derive` must.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, root } from "../support/cli.js";

let dir = "";
let registerPath = "";

beforeAll(() => {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run tsc first (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), "cai-mathjs-"));
  writeFileSync(
    join(dir, "hooks.mjs"),
    [
      'import { appendFileSync } from "node:fs";',
      "export async function resolve(specifier, context, next) {",
      "  const result = await next(specifier, context);",
      '  if (process.env.CAI_RESOLVE_LOG) appendFileSync(process.env.CAI_RESOLVE_LOG, result.url + "\\n");',
      "  return result;",
      "}",
    ].join("\n"),
  );
  registerPath = join(dir, "register.mjs");
  writeFileSync(registerPath, ['import { register } from "node:module";', 'register(new URL("./hooks.mjs", import.meta.url));'].join("\n"));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Run node with the hook; returns the resolved URLs and the exit status. */
function resolvedBy(args: string[], name: string): { urls: string[]; status: number | null; stderr: string } {
  const log = join(dir, `${name}.log`);
  writeFileSync(log, "");
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(registerPath).href, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CAI_RESOLVE_LOG: log },
    timeout: 120_000,
  });
  return { urls: readFileSync(log, "utf8").split("\n").filter((l) => l !== ""), status: r.status, stderr: r.stderr };
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
    const file = join(dir, "lake.json");
    const env = spawnSync(process.execPath, [cliPath, "env", "frozenlake"], { encoding: "utf8" });
    expect(env.status).toBe(0);
    writeFileSync(file, env.stdout);
    const run = resolvedBy([cliPath, "solve", file, "--horizon", "3"], "solve");
    expect(run.status, run.stderr).toBe(0);
    expect(run.urls.some((u) => u.endsWith("/dist/src/cli/commands/solve.js"))).toBe(true);
    expect(run.urls.filter(isMathjs)).toEqual([]);
  });

  it("cai derive does resolve mathjs (the hook sees it when it is loaded)", () => {
    const run = resolvedBy([cliPath, "derive"], "derive");
    expect(run.status, run.stderr).toBe(0);
    expect(run.urls.filter(isMathjs).length).toBeGreaterThan(0);
  });
});
