/**
 * The Node.js built-ins the engine uses at its edges: file reading (mdp/read-source.ts), worker threads
 * (inference/kernels/sweeper.ts) and the lazy require of ml-matrix (solvers/ml-matrix.ts). They are
 * looked up when first needed through `process.getBuiltinModule` (Node 20.16 and later) rather than
 * imported, so that no module of the engine imports a `node:` built-in and the public API bundles
 * for the browser. In a browser every lookup gives `undefined`: `solve` then sweeps on the calling
 * thread (the plain path, with the same numbers), and reading files or loading ml-matrix throws.
 */
import type * as NodeFs from "node:fs";
import type * as NodeModule from "node:module";
import type * as NodeOs from "node:os";
import type * as NodeWorkerThreads from "node:worker_threads";

interface Builtins {
  "node:fs": typeof NodeFs;
  "node:module": typeof NodeModule;
  "node:os": typeof NodeOs;
  "node:worker_threads": typeof NodeWorkerThreads;
}

type Lookup = (id: string) => object | undefined;

/** A Node.js built-in module, or undefined outside Node.js. */
export function nodeBuiltin<K extends keyof Builtins>(id: K): Builtins[K] | undefined {
  const host = (globalThis as { process?: { getBuiltinModule?: Lookup } }).process;
  const lookup = host?.getBuiltinModule;
  return typeof lookup === "function" ? (lookup.call(host, id) as Builtins[K] | undefined) : undefined;
}

/** True when the engine runs under Node.js (worker threads and files are available). */
export function onNode(): boolean {
  return nodeBuiltin("node:worker_threads") !== undefined;
}

/**
 * Ask the JavaScript engine to collect garbage now, where it lets us (Node started with --expose-gc,
 * or the CLI, which exposes it at start-up); elsewhere nothing. The engine asks between the phases
 * of a large solve (the sweeps' compiled table and buffers, hundreds of MiB at millions of states,
 * are garbage before the diagnostics allocate theirs), so that the peak is the larger phase, not both.
 */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: unknown }).gc;
  if (typeof gc === "function") gc();
}

/**
 * The bytes of the first of `candidates` (paths relative to `base`, a module's import.meta.url)
 * that can be read, or null when none can or outside Node.js. The modules that ship a file beside
 * themselves (the WebAssembly kernel and number writer) list where it lies when they run compiled,
 * from the sources (vitest) and from the bundle (dist/cai.js).
 */
export function readBeside(base: string, candidates: readonly string[]): Uint8Array<ArrayBuffer> | null {
  const fs = nodeBuiltin("node:fs");
  if (fs === undefined) return null;
  for (const rel of candidates) {
    try {
      // (Reflect.construct: no CSS-like "url(" text in the browser bundle, which never gets here.)
      return fs.readFileSync(Reflect.construct(URL, [rel, base]) as URL);
    } catch {
      // not there: the next candidate
    }
  }
  return null;
}
