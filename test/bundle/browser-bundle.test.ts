/**
 * The engine bundles for the browser: esbuild (`platform: "browser"`) bundles the public API
 * (src/index.ts) with no `node:` import left in it, and the bundle, run in a V8 context that has no
 * `process`, `require` or any other Node.js global, gives the same numbers as the engine under
 * Node.js (bit for bit: the same code on the single-thread path).
 */
import { runInNewContext } from "node:vm";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { cliffWalking, frozenLake, solve, type Backup, type SolveOptions, type SolveResult } from "../../src/index.js";
import { nodeBuiltin } from "../../src/host.js";

type Api = typeof import("../../src/index.js");

let bundle = "";
/** What the bundle still imports from outside itself (esbuild's metafile). */
let external: string[] = [];
let api: Api;
let meta: import("esbuild").Metafile | undefined;
const metafile = () => meta!;

beforeAll(async () => {
  const result = await build({
    entryPoints: ["src/index.ts"],
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "cai",
    write: false,
    logLevel: "silent",
    metafile: true,
  });
  expect(result.errors).toEqual([]);
  bundle = result.outputFiles[0]!.text;
  meta = result.metafile;
  external = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  api = runInNewContext(`${bundle}\ncai;`, { console }) as Api;
});

describe("the public API in a browser bundle", () => {
  it("bundles with no node: built-in and no require of one", () => {
    expect(bundle.length).toBeGreaterThan(10_000);
    expect(external).toEqual([]);
    expect(Object.keys(metafile().inputs).filter((p) => p.startsWith("node:"))).toEqual([]);
  });

  it("runs where no Node.js global exists (no process, no workers)", () => {
    expect(runInNewContext("typeof process + ' ' + typeof require")).toBe("undefined undefined");
    expect(nodeBuiltin("node:os")).toBeDefined(); // under Node.js the lookup finds it
  });

  const cases: [string, (a: Api) => ReturnType<Api["frozenLake"]>, SolveOptions][] = [];
  for (const backup of ["exact", "variational", "hard"] as Backup[]) {
    cases.push([`FrozenLake 8x8, ${backup}, gamma 0.99, alpha 0.05`, (a) => a.frozenLake({ map: "8x8" }), { backup, gamma: 0.99, alpha: 0.05 }]);
    cases.push([`FrozenLake 4x4, ${backup}, horizon 20`, (a) => a.frozenLake({ map: "4x4" }), { backup, horizon: 20, alpha: 0.05 }]);
  }
  cases.push(["CliffWalking, variational, gamma 0.99, alpha 1, Gauss-Seidel", (a) => a.cliffWalking(), { backup: "variational", gamma: 0.99, alpha: 1, schedule: "gauss-seidel", threads: "auto" }]);

  it.each(cases)("%s: the bundle's solve gives Node's numbers", (_name, make, options) => {
    const node: SolveResult = solve(make({ frozenLake, cliffWalking } as unknown as Api), options);
    const browser = api.solve(make(api), options);
    expect(browser.iterations).toBe(node.iterations);
    expect(Array.from(browser.V)).toEqual(Array.from(node.V));
    expect(Array.from(browser.Q)).toEqual(Array.from(node.Q));
    expect(Array.from(browser.policy)).toEqual(Array.from(node.policy));
    expect(browser.logZ).toBe(node.logZ);
    expect(browser.elbo).toBe(node.elbo);
    expect(node.V.every(Number.isFinite)).toBe(true);
  });

  it("reading a file outside Node.js is a typed error, not a crash", () => {
    expect(() => api.readMdpFile("lake.json")).toThrow(/Node\.js only/);
    try {
      api.readMdpFile("lake.json");
    } catch (e) {
      expect((e as Error).name).toBe("FileReadError");
    }
  });
});
