/**
 * Packaging: a clone that has not been built still packs the built files (the prepare script
 * builds dist/, so `npm install <git url or folder>` works), and `npm run example` builds
 * incrementally (no full re-type-check when nothing changed).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "../support/cli.js";

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string>; files: string[] };

describe("packaging", () => {
  it("prepare builds dist/, and build and example are incremental", () => {
    expect(pkg.scripts.prepare).toBe("npm run build");
    // tsc incremental, then the WebAssembly kernel, compiled only when its source is newer than the .wasm,
    // then the bundled command line (dist/cai.js, the bin).
    expect(pkg.scripts.build).toMatch(/^tsc -p tsconfig\.json --incremental --tsBuildInfoFile dist\/\.tsbuildinfo && node scripts\/build-wasm\.mjs && node scripts\/build-cli\.mjs$/);
    expect(pkg.scripts.example).toBe("node examples/launch.mjs");
  });

  it("npm pack lists the built library, its types, the CLI and the models entry point", () => {
    // --ignore-scripts: the test suite has just built dist/ (npm test runs tsc first); packing must not rebuild it under running tests.
    const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const f of ["package.json", "README.md", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/cli/main.js", "dist/cai.js", "dist/models/index.js", "dist/models/index.d.ts", "dist/src/inference/kernels/wasm/sweep.wasm", "dist/src/lesson/page.js"]) expect(files).toContain(f);
    expect(files.some((f) => f.startsWith("dist/test/") || f.startsWith("test/") || f.includes(".tsbuildinfo"))).toBe(false);
  });

  it("npm run example rebuilds only when a source is newer than the build (examples/launch.mjs)", async () => {
    const { needsBuild } = (await import("../../examples/launch.mjs")) as { needsBuild: (dir: string) => boolean };
    const dir = mkdtempSync(join(tmpdir(), "cai-launch-"));
    try {
      for (const d of ["src", "dist/examples"]) mkdirSync(join(dir, d), { recursive: true });
      const at = (p: string, seconds: number) => {
        writeFileSync(join(dir, p), "");
        utimesSync(join(dir, p), seconds, seconds);
      };
      at("src/a.ts", 1000);
      expect(needsBuild(dir)).toBe(true); // never built
      at("dist/.tsbuildinfo", 2000);
      at("dist/examples/run.js", 2000);
      expect(needsBuild(dir)).toBe(false); // built after the last edit: run at once
      at("src/a.ts", 3000);
      expect(needsBuild(dir)).toBe(true); // an edit since
      at("dist/.example-stamp", 4000);
      expect(needsBuild(dir)).toBe(false); // the launcher's own stamp after a build that changed nothing
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
