#!/usr/bin/env node
// `npm run build` step: bundle the command line (dist/src/cli/main.js and the engine modules it
// loads, about 120 files) into one file, dist/cai.js, the package's `cai` bin. Node then reads and
// compiles one module at start-up instead of resolving and reading each (about 50 ms less on every
// command). Packages in node_modules stay outside the bundle (loaded as before, when used); the
// commands are still loaded when run (each command's dynamic import becomes a lazy init in the
// bundle). Function names are kept as they are (no minification, no renaming beyond esbuild's own
// on a clash): the sweep workers' source is the kernel functions' own text (sweeper.ts). Files the
// modules read beside themselves (package.json, the WebAssembly kernel, the lesson's page script)
// are found from the bundle's place too (each lists dist/ among its candidates).
import { build } from "esbuild";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
await build({
  entryPoints: [join(root, "dist/src/cli/main.js")],
  outfile: join(root, "dist/cai.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
  legalComments: "none",
});
