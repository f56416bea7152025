/**
 * What the README shows is true: the library example is examples/library/usage.ts (type-checked by
 * npm test's tsc) with the package's names as imports, and runs printing what the README says; the
 * lesson's step 5 quotes each ELBO with the backup that gives it; lesson files go to a git-ignored
 * scratch folder.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { frozenLake, solve } from "../../src/index.js";
import { root } from "../support/cli.js";

const readme = readFileSync(join(root, "README.md"), "utf8");

describe("README", () => {
  it("shows examples/library/usage.ts, importing control-as-inference and control-as-inference/models", () => {
    const source = readFileSync(join(root, "examples/library/usage.ts"), "utf8");
    const shown = source.replace('"../../src/index.js"', '"control-as-inference"').replace('"../../models/index.js"', '"control-as-inference/models"');
    const indented = shown.trimEnd().split("\n").map((l) => (l === "" ? "" : `    ${l}`)).join("\n");
    expect(readme).toContain(indented);
    expect(shown).toContain('from "control-as-inference/models"');
  });

  it("the example runs and prints the numbers the README quotes", () => {
    const r = spawnSync(process.execPath, [join(root, "dist/examples/library/usage.js")], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("V(0) = 0.0193; Q(0, .) = 0.0204 0.0194 0.0194 0.0181;");
    expect(r.stdout).toContain("pi_D(. | 0) = 0.0833 0.5833 0.2500 0.0833; q(. | 0) = 0.0842 0.5834 0.2500 0.0823");
    expect(readme).toContain("`V(0) = 0.0193; Q(0, .) = 0.0204 0.0194 0.0194 0.0181; ...`");
  });

  it("the lesson's step 5 gives each ELBO with its backup, and the numbers are the engine's", () => {
    const step5 = readme.slice(readme.indexOf("5. **log Z and the ELBO.**"), readme.indexOf("6. **alpha -> 0.**"));
    expect(step5).toMatch(/`elbo` = 0\.528 for the variational policy; with `--backup exact` the\s+same `logZ` and `elbo` = 0\.318/);
    const lake = frozenLake({ map: "4x4" });
    const v = solve(lake, { horizon: 20, alpha: 0.05 });
    const e = solve(lake, { horizon: 20, alpha: 0.05, backup: "exact" });
    expect(v.logZ!.toFixed(2)).toBe("15.61");
    expect(v.elbo!.toFixed(3)).toBe("0.528");
    expect(e.elbo!.toFixed(3)).toBe("0.318");
    // Step 6 draws the hard backup as a picture of its own, not appended to the alpha sweep.
    expect(readme).toContain("`cai render values fl.json --gamma 0.99 --backup hard --out hard.svg`");
  });

  it("the lesson runs in a git-ignored scratch folder", () => {
    expect(readme).toContain("mkdir -p scratch && cd scratch");
    expect(readFileSync(join(root, ".gitignore"), "utf8").split("\n")).toContain("scratch/");
  });
});
