/**
 * Running the compiled `cai` (dist/src/cli/main.js; `npm test` runs tsc first) as a child process,
 * with files in a fresh temporary directory.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect } from "vitest";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const cliPath = join(root, "dist/src/cli/main.js");

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Non-empty stderr lines. */
  lines: string[];
}

/** A temporary directory for the current test file, removed afterwards; returns helpers bound to it. */
export function cliSandbox(prefix = "cai-test-") {
  let dir = "";
  beforeAll(() => {
    if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run tsc first (npm test does)`);
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    cai(args: string[], input?: string): Run {
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.CAI_DEBUG;
      const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: dir, input: input ?? "", encoding: "utf8", env, timeout: 120_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stderr.split("\n").filter((l) => l !== "") };
    },
    file(name: string, content: string): string {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
  };
}

/** Exit 2, nothing on stdout, every stderr line a "cai: error:" line, and no stack trace. */
export function expectInputError(r: Run, lines?: number): void {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe("");
  if (lines !== undefined) expect(r.lines).toHaveLength(lines);
  for (const l of r.lines) expect(l).toMatch(/^cai: error: |^usage: /);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}
