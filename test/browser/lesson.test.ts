/**
 * The lesson page in a real browser: Debian's headless Chromium driven by playwright-core (as the
 * report's browser test does). The page is written by the compiled `cai lesson`, opened from a
 * file:// URL with every other request blocked, and driven from the keyboard. Its printed numbers
 * are checked against the engine's `solve` run here under Node, to the printed precision; the values
 * the pictures carry (data-value) to 1e-12. A screenshot of each step goes to test-output/browser/
 * (gitignored); the redraw times, the page's size and its load time are measured and printed (a
 * figure for the README, not a timed test).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demonstrationPrior } from "../../models/demonstration.js";
import { frozenLake, solve, type Backup, type TabularMdp } from "../../src/index.js";
import { cycleCell, formatNumber, initialState, SAMPLE_EPISODES, sampleRuns, startValue, withWorld } from "../../src/lesson/model.js";
import { STEPS } from "../../src/lesson/steps.js";

const CHROMIUM = "/usr/bin/chromium";
const INSTALL = "test/browser/install-chromium.sh";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const BACKUPS: Backup[] = ["exact", "variational", "hard"];

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(root, "dist/cai.js");
const out = join(root, "test-output/browser");
const pagePath = join(out, "lesson.html");
let profile = "";
let context: BrowserContext | undefined;
let missing: string | undefined;
/** What the test measured, printed at the end and written to test-output/browser/lesson-measurements.json. */
const measured: { pageBytes?: number; loadMs?: number[]; redraws: { cause: string; step: string; ms: number }[]; perStep?: Record<string, number[]> } = { redraws: [] };

function requireBrowser(): void {
  if (missing !== undefined) throw new Error(missing);
}

interface Loaded {
  page: Page;
  errors: string[];
  blocked: string[];
}

async function open(viewport = { width: 1280, height: 720 }): Promise<Loaded> {
  const page = await context!.newPage();
  await page.setViewportSize(viewport);
  const errors: string[] = [];
  const blocked: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(pagePath).href, { waitUntil: "load" });
  await page.waitForFunction(() => Number(document.body.dataset.redraws ?? 0) >= 1);
  return { page, errors, blocked };
}

/** Redraws recorded by the page since it opened. */
async function timings(page: Page): Promise<{ cause: string; step: string; ms: number }[]> {
  return page.evaluate(() => window.caiLesson!.timings);
}

/** Press a key on a control and wait for the page to redraw. */
async function press(page: Page, selector: string, key: string): Promise<void> {
  const before = await page.evaluate(() => Number(document.body.dataset.redraws));
  await page.focus(selector);
  await page.keyboard.press(key);
  await page.waitForFunction((n) => Number(document.body.dataset.redraws) > n, before);
}

async function openStep(page: Page, id: string): Promise<void> {
  await page.click(`#tab-${id}`);
  await page.waitForSelector(`#step-${id}:not([hidden])`);
}

async function chooseWorld(page: Page, world: string): Promise<void> {
  const before = await page.evaluate(() => Number(document.body.dataset.redraws));
  await page.selectOption("#world", world);
  await page.waitForFunction((n) => Number(document.body.dataset.redraws) > n, before);
}

async function printed(page: Page, selector: string): Promise<string> {
  return (await page.textContent(selector))!.trim();
}

async function pageAlpha(page: Page): Promise<number> {
  return page.evaluate(() => Number(document.body.dataset.alpha));
}

/** data-value of each cell of the n-th value panel (state -> value). */
async function cellValues(page: Page, container: string, panel = 0): Promise<Map<number, number>> {
  const pairs = await page.$$eval(`${container} g.panel[data-panel="${panel}"] rect.cell`, (els) => els.map((e) => [Number(e.getAttribute("data-state")), Number(e.getAttribute("data-value"))] as [number, number]));
  return new Map(pairs);
}

