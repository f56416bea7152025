#!/usr/bin/env node
// `npm run build` step: compile the WebAssembly sweep kernel from its AssemblyScript source
// (src/inference/kernels/wasm/sweep.ts) with the pinned devDependency `assemblyscript` into
// dist/src/inference/kernels/wasm/sweep.wasm, beside the compiled loader (kernels/wasm.js), which
// reads it relative to itself. Skipped when the .wasm is newer than its source and this script.
// Nothing is downloaded. Without assemblyscript (an install without devDependencies) an existing
// .wasm is kept; with neither, the engine runs its JavaScript kernel (CAI_KERNEL=wasm then fails).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src/inference/kernels/wasm/sweep.ts");
const outFile = join(root, "dist/src/inference/kernels/wasm/sweep.wasm");
const self = fileURLToPath(import.meta.url);

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : -Infinity);
if (mtime(outFile) > Math.max(mtime(source), mtime(self))) process.exit(0);

let asc;
try {
  asc = createRequire(import.meta.url).resolve("assemblyscript/bin/asc.js");
} catch {
  process.stderr.write(`build-wasm: assemblyscript is not installed; ${existsSync(outFile) ? "keeping the existing sweep.wasm" : "no sweep.wasm: the engine will run its JavaScript kernel"}\n`);
  process.exit(0);
}
mkdirSync(dirname(outFile), { recursive: true });
const args = [
  asc,
  source,
  "--outFile", outFile,
  "-O3",
  "--noAssert",
  "--runtime", "stub",
  "--use", "abort=",
  "--enable", "simd",
  "--enable", "threads",
  "--importMemory",
  "--sharedMemory",
  "--initialMemory", "1",
  "--maximumMemory", "65536",
];
const r = spawnSync(process.execPath, args, { stdio: "inherit" });
if (r.status !== 0) {
  process.stderr.write(`build-wasm: asc failed (status ${r.status})\n`);
  process.exit(1);
}
