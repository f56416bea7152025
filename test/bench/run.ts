/**
 * `npm run bench`: the engine against the project's own C reference, test/bench/ref/softvi.c (built
 * here with cc -O3 -march=native into a temporary directory), and the other timings of the README's
 * Performance section.
 *
 * For each N (default 100, 300, 1000), every run in a fresh process, engine and C interleaved so
 * that both see the same load:
 *   1. per sweep: a fixed number of Jacobi sweeps from V = 0 (tol 0), ns per nonzero per sweep,
 *      peak RSS; the two V's must agree (sum of V and max |dV| within 1e-9: the same iteration);
 *   2. time to tolerance 1e-10: C Jacobi, the engine's Jacobi (same sweeps, same answer: V[0] in
 *      the log1p form to 1e-9 relative) and the engine's prioritised schedule (fewer backups);
 *      each answer's distance to a tightly converged fixed point is printed beside it;
 *   3. time to tolerance 1e-14, C Jacobi and the engine's prioritised schedule, where the two
 *      answers must agree to 1e-9 in sum of V and max |dV| (at 1e-10 two different iterations can
 *      differ by up to 1e-10 gamma / (1 - gamma) = 1e-8);
 *   4. peak memory against 1.5 x (transition arrays + V, Vn), for Jacobi and prioritised runs;
 *   5. per sweep on converged values (issue 14 target 5): C (init=) and the engine (--init) start
 *      from V* (stage 2's fixed point) and run the same Jacobi sweeps; ns/nnz, engine / C, and the
 *      two V's must agree to 1e-9 as in stage 1; the engine with its default kernel choice and with
 *      each kernel forced (CAI_KERNEL=js, CAI_KERNEL=wasm).
 *   6. end to end (issue 14 targets 1 and 2): the real command `cai solve FILE --gamma 0.99
 *      --alpha 0.1 --json > out.json` (a fresh process, wall clock from spawn to exit, the file
 *      written here) on Gymnasium P JSON when it fits under the 512 MiB input limit and on the
 *      CSR .npz, against C's time to tolerance 1e-10 from stage 2, each answer's max |V - V*|
 *      beside C's; and, through the API in a fresh process, the solve with diagnostics off, with
 *      the defaults (diagnostics computed on first read, not read) and reading the ELBO and the
 *      occupancy (all read the policy, which the output prints either way).
 *   7. scale (issue 14 target 7): `cai solve open2000.npz --gamma 0.99 --alpha 0.1` (4 million
 *      states, 48 million entries, written by the engine as a CSR .npz), wall time and peak RSS
 *      against the transition arrays (--scale N for another size, 0 to skip; --quick skips it).
 * Then: loading a Gymnasium P JSON of 100k states, `cai solve` cold start on FrozenLake 4x4, and a
 * finite-horizon exact pass with H = 1000 on FrozenLake 8x8.
 *
 * Medians over the repetitions with [min, max]. Options: --sizes 100,300 --reps R --tol-reps R
 * --quick (sizes 100,300, fewer repetitions) --json FILE (all numbers).
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { frozenLake, frozenLakeOpen, mdpToNpz, solve, writeMdp, writeMdpChunks } from "../../src/index.js";
import { tableBytes } from "../../src/limits.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../.."); // dist/test/bench -> repository root
const cli = join(root, "dist/cai.js");

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes("--quick");
const sizes = (opt("--sizes") ?? (quick ? "100,300" : "100,300,1000")).split(",").map(Number);
const reps = Number(opt("--reps") ?? (quick ? 3 : 5));
const tolReps = Number(opt("--tol-reps") ?? (quick ? 2 : 3));
const jsonOut = opt("--json");
/** Stage 7, scale: the open N x N lake from a CSR .npz through `cai solve` (0 skips it; --quick does). */
const scaleN = Number(opt("--scale") ?? (quick ? 0 : 2000));
const refSource = join(root, "test/bench/ref/softvi.c");
/** The per-sweep stage on converged values runs the engine with each kernel (CAI_KERNEL); the first is the default choice. */
const CONVERGED_KERNELS: readonly string[] = ["auto", "js", "wasm"];

// ---------------------------------------------------------------- helpers
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
};
const spread = (xs: number[]) => `[${fmt(Math.min(...xs))}, ${fmt(Math.max(...xs))}]`;
function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential(3) : x.toPrecision(4);
}
const stat = (xs: number[]) => `${fmt(median(xs))} ${spread(xs)}`;