function expectClose(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} against ${expected}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    missing = `${CHROMIUM} is missing: the browser test needs Debian's chromium. Install it with: bash ${INSTALL} (as root; CI runs it before npm test)`;
    return;
  }
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run tsc first (npm test does)`);
  mkdirSync(out, { recursive: true });
  const r = spawnSync(process.execPath, [cli, "lesson", "--out", pagePath], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`cai lesson exited ${r.status}: ${r.stderr}`);
  measured.pageBytes = statSync(pagePath).size;
  profile = mkdtempSync(join(tmpdir(), "cai-chromium-"));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, offline: true });
});

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (measured.pageBytes !== undefined) {
    const lake8 = measured.redraws.filter((r) => r.cause !== "open" && !r.cause.startsWith("open "));
    const ms = lake8.map((r) => r.ms).sort((a, b) => a - b);
    const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
    const perStep = Object.fromEntries(
      Object.entries(measured.perStep ?? {}).map(([k, v]) => {
        const sorted = [...v].sort((a, b) => a - b);
        return [k, { n: v.length, median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] }];
      }),
    );
    const summary = {
      load_average_1min: Number(loadavg()[0]!.toFixed(2)),
      per_step_8x8: perStep,
      page_kib: Math.round(measured.pageBytes / 1024),
      load_ms: measured.loadMs,
      redraws_8x8: ms.length,
      redraw_ms_median: q(0.5),
      redraw_ms_p90: q(0.9),
      redraw_ms_max: ms[ms.length - 1],
    };
    writeFileSync(join(out, "lesson-measurements.json"), JSON.stringify({ summary, redraws: measured.redraws }, null, 1));
    console.log(`lesson page: ${JSON.stringify(summary)}`);
  }
});

describe("the lesson page in headless Chromium", () => {
  it("opens from file:// with no console error or network request, shows each of the eight steps at 1280x720 and 1920x1080, and fits the window's width", async () => {
    requireBrowser();
    measured.loadMs = [];
    for (const viewport of [
      { width: 1280, height: 720 },
      { width: 1920, height: 1080 },
    ]) {
      const { page, errors, blocked } = await open(viewport);
      measured.loadMs.push(await page.evaluate(() => Math.round((performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).loadEventEnd)));
      for (const s of STEPS) {
        await openStep(page, s.id);
        const box = await page.$eval(`#step-${s.id}`, (e) => {
          const r = e.getBoundingClientRect();
          return { width: r.width, height: r.height, text: (e.textContent ?? "").length, svgs: e.querySelectorAll("svg").length, math: e.querySelectorAll("math").length };
        });
        expect(box.width, `${s.id} width`).toBeGreaterThan(600);
        expect(box.text, `${s.id} text`).toBeGreaterThan(200);
        if (["graph", "backups", "temperature", "evidence", "sweeps"].includes(s.id)) expect(box.svgs, `${s.id} pictures`).toBeGreaterThan(0);
        if (s.id === "derivation") expect(box.math).toBeGreaterThan(10);
        // The layout holds: nothing wider than the window.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${s.id} at ${viewport.width}x${viewport.height} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
        const shot = join(out, `lesson-${viewport.width}-${s.id}.png`);
        await page.screenshot({ path: shot });
        expect(statSync(shot).size).toBeGreaterThan(10_000);
      }
      expect(errors).toEqual([]);
      expect(blocked).toEqual([]);
      await page.close();
    }
  });

  it("every control has a label, and the steps open from the keyboard (arrow keys on the tabs)", async () => {
    requireBrowser();
    const { page, errors } = await open();
    const unlabelled = await page.$$eval("input, select, button", (els) =>
      els.filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute("aria-label") && !(e.textContent ?? "").trim()).map((e) => e.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    await page.focus("#tab-world");
    await page.keyboard.press("ArrowRight");
    await page.waitForSelector("#step-graph:not([hidden])");
    await page.keyboard.press("ArrowLeft");
    await page.waitForSelector("#step-world:not([hidden])");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("tab-world");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the alpha slider: V(start) of each backup on FrozenLake 8x8 is what solve gives, to the printed precision, and the pictures carry solve's values", async () => {
    requireBrowser();
    const { page, errors } = await open();
    await openStep(page, "backups");
    await chooseWorld(page, "lake8");
    const lake = frozenLake({ map: "8x8" });
    const check = async () => {
      const alpha = await pageAlpha(page);
      const V: Record<string, Float64Array> = {};
      for (const backup of BACKUPS) {
        const res = solve(lake, { backup, alpha, gamma: 0.99 });
        V[backup] = res.V;
        expect(await printed(page, `td[data-fact="vstart-${backup}"]`), `${backup} at alpha ${alpha}`).toBe(formatNumber(startValue(lake, res.V)));
      }
      for (const [i, backup] of BACKUPS.entries()) {
        const cells = await cellValues(page, "#backup-maps", i);
        expect(cells.size).toBe(64);
        for (const [s, v] of cells) expectClose(v, V[backup]![s]!, `${backup} V(${s})`);
      }
      return alpha;
    };
    const seen = [await check()];
    for (const key of ["Home", "ArrowRight", "ArrowRight", "PageUp", "End", "PageDown", "ArrowLeft"]) {
      await press(page, "#alpha", key);
      seen.push(await check());
    }
    expect(Math.min(...seen)).toBeCloseTo(0.01, 12);
    expect(Math.max(...seen)).toBeCloseTo(10, 10);
    expect(new Set(seen).size).toBeGreaterThanOrEqual(6);
    // The README's picture: step 3 on the 8x8 lake at alpha = 0.05.
    await page.fill("#alpha", String(Math.log10(0.05)));
    await page.dispatchEvent("#alpha", "input");
    await check();
    await page.screenshot({ path: join(out, "lesson-1280-backups-8x8.png") });
    measured.redraws.push(...(await timings(page)).filter((t) => t.cause === "alpha"));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("editing a map cell re-solves the edited table: the page's numbers are solve's on frozenLake with the edited map", async () => {
    requireBrowser();
    const { page, errors } = await open();
    await chooseWorld(page, "lake8");
    const alpha = await pageAlpha(page);
    // Row 3, column 2 (frozen) becomes a hole, from the keyboard; row 0, column 3 too.
    let map = frozenLake({ map: "8x8" }).meta.map as string[];
    for (const [r, c] of [
      [3, 2],
      [0, 3],
    ] as const) {
      await press(page, `#map-editor button[data-row="${r}"][data-col="${c}"]`, "Enter");
      map = cycleCell(map, r, c);
      expect(await page.getAttribute(`#map-editor button[data-row="${r}"][data-col="${c}"]`, "aria-label")).toMatch(/hole/);
    }
    measured.redraws.push(...(await timings(page)).filter((t) => t.cause === "edit cell"));
    const edited: TabularMdp = frozenLake({ map, successRate: 1 / 3 });
    await openStep(page, "backups");
    for (const [i, backup] of BACKUPS.entries()) {
      const res = solve(edited, { backup, alpha, gamma: 0.99 });
      expect(await printed(page, `td[data-fact="vstart-${backup}"]`)).toBe(formatNumber(startValue(edited, res.V)));
      const cells = await cellValues(page, "#backup-maps", i);
      for (const [s, v] of cells) expectClose(v, res.V[s]!, `${backup} V(${s}) on the edited map`);
      expect(cells.get(3 * 8 + 2)).toBe(0); // the new hole
    }
    // The edit matters at the printed precision (else the check above would prove nothing).
    const lake = frozenLake({ map: "8x8" });
    for (const backup of ["exact", "variational"] as const) {
      expect(formatNumber(startValue(edited, solve(edited, { backup, alpha, gamma: 0.99 }).V))).not.toBe(formatNumber(startValue(lake, solve(lake, { backup, alpha, gamma: 0.99 }).V)));
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it("samples: the page's episodes are the engine's sampler's for the same seed, drawn as one walker per episode in each panel", async () => {
    requireBrowser();
    const { page, errors } = await open();
    await chooseWorld(page, "lake8");
    await openStep(page, "samples");
    const lake = frozenLake({ map: "8x8" });
    for (const seed of [1, 2]) {
      if (seed === 2) {
        const before = await page.evaluate(() => Number(document.body.dataset.redraws));
        await page.focus("#resample");
        await page.keyboard.press("Enter");
        await page.waitForFunction((n) => Number(document.body.dataset.redraws) > n, before);
      }
      const runs = sampleRuns({ ...withWorld(initialState(), "lake8"), seed }, lake);
      const cells = await page.$$eval('tr[data-fact="mean-return"] td.num', (els) => els.map((e) => (e.textContent ?? "").trim()));
      expect(cells, `seed ${seed}`).toEqual([formatNumber(runs.policy!.meanReturn), formatNumber(runs.posterior!.meanReturn)]);
      const done = await page.$$eval('tr[data-fact="ended-done"] td.num', (els) => els.map((e) => Number(e.getAttribute("data-value"))));
      expect(done).toEqual([runs.policy!.ends.done, runs.posterior!.ends.done]);
      expect(await page.$$eval("#samples circle.walker", (els) => els.length)).toBe(2 * SAMPLE_EPISODES);
    }
    // The animation's time slider moves the walkers back to the start state at t = 0.
    await press(page, "#frame", "Home");
    const spreads = await page.$$eval("#samples g.sample-panel", (panels) =>
      panels.map((p) => {
        const xs = Array.from(p.querySelectorAll("circle.walker")).map((c) => Number(c.getAttribute("cx")));
        const ys = Array.from(p.querySelectorAll("circle.walker")).map((c) => Number(c.getAttribute("cy")));
        return Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
      }),
    );
    // Every walker sits in the start cell (cells are 48 px here; the jitter is at most 8 px either way).
    for (const spread of spreads) expect(spread).toBeLessThan(20);
    await page.click("#play");
    await page.waitForFunction(() => Number((document.getElementById("frame") as HTMLInputElement).value) >= 3);
    await page.click("#play");
    expect(await page.getAttribute("#play", "aria-pressed")).toBe("false");
    const shot = join(out, "lesson-1280-samples-animated.png");
    await page.screenshot({ path: shot });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the graph: focusing a message arrow shows the message it carries, solve's numbers at the start state", async () => {
    requireBrowser();
    const { page, errors } = await open();
    await openStep(page, "graph");
    const alpha = await pageAlpha(page);
    const res = solve(frozenLake(), { backup: "variational", alpha, gamma: 0.99, horizon: 2 });
    // Message 3 is P_0 -> (s_0, a_0): Q_0(s, a); message 4 is pi0_0 -> s_0: V_0(s).
    await page.focus('#graph g.message[data-step="3"]');
    await page.waitForFunction(() => /message 3/.test(document.getElementById("message")!.textContent ?? ""));
    for (let a = 0; a < 4; a++) expect(await printed(page, `tr[data-fact="msg-q-${a}"] td.num`)).toBe(formatNumber(res.steps!.Q[0]![a]!));
    await page.hover('#graph g.message[data-step="4"]');
    await page.waitForFunction(() => /message 4/.test(document.getElementById("message")!.textContent ?? ""));
    expect(await printed(page, 'tr[data-fact="msg-v"] td.num')).toBe(formatNumber(res.V[0]!));
    expect(await page.$$eval("#graph g.message title", (ts) => ts.length)).toBeGreaterThan(3);
    const box = await page.$eval("#message", (e) => e.getBoundingClientRect());
    expect(box.bottom).toBeLessThanOrEqual(720); // beside the graph, within the window
    expect(errors).toEqual([]);
    await page.close();
  });

  it("demonstrations drawn by clicking a path become the prior: V(start) is solve's with pi_D built from those moves", async () => {
    requireBrowser();
    const { page, errors } = await open();
    await openStep(page, "temperature");
    const before = await page.evaluate(() => Number(document.body.dataset.redraws));
    await page.selectOption("#prior", "demonstrations");
    await page.waitForFunction((n) => Number(document.body.dataset.redraws) > n, before);
    // The path 0 -> 1 -> 2 -> 6 on the 4x4 lake: RIGHT, RIGHT, DOWN; then a cell that is no neighbour.
    for (const s of [0, 1, 2, 6, 15]) await press(page, `#demo-editor button[data-state="${s}"]`, "Enter");
    expect(await page.textContent("#status")).toMatch(/not next to/);
    expect(await page.textContent("#demo-text")).toMatch(/path: .*→.*→.*→/);
    const lake = frozenLake();
    const counts = new Float64Array(16 * 4);
    counts[0 * 4 + 2] = 1;
    counts[1 * 4 + 2] = 1;
    counts[2 * 4 + 1] = 1;
    const prior = demonstrationPrior(counts, 16, 4, 0.1).prior;
    const alpha = await pageAlpha(page);
    const res = solve(lake, { backup: "variational", alpha, gamma: 0.99, prior });
    expect(await printed(page, 'tr[data-fact="temp-vstart"] td.num')).toBe(formatNumber(res.V[0]!));
    expect(await printed(page, 'tr[data-fact="temp-demo"] td.num')).toBe("3");
    const cells = await cellValues(page, "#temp-map");
    for (const [s, v] of cells) expectClose(v, res.V[s]!, `V(${s}) under the demonstration prior`);
    await page.screenshot({ path: join(out, "lesson-1280-demonstrations.png") });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("evidence: log Z and the two ELBOs are solve's for the horizon; the time slider shows V_t; without a finite horizon there is no log Z", async () => {
    requireBrowser();
    const { page, errors } = await open();
    await openStep(page, "evidence");
    const alpha = await pageAlpha(page);
    const lake = frozenLake();
    const exact = solve(lake, { backup: "exact", alpha, gamma: 0.99, horizon: 20 });
    const variational = solve(lake, { backup: "variational", alpha, gamma: 0.99, horizon: 20 });
    expect(await printed(page, 'tr[data-fact="logz"] td.num')).toBe(formatNumber(exact.logZ));
    expect(await printed(page, 'tr[data-fact="elbo-variational"] td.num')).toBe(formatNumber(variational.elbo));
    expect(await printed(page, 'tr[data-fact="elbo-exact"] td.num')).toBe(formatNumber(exact.elbo));
    expect(await printed(page, 'tr[data-fact="gap-variational"] td.num')).toBe(formatNumber(exact.logZ! - variational.elbo!));
    await press(page, "#time", "End");
    expect(await page.inputValue("#time")).toBe("19");
    for (const [i, res] of [exact, variational].entries()) {
      const cells = await cellValues(page, "#evidence-maps", i);
      for (const [s, v] of cells) expectClose(v, res.steps!.V[19]![s]!, `V_19(${s})`);
    }
    await press(page, "#finite", "Space");
    expect(await printed(page, 'tr[data-fact="logz"] td.num')).toBe("—");
    const inf = solve(lake, { backup: "variational", alpha, gamma: 0.99 });
    expect(await printed(page, 'tr[data-fact="elbo-variational"] td.num')).toBe(formatNumber(inf.elbo));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("measures the redraw time of each step on the 8x8 lake (alpha, time and sweep sliders; recorded, not asserted as a time)", async () => {
    requireBrowser();
    const { page, errors } = await open();
    await chooseWorld(page, "lake8");
    measured.perStep = {};
    const plan: [string, string][] = [
      ["graph", "#alpha"],
      ["backups", "#alpha"],
      ["temperature", "#alpha"],
      ["evidence", "#alpha"],
      ["evidence", "#time"],
      ["sweeps", "#alpha"],
      ["sweeps", "#sweep"],
      ["samples", "#alpha"],
      ["samples", "#frame"],
    ];
    for (const [id, control] of plan) {
      await openStep(page, id);
      const from = (await timings(page)).length;
      // The animation's time starts at its end: step back first there, forward first elsewhere.
      const [first, second] = control === "#frame" ? ["ArrowLeft", "ArrowRight"] : ["ArrowRight", "ArrowLeft"];
      for (let i = 0; i < 8; i++) await press(page, control, i % 2 === 0 ? first : second);
      const ms = (await timings(page)).slice(from).map((t) => t.ms);
      expect(ms).toHaveLength(8);
      for (const x of ms) expect(Number.isFinite(x) && x >= 0).toBe(true);
      measured.perStep[`${id} ${control.slice(1)}`] = ms;
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the sweep slider shows V_k: the values after k sweeps of solve from V = 0, and the residual", async () => {
    requireBrowser();
    const { page, errors } = await open();
    await chooseWorld(page, "lake8");
    await openStep(page, "sweeps");
    const alpha = await pageAlpha(page);
    const lake = frozenLake({ map: "8x8" });
    const Vk = (k: number) => (k === 0 ? new Float64Array(64) : k === 1 ? solve(lake, { alpha, gamma: 0.99, horizon: 1 }).V : solve(lake, { alpha, gamma: 0.99, maxIter: k - 1, tol: 0, schedule: "jacobi" }).V);
    let checked = 0;
    for (const key of ["Home", "ArrowRight", "ArrowRight", "ArrowRight", "PageUp", "End", "ArrowLeft"]) {
      await press(page, "#sweep", key);
      const k = Number(await page.inputValue("#sweep"));
      const V = Vk(k);
      expect(await printed(page, 'tr[data-fact="vk-start"] td.num'), `V_${k}(start)`).toBe(formatNumber(startValue(lake, V)));
      if (k > 0) {
        const prev = Vk(k - 1);
        let r = 0;
        for (let s = 0; s < 64; s++) r = Math.max(r, Math.abs(V[s]! - prev[s]!));
        expect(await printed(page, 'tr[data-fact="residual"] td.num'), `residual at k = ${k}`).toBe(formatNumber(r));
      }
      const cells = await cellValues(page, "#sweep-map");
      expect(cells.size).toBe(64);
      for (const [s, v] of cells) expectClose(v, V[s]!, `V_${k}(${s})`);
      checked++;
    }
    expect(checked).toBe(7);
    measured.redraws.push(...(await timings(page)).filter((t) => t.cause === "sweep"));
    expect(errors).toEqual([]);
    await page.close();
  });
});
