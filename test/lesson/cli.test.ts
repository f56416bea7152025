/**
 * `cai lesson` (the compiled CLI): one self-contained HTML file with the engine bundled in, no
 * reference to anything outside it; bad usage exits 2 with a message and no stack trace.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cliSandbox } from "../support/cli.js";

const { cai, path } = cliSandbox("cai-lesson-");

describe("cai lesson", () => {
  it("writes one self-contained page: an inline script with the engine, MathML derivations of the three backups, nothing fetched", () => {
    const r = cai(["lesson", "--out", "lesson.html"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/wrote lesson\.html \(\d+ KiB\)/);
    const html = readFileSync(path("lesson.html"), "utf8");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    // No external resource of any kind: no src= or href= attribute, no url() in the style, no import.
    expect(html).not.toMatch(/\s(?:src|href)\s*=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)/);
    const scripts = html.match(/<script>/g) ?? [];
    expect(scripts).toHaveLength(1);
    // The three derivations, rendered (MathML), with the backups' defining lines.
    for (const backup of ["exact", "variational", "hard"]) expect(html).toContain(`data-derivation="${backup}"`);
    expect((html.match(/<math/g) ?? []).length).toBeGreaterThan(30);
    // The engine is in the bundle: the page solves (the solve options' parameter checks travel with it).
    expect(html).toContain("must be a finite number > 0");
    expect(html.length).toBeLessThan(1_000_000);
  });

  it.each([
    [["lesson"], /--out FILE is required/],
    [["lesson", "--out"], /--out/],
    [["lesson", "--out", "x.html", "extra"], /unexpected argument "extra"/],
    [["lesson", "--out", "no/such/dir/lesson.html"], /--out no\/such\/dir\/lesson.html: cannot write/],
    [["lesson", "--frobnicate"], /frobnicate/],
  ])("bad usage %j exits 2 with a message naming the problem, no stack trace", (args, message) => {
    const r = cai(args);
    expect(r.status).toBe(2);
    expect(r.lines.join("\n")).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("--help describes the page and its exit statuses", () => {
    const r = cai(["lesson", "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/usage: cai lesson --out lesson\.html/);
    expect(r.stdout).toMatch(/Exit status/);
  });
});
