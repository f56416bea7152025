/**
 * The report and the pictures in a real browser: Debian's headless Chromium (/usr/bin/chromium,
 * installed by test/browser/install-chromium.sh), driven by playwright-core through its
 * executablePath (playwright never downloads a browser here). The page is made by the compiled
 * CLI, loaded from a file:// URL with every non-file request blocked and recorded; the test finds
 * every picture rendered with a non-zero box, no console error, and saves screenshots to
 * test-output/browser/ (gitignored).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { frozenLake, writeMdp } from "../../src/index.js";

const CHROMIUM = "/usr/bin/chromium";
const INSTALL = "test/browser/install-chromium.sh";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(root, "dist/cai.js");
const out = join(root, "test-output/browser");
let profile = "";
let context: BrowserContext | undefined;
/** Why the browser could not be started: each test fails with it (a missing browser is a failure, never a skip). */
let missing: string | undefined;

function requireBrowser(): void {
  if (missing !== undefined) throw new Error(missing);
}

interface Loaded {
  page: Page;
  consoleErrors: string[];
  blocked: string[];
}

/** Open a file in a new tab, recording console errors, page errors and any request that is not file://. */
async function open(path: string): Promise<Loaded> {
  const page = await context!.newPage();
  const consoleErrors: string[] = [];
  const blocked: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(`page error: ${e.message}`));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(path).href, { waitUntil: "load" });
  return { page, consoleErrors, blocked };
}

function cai(args: string[]): void {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: out, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`cai ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    missing = `${CHROMIUM} is missing: the browser test needs Debian's chromium. Install it with: bash ${INSTALL} (as root; CI runs it before npm test)`;
    return;
  }
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run tsc first (npm test does)`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "lake8.json"), writeMdp(frozenLake({ map: "8x8" }), "native"));
  cai(["report", "lake8.json", "--gamma", "0.99", "--alpha", "0.05", "--no-derivation", "--out", "report.html"]);
  cai(["render", "graph", "lake8.json", "--horizon", "3", "--messages", "--out", "graph.svg"]);
  cai(["render", "values", "lake8.json", "--gamma", "0.99", "--alpha", "0.05", "--backups", "exact,variational", "--out", "values.svg"]);
  profile = mkdtempSync(join(tmpdir(), "cai-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1200, height: 900 },
    offline: true,
  });
});

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe("the report in headless Chromium", () => {
  it("renders every picture with a non-zero box, with no console error and no network request", async () => {
    requireBrowser();
    const { page, consoleErrors, blocked } = await open(join(out, "report.html"));
    const boxes = await page.$$eval("figure.picture > svg", (els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { picture: e.parentElement?.getAttribute("data-picture"), width: r.width, height: r.height };
      }),
    );
    expect(boxes.map((b) => b.picture)).toEqual(["graph", "values", "comparison", "sweep"]);
    for (const b of boxes) {
      expect(b.width, `${b.picture} width`).toBeGreaterThan(100);
      expect(b.height, `${b.picture} height`).toBeGreaterThan(100);
    }
    // The shapes inside are laid out too: 64 cells in the run's picture, each with a box.
    const cells = await page.$$eval('figure[data-picture="values"] rect.cell', (els) => els.map((e) => e.getBoundingClientRect().width));
    expect(cells).toHaveLength(64);
    for (const w of cells) expect(w).toBeGreaterThan(5);
    const circles = await page.$$eval('figure[data-picture="graph"] circle.variable', (els) => els.length);
    expect(circles).toBe(3);
    expect(consoleErrors).toEqual([]);
    expect(blocked).toEqual([]);
    const shot = join(out, "report.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    await page.close();
  });

  it("renders the standalone SVG files (graph and side-by-side values) as SVG documents", async () => {
    requireBrowser();
    for (const name of ["graph", "values"]) {
      const { page, consoleErrors, blocked } = await open(join(out, `${name}.svg`));
      const root = await page.$eval(":root", (e) => {
        const r = e.getBoundingClientRect();
        return { tag: e.tagName, ns: e.namespaceURI, width: r.width, height: r.height };
      });
      expect(root.tag).toBe("svg");
      expect(root.ns).toBe("http://www.w3.org/2000/svg");
      expect(root.width).toBeGreaterThan(100);
      expect(root.height).toBeGreaterThan(100);
      expect(consoleErrors).toEqual([]);
      expect(blocked).toEqual([]);
      // A full-page screenshot of an SVG document never settles: size the viewport to the picture instead.
      await page.setViewportSize({ width: Math.ceil(root.width), height: Math.ceil(root.height) });
      const shot = join(out, `${name}.png`);
      await page.screenshot({ path: shot });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      await page.close();
    }
  });
});
