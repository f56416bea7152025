/**
 * Progress of long runs on a terminal: one line on stderr, rewritten in place at most every 200 ms,
 * erased at the end. Nothing at all when stderr is not a terminal (pipes, files, CI logs), and never
 * anything on stdout.
 */

/** What a sweep-by-sweep line shows. */
export interface SweepProgressOptions {
  /** The discount: the error bound gamma residual / (1 - gamma) is shown when gamma < 1. */
  readonly gamma: number;
  /** The tolerance on the residual the run stops at. */
  readonly tol: number;
  /** The sweep cap. */
  readonly maxIter: number;
  /** Where to write; @defaultValue stderr when it is a terminal, else nothing. */
  readonly write?: ((text: string) => void) | null;
  /** Milliseconds now; @defaultValue performance.now */
  readonly now?: () => number;
  /** Least milliseconds between two lines. @defaultValue 200 */
  readonly every?: number;
}

/**
 * A progress line for sweeps: "solve: sweep 412, residual 3.2e-7, error <= 3.2e-5, about 4 s left".
 * The time left extrapolates the residual's contraction over the last sweeps to the tolerance (or to
 * the sweep cap, whichever comes first). Returns undefined when there is nowhere to write.
 */
export function sweepProgress(label: string, o: SweepProgressOptions): { onSweep: (iteration: number, residual: number) => void; done: () => void } | undefined {
  const write = o.write === undefined ? (process.stderr.isTTY ? (t: string) => void process.stderr.write(t) : null) : o.write;
  if (write === null) return undefined;
  const now = o.now ?? (() => performance.now());
  const every = o.every ?? 200;
  const start = now();
  let last = -Infinity;
  let shown = false;
  let ref: { k: number; r: number; t: number } | undefined;
  return {
    onSweep(k, residual) {
      const t = now();
      if (!Number.isFinite(residual) || residual <= 0) return;
      if (ref === undefined) ref = { k, r: residual, t };
      if (t - last < every) return;
      last = t;
      let left = "";
      if (ref !== undefined && k > ref.k && residual < ref.r) {
        const perSweep = Math.log(residual / ref.r) / (k - ref.k); // log contraction per sweep (< 0)
        const msPerSweep = (t - ref.t) / (k - ref.k);
        const toTol = o.tol > 0 && residual > o.tol ? Math.log(o.tol / residual) / perSweep : 0;
        const sweepsLeft = Math.min(toTol, o.maxIter - k);
        if (sweepsLeft > 0) left = `, about ${formatSeconds((sweepsLeft * msPerSweep) / 1000)} left`;
      }
      const bound = o.gamma < 1 ? `, error <= ${((o.gamma * residual) / (1 - o.gamma)).toExponential(1)}` : "";
      write(`\r\x1b[K${label}: sweep ${k}, residual ${residual.toExponential(1)}${bound}${left} (${formatSeconds((t - start) / 1000)})`);
      shown = true;
    },
    done() {
      if (shown) write("\r\x1b[K");
    },
  };
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}
