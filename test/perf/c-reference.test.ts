/**
 * The bench's C reference, test/bench/ref/softvi.c, is the repository's own: built here with cc
 * (as `npm run bench` builds it), its variational and exact (z-space) modes must give the numbers
 * of the engine's plain rules, sweep for sweep (from V = 0 and from a V file, init=), and nothing in the repository may name the bench
 * files that lived outside it.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RULES, frozenLakeOpen, uniformPrior } from "../../src/index.js";
import { root } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "cai-cref-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bin = join(dir, "softvi");

function build(): void {
  const r = spawnSync("cc", ["-O2", "-o", bin, join(root, "test/bench/ref/softvi.c"), "-lm"], { encoding: "utf8" });
  expect(r.status, `cc: ${r.stderr}`).toBe(0);
}

function runC(args: string[]): { kv: Map<string, string>; V: Float64Array } {
  const dump = join(dir, "V.f64");
  const r = spawnSync(bin, [...args, `dump=${dump}`], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  const kv = new Map(r.stdout.trim().split("\n").map((l) => [l.split(" ")[0]!, l.split(" ").slice(1).join(" ")] as const));
  const b = readFileSync(dump);
  return { kv, V: new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) };
}

/** K Jacobi sweeps from V = 0 by the rules' own loops. */
function plain(backup: "exact" | "variational", N: number, sweeps: number): Float64Array {
  const mdp = frozenLakeOpen(N);
  const prior = uniformPrior(mdp.nStates, 4);
  const V = new Float64Array(mdp.nStates);
  const Q = new Float64Array(mdp.nStates * 4);
  for (let k = 0; k < sweeps; k++) {
    RULES[backup].dynamics.apply(mdp, V, 0.1, 0.99, Q);
    RULES[backup].actions.apply(Q, prior, 0.1, V, null);
  }
  return V;
}

describe("the C reference test/bench/ref/softvi.c", () => {
  build();

  for (const mode of ["variational", "exact"] as const) {
    it(`mode=${mode}: 60 sweeps on the open 7 x 7 lake equal the engine's plain ${mode} rules within 1e-12`, () => {
      const { kv, V } = runC(["N=7", "sweeps=60", "tol=0", `mode=${mode}`]);
      expect(kv.get("sweeps")).toBe("60");
      expect(kv.get("nnz")).toBe(String(12 * 48 + 4));
      const ref = plain(mode, 7, 60);
      expect(V.length).toBe(49);
      let sum = 0;
      for (let s = 0; s < 49; s++) {
        expect(Math.abs(V[s]! - ref[s]!), `state ${s}`).toBeLessThan(1e-12 * Math.max(1, Math.abs(ref[s]!)));
        sum += ref[s]!;
      }
      expect(Math.abs(Number(kv.get("sumV")) - sum)).toBeLessThan(1e-12 * Math.max(1, Math.abs(sum)));
    });
  }

  for (const mode of ["variational", "exact"] as const) {
    it(`mode=${mode}: init= starts from a V file: 25 sweeps from the dump of 35 equal 60 plain sweeps within 1e-12`, () => {
      runC(["N=6", "sweeps=35", "tol=0", `mode=${mode}`]);
      const init = join(dir, `init-${mode}.f64`);
      copyFileSync(join(dir, "V.f64"), init);
      const { kv, V } = runC(["N=6", "sweeps=25", "tol=0", `mode=${mode}`, `init=${init}`]);
      expect(kv.get("sweeps")).toBe("25");
      const ref = plain(mode, 6, 60);
      for (let s = 0; s < 36; s++) expect(Math.abs(V[s]! - ref[s]!), `state ${s}`).toBeLessThan(1e-12 * Math.max(1, Math.abs(ref[s]!)));
    });
  }

  it("rejects an init= file of the wrong length with exit 2", () => {
    const bad = join(dir, "short.f64");
    writeFileSync(bad, new Uint8Array(8 * 24));
    const r = spawnSync(bin, ["N=5", `init=${bad}`], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/init: .* must hold exactly 25 float64 values/);
  });

  it("stops at its tolerance on max |dV| and says so", () => {
    const { kv } = runC(["N=5", "tol=1e-9", "mode=exact"]);
    expect(kv.get("converged")).toBe("1");
    expect(Number(kv.get("final_delta"))).toBeLessThan(1e-9);
  });

  it("rejects a mode it does not know with exit 2", () => {
    const r = spawnSync(bin, ["mode=soft"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/mode must be/);
  });
});

describe("the repository names no file outside itself", () => {
  it("no source, test, example or README mentions the old shared bench directory", () => {
    const hits: string[] = [];
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|c|md|json|js)$/.test(name) && readFileSync(p, "utf8").includes(["shared", "bench"].join("/"))) hits.push(p);
      }
    };
    for (const d of ["src", "test", "models", "examples"]) walk(join(root, d));
    if (readFileSync(join(root, "README.md"), "utf8").includes(["shared", "bench"].join("/"))) hits.push("README.md");
    expect(hits).toEqual([]);
  });
});
