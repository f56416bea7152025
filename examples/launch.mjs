// `npm run example -- NAME`: rebuild only when a TypeScript source (or package.json / tsconfig.json)
// is newer than the last build (dist/.tsbuildinfo), then run `node dist/examples/run.js NAME`.
// An example whose sources did not change starts at once instead of re-running the type check.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The newest modification time of the .ts files under `dir` (node_modules and dist excluded). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "dist" || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith(".ts")) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** The modification time of a file, or -1 when it is missing. */
function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return -1;
  }
}

/** The stamp the launcher writes after a build it ran (tsc leaves its build info alone when nothing changed). */
const STAMP = join("dist", ".example-stamp");

/** Whether the build in `dir`/dist is older than a source (or missing). */
export function needsBuild(dir) {
  const sources = Math.max(
    ...["src", "models", "examples", "test"].map((d) => {
      try {
        return newest(join(dir, d));
      } catch {
        return 0;
      }
    }),
    mtime(join(dir, "package.json")),
    mtime(join(dir, "tsconfig.json")),
  );
  const info = Math.max(mtime(join(dir, "dist", ".tsbuildinfo")), mtime(join(dir, STAMP)));
  return mtime(join(dir, "dist", "examples", "run.js")) < 0 || !(info >= sources);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (needsBuild(root)) {
    const b = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
    if (b.status !== 0) process.exit(b.status ?? 1);
    writeFileSync(join(root, STAMP), "");
  }
  const r = spawnSync(process.execPath, [join(root, "dist", "examples", "run.js"), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
