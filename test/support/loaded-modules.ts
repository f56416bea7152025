/**
 * Child node processes that record every module they load: the ES module URLs they resolve (a
 * node:module register hook) and, at exit, the CommonJS modules in require.cache (which a
 * createRequire() load such as src/solvers/ml-matrix.ts adds). For tests that keep heavy
 * dependencies off the engine's paths.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { root } from "./cli.js";

export interface LoadedModules {
  /** URLs of the ES modules resolved. */
  readonly esm: string[];
  /** Paths of the CommonJS modules loaded. */
  readonly cjs: string[];
  readonly status: number | null;
  readonly stderr: string;
}

export interface ModuleRecorder {
  /** A scratch directory of the recorder's own (for input files). */
  readonly dir: string;
  /** Run `node ...args` from the repository root, recording what it loads. */
  run(args: readonly string[], name: string): LoadedModules;
  /** Remove the scratch directory. */
  close(): void;
}

/** Create the recorder's hook scripts in a new temporary directory. */
export function moduleRecorder(prefix: string): ModuleRecorder {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(
    join(dir, "hooks.mjs"),
    [
      'import { appendFileSync } from "node:fs";',
      "export async function resolve(specifier, context, next) {",
      "  const result = await next(specifier, context);",
      '  appendFileSync(process.env.CAI_ESM_LOG, result.url + "\\n");',
      "  return result;",
      "}",
    ].join("\n"),
  );
  const register = join(dir, "register.mjs");
  writeFileSync(
    register,
    [
      'import { register, createRequire } from "node:module";',
      'import { writeFileSync } from "node:fs";',
      'register(new URL("./hooks.mjs", import.meta.url));',
      "const require = createRequire(import.meta.url);",
      'process.on("exit", () => writeFileSync(process.env.CAI_CJS_LOG, Object.keys(require.cache).join("\\n")));',
    ].join("\n"),
  );
  const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter((l) => l !== "");
  return {
    dir,
    run(args, name) {
      const esmLog = join(dir, `${name}.esm.log`);
      const cjsLog = join(dir, `${name}.cjs.log`);
      writeFileSync(esmLog, "");
      writeFileSync(cjsLog, "");
      const r = spawnSync(process.execPath, ["--import", pathToFileURL(register).href, ...args], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, CAI_ESM_LOG: esmLog, CAI_CJS_LOG: cjsLog },
        timeout: 120_000,
      });
      return { esm: lines(esmLog), cjs: lines(cjsLog), status: r.status, stderr: r.stderr };
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