function run(cmd: string, args: string[], what: string, env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 26, ...(env ? { env } : {}) });
  if (r.status !== 0) throw new Error(`${what} failed (status ${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout + r.stderr;
}

interface Run {
  nsPerNnz: number;
  sweeps: number;
  totalMs: number;
  peakMiB: number;
  V0: number;
  sumV: number;
  V: Float64Array;
  backupsPerState: number;
  threads: number;
  /** The engine's sweep kernel (js or wasm); C: "c". */
  kernel?: string;
}

/** softvi.c under /usr/bin/time (peak RSS); total_ms is its sweeps' time (what it measures). */
function runC(bin: string, N: number, sweeps: number, tol: number, dump: string, mode = "variational", init?: string): Run {
  const args = [`N=${N}`, `sweeps=${sweeps}`, `tol=${tol}`, `mode=${mode}`, "form=log1p", `dump=${dump}`, ...(init ? [`init=${init}`] : [])];
  const hasTime = existsSync("/usr/bin/time");
  const out = hasTime ? run("/usr/bin/time", ["-f", "maxrss_kb %M", bin, ...args], "softvi") : run(bin, args, "softvi");
  const kv = new Map(out.trim().split("\n").map((l) => [l.split(" ")[0]!, l.split(" ").slice(1).join(" ")] as const));
  const num = (k: string) => Number(kv.get(k));
  return {
    nsPerNnz: num("ns_per_nnz"),
    sweeps: num("sweeps"),
    totalMs: (num("ns_per_sweep") * num("sweeps")) / 1e6,
    peakMiB: hasTime ? num("maxrss_kb") / 1024 : NaN,
    V0: num("V0"),
    sumV: num("sumV"),
    V: readF64(dump),
    backupsPerState: num("sweeps"),
    threads: 1,
  };
}

/** `cai bench softvi` in a fresh process; `init`: its --init file; `kernel`: CAI_KERNEL for it (js, wasm). */
function runEngine(N: number, sweeps: number, tol: number, dump: string, schedule = "jacobi", threads = "auto", backup = "variational", init?: string, kernel?: string): Run {
  const args = [cli, "bench", "softvi", "--backup", backup, "--size", String(N), "--max-iter", String(sweeps), "--tol", String(tol), "--schedule", schedule, "--threads", threads, "--dump", dump, "--json"];
  const out = run(process.execPath, init ? [...args, "--init", init] : args, "cai bench", kernel ? { ...process.env, CAI_KERNEL: kernel } : undefined);
  const j = JSON.parse(out) as Record<string, number>;
  return {
    nsPerNnz: j.ns_per_nnz!,
    sweeps: j.sweeps!,
    totalMs: j.total_ms!,
    peakMiB: j.peak_rss_mb!,
    V0: j.V0!,
    sumV: j.sumV!,
    V: readF64(dump),
    backupsPerState: j.backups_per_state!,
    threads: j.threads!,
    kernel: String(j.kernel ?? "js"),
  };
}

function readF64(path: string): Float64Array {
  const b = readFileSync(path);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
const relDiff = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), Number.MIN_VALUE);

/** Peak RSS of a child run under /usr/bin/time (its stderr line "maxrss_kb N"), NaN without it. */
const hasTimeBin = existsSync("/usr/bin/time");

/**
 * `cai solve FILE --gamma 0.99 --alpha 0.1 --json > out` in a fresh process: wall clock from spawn
 * to exit (ms), peak RSS (MiB), and the V it printed.
 */
function runSolveCommand(file: string, out: string): { ms: number; peakMiB: number; V: Float64Array; occupancySum: number; elbo: unknown } {
  const fd = openSync(out, "w");
  const args = [cli, "solve", file, "--gamma", "0.99", "--alpha", "0.1", "--json"];
  const t = performance.now();
  const r = hasTimeBin
    ? spawnSync("/usr/bin/time", ["-f", "maxrss_kb %M", process.execPath, ...args], { stdio: ["ignore", fd, "pipe"], encoding: "utf8" })
    : spawnSync(process.execPath, args, { stdio: ["ignore", fd, "pipe"], encoding: "utf8" });
  const ms = performance.now() - t;
  closeSync(fd);
  if (r.status !== 0) throw new Error(`cai solve ${file} failed (status ${r.status}): ${r.stderr || r.error?.message}`);
  const rss = /maxrss_kb (\d+)/.exec(r.stderr ?? "");
  const j = JSON.parse(readFileSync(out, "utf8")) as { V: number[]; occupancy: number[] | null; elbo: unknown };
  rmSync(out, { force: true });
  let occupancySum = NaN;
  if (j.occupancy) occupancySum = j.occupancy.reduce((a, b) => a + b, 0);
  return { ms, peakMiB: rss ? Number(rss[1]) / 1024 : NaN, V: Float64Array.from(j.V), occupancySum, elbo: j.elbo };
}

/**
 * In a fresh process, through the API: the open N x N lake built in memory, then `solve` with
 * diagnostics off, with the defaults (diagnostics on, computed when first read: not read here), and
 * with the defaults reading the ELBO and occupancy (each reads the policy), `reps` times each,
 * interleaved. Returns ms.
 */
function runDiagnosticsCost(N: number, reps: number, scriptFile: string): { off: number[]; lazy: number[]; on: number[] } {
  const script = `import { frozenLakeOpen, solve } from ${JSON.stringify(join(root, "dist/src/index.js"))};
const mdp = frozenLakeOpen(${N});
const off = [], lazy = [], on = [];
for (let i = 0; i < ${reps}; i++) {
  let t = performance.now();
  let r = solve(mdp, { gamma: 0.99, alpha: 0.1, diagnostics: false });
  void r.policy[0];
  off.push(performance.now() - t);
  t = performance.now();
  r = solve(mdp, { gamma: 0.99, alpha: 0.1 });
  void r.policy[0];
  lazy.push(performance.now() - t);
  t = performance.now();
  r = solve(mdp, { gamma: 0.99, alpha: 0.1 });
  void r.policy[0];
  if (r.elbo === null || r.occupancy === null) throw new Error("diagnostics missing");
  on.push(performance.now() - t);
}
process.stdout.write(JSON.stringify({ off, lazy, on }));`;
  // A file, not --input-type=module -e: worker threads inherit the flag and cannot start their code.
  writeFileSync(scriptFile, script);
  return JSON.parse(run(process.execPath, [scriptFile], "solve with and without diagnostics")) as { off: number[]; lazy: number[]; on: number[] };
}

const results: Record<string, unknown> = {};
const lines: string[] = [];
const say = (s = "") => {
  lines.push(s);
  process.stdout.write(s + "\n");
};
const verdicts: string[] = [];
const verdict = (ok: boolean, what: string) => {
  verdicts.push(`${ok ? "met    " : "NOT met"}  ${what}`);
};

// ---------------------------------------------------------------- set-up
if (!existsSync(refSource)) {
  process.stderr.write(`bench: the C reference ${refSource} is missing (run the bench from a full checkout of the repository)\n`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "cai-bench-"));
try {
  const bin = join(dir, "softvi");
  run("cc", ["-O3", "-march=native", "-o", bin, refSource, "-lm"], "cc -O3 -march=native softvi.c");
  say(`control-as-inference bench: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  say(`C reference: test/bench/ref/softvi.c, built with cc -O3 -march=native`);
  say(`medians over the repetitions, [min, max]; every run in a fresh process, engine and C interleaved`);
  const f = (name: string) => join(dir, name);

  // ------------------------------------------------------------ per sweep and time to tolerance
  for (const N of sizes) {
    const fixed = N >= 1000 ? 100 : N >= 300 ? 300 : 1000;
    say("");
    say(`== N = ${N}: ${N * N} states, ${12 * (N * N - 1) + 4} nonzeros; alpha 0.1, gamma 0.99, KL to uniform`);
    const c: Run[] = [];
    const e: Run[] = [];
    for (let i = 0; i < reps; i++) {
      c.push(runC(bin, N, fixed, 0, f("c.f64")));
      e.push(runEngine(N, fixed, 0, f("e.f64")));
    }
    const agreeSum = relDiff(e[0]!.sumV, c[0]!.sumV);
    const agreeV = maxAbsDiff(e[0]!.V, c[0]!.V);
    const ratio = median(e.map((r) => r.nsPerNnz)) / median(c.map((r) => r.nsPerNnz));
    const transitionBytes = (N * N * 4 + 1) * 4 + (12 * (N * N - 1) + 4) * (4 + 8 + 8 + 1);
    const valueBytes = 2 * N * N * 8; // V and Vn, what the C reference holds
    const qBytes = N * N * 4 * 8; // Q, which the engine keeps (its residual is max |dQ|) and returns
    const peakE = median(e.map((r) => r.peakMiB));
    const memRatio = (peakMiB: number) => (peakMiB * 1048576) / (transitionBytes + valueBytes);
    const memRatioQ = (peakMiB: number) => (peakMiB * 1048576) / (transitionBytes + valueBytes + qBytes);
    say(`per sweep, ${fixed} Jacobi sweeps from V = 0 (tol 0):`);
    say(`  engine   ns/nnz ${stat(e.map((r) => r.nsPerNnz))}  peak RSS MiB ${stat(e.map((r) => r.peakMiB))}  threads ${e[0]!.threads}`);
    say(`  C        ns/nnz ${stat(c.map((r) => r.nsPerNnz))}  peak RSS MiB ${stat(c.map((r) => r.peakMiB))}`);
    say(`  engine / C per sweep: ${fmt(ratio)}   agreement: |d sumV| / sumV ${fmt(agreeSum)}, max |dV| ${fmt(agreeV)}`);
    say(
      `  peak memory / (transition arrays + V, Vn): ${fmt(memRatio(peakE))} (transition arrays ${fmt(transitionBytes / 1048576)} MiB, V and Vn ${fmt(valueBytes / 1048576)} MiB; ` +
        `${fmt(memRatioQ(peakE))} counting Q too); C: ${fmt(memRatio(median(c.map((r) => r.peakMiB))))}; engine / C peak RSS: ${fmt(peakE / median(c.map((r) => r.peakMiB)))}`,
    );
    if (agreeSum > 1e-9 || agreeV > 1e-9) verdict(false, `N = ${N}: engine and C agree after ${fixed} sweeps`);

    // Every backup fast: the exact and hard backups per sweep against the variational one on the
    // same table (same sweeps from V = 0), and the exact backup against C's exact mode (z-space).
    const ex: Run[] = [];
    const hd: Run[] = [];
    const cx: Run[] = [];
    for (let i = 0; i < reps; i++) {
      ex.push(runEngine(N, fixed, 0, f("ex.f64"), "jacobi", "auto", "exact"));
      hd.push(runEngine(N, fixed, 0, f("hd.f64"), "jacobi", "auto", "hard"));
      cx.push(runC(bin, N, fixed, 0, f("cx.f64"), "exact"));
    }
    const vNs = median(e.map((r) => r.nsPerNnz));
    const exRatio = median(ex.map((r) => r.nsPerNnz)) / vNs;
    const hdRatio = median(hd.map((r) => r.nsPerNnz)) / vNs;
    const exAgree = { sum: relDiff(ex[0]!.sumV, cx[0]!.sumV), v: maxAbsDiff(ex[0]!.V, cx[0]!.V) };
    say(`every backup, ${fixed} Jacobi sweeps from V = 0:`);
    say(`  engine exact  ns/nnz ${stat(ex.map((r) => r.nsPerNnz))}  exact / variational ${fmt(exRatio)} [${fmt(Math.min(...ex.map((r) => r.nsPerNnz)) / vNs)}, ${fmt(Math.max(...ex.map((r) => r.nsPerNnz)) / vNs)}]`);
    say(`  engine hard   ns/nnz ${stat(hd.map((r) => r.nsPerNnz))}  hard / variational ${fmt(hdRatio)} [${fmt(Math.min(...hd.map((r) => r.nsPerNnz)) / vNs)}, ${fmt(Math.max(...hd.map((r) => r.nsPerNnz)) / vNs)}]`);
    say(`  C exact (z)   ns/nnz ${stat(cx.map((r) => r.nsPerNnz))}  C exact / C variational ${fmt(median(cx.map((r) => r.nsPerNnz)) / median(c.map((r) => r.nsPerNnz)))}; engine exact / C exact ${fmt(median(ex.map((r) => r.nsPerNnz)) / median(cx.map((r) => r.nsPerNnz)))}`);
    say(`  engine exact vs C exact: |d sumV| / sumV ${fmt(exAgree.sum)}, max |dV| ${fmt(exAgree.v)}`);
    verdict(exRatio <= 1.3, `N = ${N}: exact backup per sweep <= 1.3 x the variational backup: ${fmt(exRatio)}`);
    verdict(hdRatio <= 1.3, `N = ${N}: hard backup per sweep <= 1.3 x the variational backup: ${fmt(hdRatio)}`);
    if (exAgree.sum > 1e-9 || exAgree.v > 1e-9) verdict(false, `N = ${N}: engine exact and C exact agree after ${fixed} sweeps`);
    if (N === 1000) {
      verdict(ratio <= 1, `per sweep at N = 1000, engine / C <= 1.0: ${fmt(ratio)}`);
      verdict(memRatio(peakE) <= 1.5, `peak memory at N = 1000 (Jacobi) <= 1.5 x (transition arrays + V, Vn): ${fmt(memRatio(peakE))} (${fmt(peakE)} MiB)`);
    }

    const tr = N >= 1000 ? Math.min(tolReps, 2) : tolReps;
    const ct: Run[] = [];
    const ej: Run[] = [];
    const ep: Run[] = [];
    for (let i = 0; i < tr; i++) {
      ct.push(runC(bin, N, 100_000, 1e-10, f("ct.f64")));
      // The engine's --tol is a distance to the fixed point (its error bound gamma / (1 - gamma) x
      // max |dQ|): prioritised guarantees 1e-10; the Jacobi run stops, as C does, on max |dQ| <= 1e-10
      // (tol 1e-10 x gamma / (1 - gamma)), so that it is C's iteration, sweep for sweep.
      ep.push(runEngine(N, 100_000, 1e-10, f("ep.f64"), "prioritised"));
      if (i === 0) ej.push(runEngine(N, 100_000, (1e-10 * 0.99) / 0.01, f("ej.f64"), "jacobi"));
    }
    // A tightly converged fixed point (the engine at rounding level), checked against C at N <= 300.
    const star = runEngine(N, 100_000, 1e-15, f("star.f64"), "prioritised");
    let starCheck = "";
    if (N <= 300) {
      const cStar = runC(bin, N, 100_000, 1e-15, f("cstar.f64"));
      starCheck = `; it agrees with C run to 1e-15 within max |dV| ${fmt(maxAbsDiff(star.V, cStar.V))}`;
    }
    const err = (r: Run) => maxAbsDiff(r.V, star.V);

    // Per sweep on converged values (the real workload: the sweeps near the end of a solve, where
    // every action's expm1/log1p is a real one, not the cheap Taylor branch of the first sweeps from
    // V = 0): C and the engine both start from V* and run the same `fixed` Jacobi sweeps (tol 0).
    const cc: Run[] = [];
    const ecByKernel = new Map<string, Run[]>(CONVERGED_KERNELS.map((k) => [k, []]));
    for (let i = 0; i < reps; i++) {
      cc.push(runC(bin, N, fixed, 0, f("cc.f64"), "variational", f("star.f64")));
      for (const k of CONVERGED_KERNELS) ecByKernel.get(k)!.push(runEngine(N, fixed, 0, f(`ec-${k}.f64`), "jacobi", "auto", "variational", f("star.f64"), k));
    }
    const cNs = median(cc.map((r) => r.nsPerNnz));
    say(`per sweep on converged values, ${fixed} Jacobi sweeps from V* (tol 0; C init=, engine --init):`);
    say(`  C              ns/nnz ${stat(cc.map((r) => r.nsPerNnz))}`);
    const convergedResults: Record<string, unknown> = { sweeps: fixed, cNsPerNnz: cc.map((r) => r.nsPerNnz) };
    for (const k of CONVERGED_KERNELS) {
      const runs = ecByKernel.get(k)!;
      const ns = runs.map((r) => r.nsPerNnz);
      const r = median(ns) / cNs;
      const agree = { sum: relDiff(runs[0]!.sumV, cc[0]!.sumV), v: maxAbsDiff(runs[0]!.V, cc[0]!.V) };
      const ran = [...new Set(runs.map((x) => x.kernel))].join(",");
      say(`  engine ${k.padEnd(7)} ns/nnz ${stat(ns)}  threads ${runs[0]!.threads}, kernel ran: ${ran}  engine / C ${fmt(r)} [${fmt(Math.min(...ns) / cNs)}, ${fmt(Math.max(...ns) / cNs)}]  agreement: |d sumV| / sumV ${fmt(agree.sum)}, max |dV| ${fmt(agree.v)}`);
      if (agree.sum > 1e-9 || agree.v > 1e-9) verdict(false, `N = ${N}: engine (${k} kernel) and C agree after ${fixed} sweeps from V*`);
      convergedResults[k] = { nsPerNnz: ns, ratio: r, kernelRan: ran, agreeSum: agree.sum, agreeV: agree.v };
    }
    // The verdict is for what users get: the engine's default kernel choice.
    const def = ecByKernel.get(CONVERGED_KERNELS[0]!)!;
    const defRatio = median(def.map((r) => r.nsPerNnz)) / cNs;
    verdict(defRatio <= 1, `target 5: per sweep on converged values at N = ${N}, engine (default kernel: ${def[0]!.kernel}) / C <= 1.0: ${fmt(defRatio)}`);
    convergedResults.defaultRatio = defRatio;
    const tC = median(ct.map((r) => r.totalMs));
    const tP = median(ep.map((r) => r.totalMs));
    // The same answer from different schedules: at tolerance 1e-14 both runs are within about
    // 1e-14 gamma / (1 - gamma) = 1e-12 of V*, so they must agree to 1e-9 in sum of V (over up to
    // 10^6 states) and in max |dV|. C has no stall test: at most 5000 sweeps.
    const tight = 1e-14;
    const ct13: Run[] = [];
    const ep13: Run[] = [];
    for (let i = 0; i < (N >= 1000 ? 1 : tr); i++) {
      ct13.push(runC(bin, N, 5000, tight, f("ct13.f64")));
      ep13.push(runEngine(N, 100_000, tight, f("ep13.f64"), "prioritised"));
    }
    say(`time to tolerance 1e-10 (C and engine Jacobi: max |dV|, max |dQ| below 1e-10; engine prioritised: error bound gamma / (1 - gamma) x max |dQ| <= 1e-10), whole solve for the engine, sweeps only for C:`);
    say(`  C Jacobi              ms ${stat(ct.map((r) => r.totalMs))}  sweeps ${ct[0]!.sweeps}  V0 ${ct[0]!.V0.toExponential(12)}  sumV ${ct[0]!.sumV}  max |V - V*| ${fmt(err(ct[0]!))}`);
    say(`  engine Jacobi         ms ${stat(ej.map((r) => r.totalMs))}  sweeps ${ej[0]!.sweeps}  V0 ${ej[0]!.V0.toExponential(12)}  sumV ${ej[0]!.sumV}  max |V - V*| ${fmt(err(ej[0]!))}`);
    say(`  engine prioritised    ms ${stat(ep.map((r) => r.totalMs))}  full sweeps ${ep[0]!.sweeps}, backups per state ${fmt(ep[0]!.backupsPerState)}  sumV ${ep[0]!.sumV}  max |V - V*| ${fmt(err(ep[0]!))}`);
    const v0rel = relDiff(ej[0]!.V0, ct[0]!.V0);
    say(`  engine Jacobi vs C: V0 relative ${fmt(v0rel)}, |d sumV| / sumV ${fmt(relDiff(ej[0]!.sumV, ct[0]!.sumV))}, max |dV| ${fmt(maxAbsDiff(ej[0]!.V, ct[0]!.V))}`);
    say(`  engine prioritised vs C: |d sumV| / sumV ${fmt(relDiff(ep[0]!.sumV, ct[0]!.sumV))}, max |dV| ${fmt(maxAbsDiff(ep[0]!.V, ct[0]!.V))} (two iterations stopped at 1e-10 differ by up to about 1e-10 gamma / (1 - gamma))`);
    say(`  V* = engine prioritised at tol 1e-15 (${star.sweeps} full sweeps${starCheck})`);
    say(`  time to tolerance, engine prioritised / C Jacobi: ${fmt(tP / tC)}; engine Jacobi / C Jacobi: ${fmt(median(ej.map((r) => r.totalMs)) / tC)}`);
    const tC13 = median(ct13.map((r) => r.totalMs));
    const tP13 = median(ep13.map((r) => r.totalMs));
    const same13 = { sum: relDiff(ep13[0]!.sumV, ct13[0]!.sumV), v: maxAbsDiff(ep13[0]!.V, ct13[0]!.V) };
    say(`time to tolerance ${tight} (the same answer from both schedules):`);
    say(`  C Jacobi              ms ${stat(ct13.map((r) => r.totalMs))}  sweeps ${ct13[0]!.sweeps}  sumV ${ct13[0]!.sumV}  max |V - V*| ${fmt(err(ct13[0]!))}`);
    say(`  engine prioritised    ms ${stat(ep13.map((r) => r.totalMs))}  full sweeps ${ep13[0]!.sweeps}, backups per state ${fmt(ep13[0]!.backupsPerState)}  sumV ${ep13[0]!.sumV}  max |V - V*| ${fmt(err(ep13[0]!))}  peak RSS MiB ${fmt(ep13[0]!.peakMiB)}`);
    say(`  engine prioritised vs C: |d sumV| / sumV ${fmt(same13.sum)}, max |dV| ${fmt(same13.v)}; engine / C: ${fmt(tP13 / tC13)}`);
    const peakP = median(ep.map((r) => r.peakMiB));
    say(`  peak memory of the prioritised runs / (transition arrays + V, Vn): ${fmt(memRatio(peakP))} (${fmt(peakP)} MiB; ${fmt(memRatioQ(peakP))} counting Q too)`);
    if (N === 1000) {
      verdict(tP / tC <= 0.5 && err(ep[0]!) <= err(ct[0]!), `time to tolerance 1e-10 at N = 1000, engine / C Jacobi <= 0.5 with an answer at least as close to V*: ${fmt(tP / tC)}, max |V - V*| ${fmt(err(ep[0]!))} vs C ${fmt(err(ct[0]!))}`);
      verdict(tP13 / tC13 <= 0.5 && same13.sum <= 1e-9 && same13.v <= 1e-9, `time to tolerance ${tight} at N = 1000, engine / C Jacobi <= 0.5 with the same answer (sum of V and max |dV| within 1e-9): ${fmt(tP13 / tC13)}, ${fmt(same13.sum)}, ${fmt(same13.v)}`);
      verdict(memRatio(peakP) <= 1.5, `peak memory at N = 1000 (prioritised) <= 1.5 x (transition arrays + V, Vn): ${fmt(memRatio(peakP))} (${fmt(peakP)} MiB)`);
    }
    if (N === 300) verdict(v0rel <= 1e-9, `V[0] at N = 300 (engine Jacobi vs C log1p form, same sweeps) within 1e-9 relative: ${fmt(v0rel)}`);

    // End to end (targets 1 and 2): the command a user runs, on the files the bench writes.
    const lake = frozenLakeOpen(N);
    const files: { format: string; path: string }[] = [];
    const npzPath = f(`open${N}.npz`);
    writeFileSync(npzPath, mdpToNpz(lake));
    let jsonBytes = 0;
    const jsonPath = f(`open${N}.json`);
    {
      const fd = openSync(jsonPath, "w");
      try {
        writeMdpChunks(lake, "gymnasium", (chunk) => {
          jsonBytes += Buffer.byteLength(chunk);
          if (jsonBytes <= 512 * 1024 * 1024) writeSync(fd, chunk);
        });
      } finally {
        closeSync(fd);
      }
    }
    if (jsonBytes <= 512 * 1024 * 1024) files.push({ format: "P JSON", path: jsonPath });
    else rmSync(jsonPath, { force: true });
    files.push({ format: "CSR .npz", path: npzPath });
    const e2eResults: Record<string, unknown> = {};
    say(`end to end: cai solve FILE --gamma 0.99 --alpha 0.1 --json > out.json (fresh process, spawn to exit; ELBO and occupancy in the output):`);
    if (jsonBytes > 512 * 1024 * 1024) say(`  P JSON would be ${fmt(jsonBytes / 1048576)} MiB, above the 512 MiB input limit: .npz only`);
    // The reference: below N = 1000, C's time to 1e-10 run again here, interleaved with the
    // commands (C, then each file, rep by rep), so that a slow or fast phase of the machine meets
    // both sides of the ratio; at N = 1000 (35 s a C run) the time-to-tolerance stage's runs above.
    const byFormat = new Map(files.map(({ format }) => [format, [] as ReturnType<typeof runSolveCommand>[]]));
    const cE2e: Run[] = [];
    // At least 5 reps below N = 1000 (about 8 s each at N = 300): one slow run moves a median of 3 too far.
    const e2eReps = N < 1000 ? Math.max(tr, 5) : tr;
    for (let i = 0; i < e2eReps; i++) {
      if (N < 1000) cE2e.push(runC(bin, N, 100_000, 1e-10, f("ce2e.f64")));
      for (const { format, path } of files) byFormat.get(format)!.push(runSolveCommand(path, f("out.json")));
    }
    const tCe2e = N < 1000 ? median(cE2e.map((r) => r.totalMs)) : tC;
    if (N < 1000) say(`  C Jacobi to 1e-10, interleaved with the commands: ms ${stat(cE2e.map((r) => r.totalMs))}`);
    for (const { format, path } of files) {
      const runs = byFormat.get(format)!;
      const ms = runs.map((r) => r.ms);
      const ratioE2e = median(ms) / tCe2e;
      const errE2e = maxAbsDiff(runs[0]!.V, star.V);
      say(`  ${format.padEnd(9)} (${fmt(readFileSync(path).length / 1048576)} MiB)  ms ${stat(ms)}  peak RSS MiB ${fmt(median(runs.map((r) => r.peakMiB)))}  / C's time to 1e-10: ${fmt(ratioE2e)}  max |V - V*| ${fmt(errE2e)} (C ${fmt(err(ct[0]!))}); sum of occupancy ${fmt(runs[0]!.occupancySum)} (1 / (1 - gamma) = 100 less what reaches the goal)`);
      verdict(ratioE2e <= 0.5 && errE2e <= err(ct[0]!), `target 1: cai solve end to end at N = ${N} (${format}) <= 0.5 x C's time to 1e-10, answer at least as close to V*: ${fmt(ratioE2e)}, max |V - V*| ${fmt(errE2e)} vs C ${fmt(err(ct[0]!))}`);
      e2eResults[format] = { ms, peakMiB: runs.map((r) => r.peakMiB), ratio: ratioE2e, cMs: N < 1000 ? cE2e.map((r) => r.totalMs) : ct.map((r) => r.totalMs), err: errE2e, errC: err(ct[0]!), fileMiB: readFileSync(path).length / 1048576 };
    }
    rmSync(npzPath, { force: true });
    rmSync(jsonPath, { force: true });
    // Interleaved, at least 4 of each: one slow run under load moves a median of 2 by half the gap.
    const dc = runDiagnosticsCost(N, Math.max(tr, 4), f("diagnostics-cost.mjs"));
    const diagShare = (median(dc.lazy) - median(dc.off)) / median(dc.off);
    const readShare = (median(dc.on) - median(dc.off)) / median(dc.off);
    const readShareMin = (Math.min(...dc.on) - Math.min(...dc.off)) / Math.min(...dc.off);
    say(`  through the API (in memory, fresh process): solve ms ${stat(dc.off)} with diagnostics off; ${stat(dc.lazy)} with the defaults (diagnostics computed on first read, not read); ${stat(dc.on)} reading the ELBO and occupancy`);
    say(`  diagnostics / solve: ${fmt(diagShare)} as solve returns them (computed only when asked); ${fmt(readShare)} when read (of the fastest runs: ${fmt(readShareMin)})`);
    verdict(diagShare <= 0.2, `target 2: diagnostics at N = ${N} cost <= 20% of the solve (computed only when asked): ${fmt(100 * diagShare)}%`);
    e2eResults.diagnostics = { offMs: dc.off, lazyMs: dc.lazy, onMs: dc.on, share: diagShare, shareWhenRead: readShare, shareWhenReadOfFastest: readShareMin };
    results[`N${N}e2e`] = e2eResults;
    results[`N${N}`] = {
      perSweepConverged: convergedResults,
      perSweep: { sweeps: fixed, engineNsPerNnz: e.map((r) => r.nsPerNnz), cNsPerNnz: c.map((r) => r.nsPerNnz), ratio, enginePeakMiB: e.map((r) => r.peakMiB), cPeakMiB: c.map((r) => r.peakMiB), agreeSum, agreeV },
      toTolerance: {
        cMs: ct.map((r) => r.totalMs),
        cSweeps: ct[0]!.sweeps,
        engineJacobiMs: ej.map((r) => r.totalMs),
        engineJacobiSweeps: ej[0]!.sweeps,
        enginePrioritisedMs: ep.map((r) => r.totalMs),
        enginePrioritisedSweeps: ep[0]!.sweeps,
        enginePrioritisedBackupsPerState: ep[0]!.backupsPerState,
        errC: err(ct[0]!),
        errEngineJacobi: err(ej[0]!),
        errEnginePrioritised: err(ep[0]!),
        V0: { c: ct[0]!.V0, engineJacobi: ej[0]!.V0, relative: v0rel },
        enginePrioritisedPeakMiB: ep.map((r) => r.peakMiB),
      },
      sameAnswer: {
        tol: tight,
        cMs: ct13.map((r) => r.totalMs),
        cSweeps: ct13[0]!.sweeps,
        enginePrioritisedMs: ep13.map((r) => r.totalMs),
        enginePrioritisedSweeps: ep13[0]!.sweeps,
        sumRelative: same13.sum,
        maxAbsDV: same13.v,
        ratio: tP13 / tC13,
      },
    };
  }

  // ------------------------------------------------------------ loading a 100k-state P JSON
  say("");
  const big = frozenLakeOpen(317); // 100489 states, 1.2 million entries
  const bigFile = f("frozenlake-open-317.json");
  writeFileSync(bigFile, writeMdp(big, "gymnasium"));
  const loadScript = `import { readMdpFile } from ${JSON.stringify(join(root, "dist/src/index.js"))}; const t = performance.now(); const m = readMdpFile(${JSON.stringify(bigFile)}); process.stdout.write(String(performance.now() - t) + " " + m.nStates);`;
  const loads: number[] = [];
  for (let i = 0; i < reps; i++) loads.push(Number(run(process.execPath, ["--input-type=module", "-e", loadScript], "load P JSON").split(" ")[0]));
  const mb = readFileSync(bigFile).length / 1e6;
  say(`loading a Gymnasium P JSON of ${big.nStates} states (${fmt(mb)} MB, readMdpFile, validated), ms: ${stat(loads)}`);
  verdict(median(loads) < 2000, `100k-state P JSON loads in under 2 s: ${fmt(median(loads))} ms`);

  // ------------------------------------------------------------ cai solve cold start
  const small = f("frozenlake-4x4.json");
  writeFileSync(small, writeMdp(frozenLake(), "gymnasium"));
  const cold: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    run(process.execPath, [cli, "solve", small, "--gamma", "0.9", "--json"], "cai solve");
    cold.push(performance.now() - t);
  }
  say(`cai solve FrozenLake 4x4 --gamma 0.9 --json, cold start to exit, ms: ${stat(cold)}`);
  verdict(median(cold) < 300, `cai solve on a small file in under 0.3 s: ${fmt(median(cold))} ms`);

  // ------------------------------------------------------------ finite horizon, exact, H = 1000
  const lake8 = frozenLake({ map: "8x8" });
  const fin: number[] = [];
  const finDiag: number[] = [];
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    solve(lake8, { backup: "exact", horizon: 1000, alpha: 1, diagnostics: false });
    fin.push(performance.now() - t);
    t = performance.now();
    const r = solve(lake8, { backup: "exact", horizon: 1000, alpha: 1 });
    // The diagnostics are computed on first read: read them.
    if (r.logZ === null || r.elbo === null || r.occupancy === null) throw new Error("finite-horizon diagnostics missing");
    finDiag.push(performance.now() - t);
  }
  say(`finite horizon, exact backup, H = 1000, FrozenLake 8x8 (in process): ms ${stat(fin)}; reading log Z, ELBO and occupancy (computed on first read) ${stat(finDiag)}`);
  results.misc = { loadMs: loads, loadMB: mb, coldStartMs: cold, finiteExactH1000Ms: fin, finiteExactH1000DiagnosticsMs: finDiag };

  // ------------------------------------------------------------ scale: N = 2000 from a CSR .npz
  if (scaleN > 0) {
    say("");
    const nS = scaleN * scaleN;
    const nnz = 12 * (nS - 1) + 4;
    const transitionMiB = tableBytes(4 * nS, nnz) / 1048576;
    const big = f(`open${scaleN}.npz`);
    // Written by a child process (the table and its .npz bytes are several GiB there), freed before the run.
    run(process.execPath, ["--input-type=module", "-e", `import { frozenLakeOpen, mdpToNpz } from ${JSON.stringify(join(root, "dist/src/index.js"))}; import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(big)}, mdpToNpz(frozenLakeOpen(${scaleN})));`], "write the scale .npz");
    const hasTime = existsSync("/usr/bin/time");
    const t0 = performance.now();
    const out = hasTime
      ? run("/usr/bin/time", ["-f", "maxrss_kb %M", process.execPath, cli, "solve", big, "--gamma", "0.99", "--alpha", "0.1"], "cai solve (scale)")
      : run(process.execPath, [cli, "solve", big, "--gamma", "0.99", "--alpha", "0.1"], "cai solve (scale)");
    const seconds = (performance.now() - t0) / 1000;
    const peakMiB = hasTime ? Number(/maxrss_kb (\d+)/.exec(out)?.[1]) / 1024 : NaN;
    const sweeps = /converged after (\d+) sweeps/.exec(out)?.[1] ?? "?";
    say(`== scale: cai solve open${scaleN}.npz --gamma 0.99 --alpha 0.1 (the default text output, ELBO and occupancy included): ${nS} states, ${nnz} entries, a ${fmt(statSync(big).size / 1048576)} MiB CSR .npz`);
    say(`  wall ${fmt(seconds)} s (load, solve to 1e-10, diagnostics, output), ${sweeps} full sweeps; peak RSS ${fmt(peakMiB)} MiB = ${fmt(peakMiB / transitionMiB)} x the transition arrays (${fmt(transitionMiB)} MiB)`);
    verdict(peakMiB <= 1.5 * transitionMiB, `N = ${scaleN} from a file: peak <= 1.5 x the transition arrays: ${fmt(peakMiB / transitionMiB)} (${fmt(peakMiB)} MiB, ${fmt(seconds)} s)`);
    results.scale = { N: scaleN, states: nS, entries: nnz, seconds, peakMiB, transitionMiB };
    rmSync(big, { force: true });
  }

  say("");
  say(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(" ")} (other processes share the ${availableParallelism()} cores)`);
  say("targets:");
  for (const v of verdicts) say(`  ${v}`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ when: new Date().toISOString(), node: process.version, cores: availableParallelism(), results, verdicts }, null, 1));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
