/**
 * The WebAssembly sweep kernel (value space and the exact backup's exp space): wasm/sweep.ts, compiled by `npm run build`
 * (scripts/build-wasm.mjs, AssemblyScript with SIMD and shared memory) to sweep.wasm beside this
 * module's compiled file, read with a path relative to the module (so an installed package finds
 * it in its own dist), compiled once per process.
 *
 * Which kernel sweeps is chosen per solve (sweeper.ts): the environment variable `CAI_KERNEL`
 * forces one, `js` (the typed-array kernel of sweep-core.ts, the tested fallback) or `wasm` (a
 * RunError when the module cannot be loaded); unset or `auto`, the engine takes the kernel measured
 * faster for the job ({@link kernelFor}). Outside Node.js (a browser bundle) the JS kernel runs.
 */
import { nodeBuiltin, readBeside } from "../../host.js";
import { ParameterError, RunError } from "../../errors.js";

/** The kernel's exports (wasm/sweep.ts). */
export interface WasmKernel {
  sweepRange(
    m: number,
    rowStart: number,
    packed: number,
    rel: number,
    relative: number,
    bits: number,
    mask: number,
    dense: number,
    coef: number,
    rowIndex: number,
    rowIndexWidth: number,
    rowTable: number,
    zeroFrom: number,
    semiring: number,
    up: number,
    lmc: number,
    probs: number,
    logMass: number,
    alpha: number,
    Q: number,
    lo: number,
    hi: number,
    descending: number,
    V: number,
    Vw: number,
    out: number,
    hotCut: number,
  ): void;
  /** The exact backup's exp-space sweep (sweep-core.ts sweepRangeExpWasm gives the arguments). */
  sweepRangeExp(...args: number[]): void;
}

export const KERNEL_CHOICES = ["auto", "js", "wasm"] as const;
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

/**
 * Whether "auto" takes the WebAssembly kernel where it can (value space, tables of at least
 * {@link WASM_MIN_ENTRIES} entries). Set from `npm run bench`'s per-sweep stage on converged values
 * (README, Performance): per sweep the WebAssembly kernel took 0.6-0.75 x the JavaScript kernel's time.
 */
export const AUTO_WASM = true;

/**
 * Below this many transition entries "auto" sweeps in JavaScript: opening the WebAssembly memory
 * and copying the table into it costs about 0.3 ms per solve, more than the faster sweeps save on
 * tables of about a thousand entries (FrozenLake 8x8 solves in 0.7 ms).
 */
export const WASM_MIN_ENTRIES = 1 << 12;

/** CAI_KERNEL, checked: a typed error naming the variable for anything but auto, js, wasm. */
export function kernelChoice(): KernelChoice {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.CAI_KERNEL;
  if (v === undefined || v === "") return "auto";
  if (!(KERNEL_CHOICES as readonly string[]).includes(v)) throw new ParameterError("CAI_KERNEL", `"${v}" is not one of ${KERNEL_CHOICES.join(", ")}`);
  return v as KernelChoice;
}

/**
 * The kernel the fused sweeps of a table of `nnz` entries run on under the current CAI_KERNEL:
 * "wasm" when forced, or chosen by "auto" ({@link AUTO_WASM}, at least {@link WASM_MIN_ENTRIES}
 * entries, the module loaded), else "js". Value space (variational, hard) and exp space (exact)
 * both have a WebAssembly kernel (wasm/sweep.ts sweepRange and sweepRangeExp).
 */
export function kernelFor(nnz: number): "js" | "wasm" {
  const choice = kernelChoice();
  if (choice === "js") return "js";
  if (choice === "wasm") return "wasm";
  return AUTO_WASM && nnz >= WASM_MIN_ENTRIES && wasmModule() !== null ? "wasm" : "js";
}

let cached: WebAssembly.Module | null | undefined;
let loadError = "";

/** The compiled module, or null (with the reason in {@link wasmUnavailableReason}) when it cannot be loaded. */
export function wasmModule(): WebAssembly.Module | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (nodeBuiltin("node:fs") === undefined || typeof WebAssembly === "undefined") {
    loadError = "WebAssembly files load under Node.js only";
    return null;
  }
  // dist/src/inference/kernels/wasm.js -> ./wasm/sweep.wasm; run from the sources (vitest), the
  // build's copy in dist; the bundled command line (dist/cai.js, scripts/build-cli.mjs), from dist.
  const bytes = readBeside(import.meta.url, ["./wasm/sweep.wasm", "../../../dist/src/inference/kernels/wasm/sweep.wasm", "./src/inference/kernels/wasm/sweep.wasm"]);
  if (bytes === null) {
    loadError = "sweep.wasm is missing (npm run build makes it)";
    return null;
  }
  try {
    cached = new WebAssembly.Module(bytes);
    return cached;
  } catch (e) {
    loadError = `sweep.wasm does not compile here: ${(e as Error).message}`;
    return null;
  }
}

/** Why {@link wasmModule} gave null. */
export function wasmUnavailableReason(): string {
  return loadError;
}

/** Pages of 64 KiB: the first is the module's own (AssemblyScript's static area); arrays follow. */
const PAGE = 65536;
/** 4 GiB of 32-bit addresses. */
const MAX_PAGES = 65536;

/** A shared WebAssembly.Memory with a bump allocator of typed arrays in it, and the kernel instantiated on it. */
export interface WasmArena {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  readonly kernel: WasmKernel;
  /** A zeroed typed array of `length` elements in the memory (8-byte aligned). */
  alloc<T extends Float64Array | Int32Array | Int16Array | Uint16Array | Uint8Array>(Ctor: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number }, length: number): T;
  /** Whether `a` lies in the memory (allocated by {@link alloc}). */
  owns(a: ArrayBufferView): boolean;
}

/**
 * A new arena for at most `maxBytes` bytes of arrays (the memory's maximum, reserved as address
 * space only: a bound that fits keeps many small solves from reserving 4 GiB each), or a RunError
 * saying why the kernel cannot run.
 */
export function openArena(maxBytes: number): WasmArena {
  const module = wasmModule();
  if (module === null) throw new RunError("wasm-unavailable", `CAI_KERNEL=wasm: ${wasmUnavailableReason()}`);
  const maxPages = 2 + Math.ceil(maxBytes / PAGE);
  if (maxPages > MAX_PAGES) throw new RunError("out-of-memory", `the WebAssembly kernel's arrays would exceed 4 GiB (CAI_KERNEL=js runs the JavaScript kernel)`);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: maxPages, shared: true });
  const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WasmKernel;
  let top = PAGE;
  const buffers = new Set<ArrayBufferLike>();
  return {
    memory,
    module,
    kernel,
    alloc(Ctor, length) {
      const bytes = Math.max(1, length) * Ctor.BYTES_PER_ELEMENT;
      const at = top;
      top += Math.ceil(bytes / 8) * 8;
      const have = memory.buffer.byteLength;
      if (top > have) {
        const pages = Math.ceil((top - have) / PAGE);
        if (have / PAGE + pages > maxPages) throw new Error(`WebAssembly arena: ${top} bytes exceed the bound of ${maxPages} pages`);
        memory.grow(pages);
      }
      const buffer = memory.buffer;
      buffers.add(buffer);
      return new Ctor(buffer, at, length);
    },
    owns(a) {
      return buffers.has(a.buffer);
    },
  };
}
