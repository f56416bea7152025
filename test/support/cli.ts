/**
 * Running the compiled `cai` as users run it (the bin, dist/cai.js: the bundle `npm test` builds after
 * tsc, scripts/build-cli.mjs) as a child process,
 * with files in a fresh temporary directory.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect } from "vitest";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const cliPath = join(root, "dist/cai.js");

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Non-empty stderr lines. */
  lines: string[];
}

/** Options of {@link runCai}. */
export interface RunOptions {
  /** The child's working directory. */
  cwd: string;
  /** Standard input. @defaultValue "" */
  input?: string;
  /** Largest stdout or stderr in bytes (`cai env frozenlake-open` prints tens of MB). @defaultValue 256 MiB */
  maxBuffer?: number;
}

function requireBuilt(): void {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run tsc first (npm test does)`);
}

/** Run `cai args` in `cwd`, with CAI_DEBUG unset (so errors carry no stack trace). */
export function runCai(args: readonly string[], { cwd, input = "", maxBuffer = 256 * 1024 * 1024 }: RunOptions): Run {
  requireBuilt();
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CAI_DEBUG;
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd, input, encoding: "utf8", env, timeout: 120_000, maxBuffer });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stderr.split("\n").filter((l) => l !== "") };
}

/** A temporary directory for the current test file, removed afterwards; returns helpers bound to it. */
export function cliSandbox(prefix = "cai-test-") {
  let dir = "";
  beforeAll(() => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    /** `name` inside the directory. */
    path: (name: string): string => join(dir, name),
    /** Run `cai args` with the directory as its working directory. */
    cai: (args: string[], input = ""): Run => runCai(args, { cwd: dir, input }),
    /** Write `content` (a string as it is, anything else as JSON) to `name` in the directory; returns its path. */
    file(name: string, content: unknown): string {
      const path = join(dir, name);
      writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
      return path;
    },
  };
}

/** Options of {@link expectInputError}. */
export interface InputErrorOptions {
  /** Allow the "usage: ..." line that follows a usage error. @defaultValue true */
  usage?: boolean;
}

/**
 * Exit 2, nothing on stdout, `lines` stderr lines when given, every one a "cai: error:" line (or,
 * unless `usage` is false, a "usage:" line), and no stack trace.
 */
export function expectInputError(r: Run, lines?: number, { usage = true }: InputErrorOptions = {}): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  if (lines !== undefined) expect(r.lines).toHaveLength(lines);
  for (const l of r.lines) expect(l).toMatch(usage ? /^cai: error: |^usage: / : /^cai: error: /);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

/** Exit 0, and stdout parsed as JSON. */
export function json<T = Record<string, unknown>>(r: Run): T {
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}
