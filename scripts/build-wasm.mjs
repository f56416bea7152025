#!/usr/bin/env node
// `npm run build` step: compile the WebAssembly modules from their AssemblyScript sources with the
// pinned devDependency `assemblyscript`: the sweep kernel (src/inference/kernels/wasm/sweep.ts ->
// dist/src/inference/kernels/wasm/sweep.wasm) and the JSON number writer (src/cli/wasm/json-numbers.ts
// -> dist/src/cli/wasm/json-numbers.wasm), each beside the compiled loader that reads it relative to
// itself. Each is skipped when its .wasm is newer than its source and this script. Nothing is
// downloaded. Without assemblyscript (an install without devDependencies) an existing .wasm is
// kept; with neither, the engine runs its JavaScript kernel (CAI_KERNEL=wasm then fails) and the
// command line writes numbers with String(x).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const self = fileURLToPath(import.meta.url);
const common = ["-O3", "--noAssert", "--runtime", "stub", "--use", "abort="];
/** Each module: its source, its output beside the compiled loader that reads it, and its options. */
const modules = [
  {
    source: "src/inference/kernels/wasm/sweep.ts",
    out: "dist/src/inference/kernels/wasm/sweep.wasm",
    args: ["--enable", "simd", "--enable", "threads", "--importMemory", "--sharedMemory", "--initialMemory", "1", "--maximumMemory", "65536"],
    without: "the engine will run its JavaScript kernel",
  },
  {
    // The JSON number writer (src/cli/number-bytes.ts loads it): its own memory of 8 pages.
    source: "src/cli/wasm/json-numbers.ts",
    out: "dist/src/cli/wasm/json-numbers.wasm",
    args: ["--initialMemory", "8", "--maximumMemory", "8"],
    without: "the command line will write JSON numbers with String(x)",
  },
];

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : -Infinity);
let asc;
for (const m of modules) {
  const source = join(root, m.source);
  const outFile = join(root, m.out);
  if (mtime(outFile) > Math.max(mtime(source), mtime(self))) continue;
  if (asc === undefined) {
    try {
      asc = createRequire(import.meta.url).resolve("assemblyscript/bin/asc.js");
    } catch {
      asc = null;
    }
  }
  if (asc === null) {
    process.stderr.write(`build-wasm: assemblyscript is not installed; ${existsSync(outFile) ? `keeping the existing ${m.out}` : `no ${m.out}: ${m.without}`}\n`);
    continue;
  }
  mkdirSync(dirname(outFile), { recursive: true });
  const r = spawnSync(process.execPath, [asc, source, "--outFile", outFile, ...common, ...m.args], { stdio: "inherit" });
  if (r.status !== 0) {
    process.stderr.write(`build-wasm: asc failed on ${m.source} (status ${r.status})\n`);
    process.exit(1);
  }
}
