/**
 * Reading sources: files and standard input, under Node.js only (node:fs is looked up at run time,
 * src/host.ts); parseMdp (decode.ts) takes text anywhere.
 */
import type * as NodeFs from "node:fs";
import { CaiError, FileReadError, UnknownFormatError, UsageError } from "../errors.js";
import { escapeControl } from "../preview.js";
import { nodeBuiltin } from "../host.js";
import { parseMdp } from "./decode.js";
import { oneLine } from "./json.js";
import { isNpy } from "./npy.js";
import { isZip, openNpz } from "./npz.js";
import { mdpFromNpzArchive } from "./numpy-mdp.js";
import { fileErrorReason, peekBytes, readBytes, utf8, withFileSource } from "./read-bytes.js";
import { buildChecked, type MdpArrays, type TabularMdp } from "./tabular.js";
import { gymnasiumFromBytes, gymnasiumFromReader } from "./gymnasium-bytes.js";

/** Read a file (or standard input when `path` is "-") as UTF-8 text; a leading byte-order mark is dropped. */
export function readSource(path: string): string {
  const text = readSourceBytes(path).toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The bytes of a text source (a file, or standard input when `path` is "-"), with the checks of
 * {@link readSource}: at most MAX_INPUT_BYTES, no NUL byte, standard input read once.
 */
export function readSourceBytes(path: string, nul: "check" | "unchecked" = "check"): Buffer {
  const source = path === "-" ? "<stdin>" : path;
  let bytes: Buffer;
  if (path === "-") {
    // One guard for every command: a second "-" would read an empty stream ("the input is empty").
    if (stdinRead) throw new UsageError("standard input (-) can be read once: give at most one input as -");
    stdinRead = true;
  }
  try {
    bytes = path === "-" ? readStdin() : readFileBounded(path, nul === "check");
  } catch (e) {
    if (e instanceof CaiError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new FileReadError(source, fileErrorReason(err) ?? oneLine(err.message));
  }
  return bytes;
}

/** Whether standard input has been read (it can be read once per process). */
let stdinRead = false;

/** Forget that standard input was read (for a program that runs several commands in one process). */
export function resetStdinGuard(): void {
  stdinRead = false;
}

/**
 * Largest input read, in bytes: 512 MiB, about V8's longest string. A device or pipe that never
 * ends (/dev/zero, `yes |`) stops here instead of filling the memory.
 */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

/** Refuse text that holds a NUL byte (JSON and CSV never do): binary data or a device such as /dev/zero. */
function checkNoNul(chunk: Buffer, offset: number, source: string): void {
  const at = chunk.indexOf(0);
  if (at !== -1) throw new FileReadError(escapeControl(source), `a NUL byte at offset ${offset + at}: binary data, not text (JSON or CSV)`);
}

/**
 * Read a file whose size may be unknown (a device, a FIFO), at most MAX_INPUT_BYTES. A regular file
 * is read into one buffer of its size (one more byte tells whether it grew meanwhile), with no
 * chunks to copy and join.
 */
function readFileBounded(path: string, checkNul: boolean): Buffer {
  const f = fs();
  const fd = f.openSync(path, "r");
  try {
    const st = f.fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    if (st.isFile() && st.size > MAX_INPUT_BYTES) throw new FileReadError(escapeControl(path), `${st.size} bytes, larger than the limit of ${MAX_INPUT_BYTES} bytes (512 MiB)`);
    const first: Buffer[] = [];
    if (st.isFile() && st.size > 0) {
      const whole = Buffer.allocUnsafe(st.size + 1);
      let got = 0;
      for (;;) {
        const r = f.readSync(fd, whole, got, whole.length - got, null);
        if (r === 0) break;
        got += r;
        if (got === whole.length) break;
      }
      const bytes = whole.subarray(0, got);
      if (checkNul || got > st.size) checkNoNul(bytes, 0, path);
      if (got <= st.size) return bytes;
      first.push(bytes); // the file grew: read on in chunks
    }
    return readBounded(path, (buf) => f.readSync(fd, buf, 0, buf.length, null), first);
  } finally {
    f.closeSync(fd);
  }
}

/** Read chunks (after `first`, already checked) until `read` returns 0, refusing NUL bytes and more than MAX_INPUT_BYTES. */
function readBounded(source: string, read: (buf: Buffer) => number, first: Buffer[] = []): Buffer {
  const chunks: Buffer[] = [...first];
  const buf = Buffer.allocUnsafe(1 << 20);
  let total = first.reduce((t, c) => t + c.length, 0);
  for (;;) {
    const got = read(buf);
    if (got === 0) break;
    const chunk = Buffer.from(buf.subarray(0, got));
    checkNoNul(chunk, total, source);
    total += got;
    if (total > MAX_INPUT_BYTES) throw new FileReadError(escapeControl(source), `more than ${MAX_INPUT_BYTES} bytes (512 MiB), the limit of an input (a device or pipe that never ends?)`);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** node:fs (files are read under Node.js only; parseMdp takes text anywhere). */
function fs(): typeof NodeFs {
  const mod = nodeBuiltin("node:fs");
  if (mod === undefined) throw new FileReadError("<file>", "files can be read under Node.js only (pass the text to parseMdp)");
  return mod;
}

/** All of standard input, at most MAX_INPUT_BYTES. On a non-blocking pipe readSync fails with EAGAIN: wait and retry. */
function readStdin(): Buffer {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  return readBounded("<stdin>", (buf) => {
    for (;;) {
      try {
        return fs().readSync(0, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") {
          Atomics.wait(pause, 0, 0, 5);
          continue;
        }
        if (code === "EOF") return 0;
        throw e;
      }
    }
  });
}

/** Options of {@link readMdpFile}. */
export interface ReadMdpOptions {
  /** Told what the user should know (a float32 table accepted within float32 rounding). @defaultValue console.warn */
  readonly onWarning?: (message: string) => void;
}

/**
 * Read an MDP from a file path, or from standard input when the path is "-": Gymnasium P JSON,
 * native JSON, or a numpy `.npz` (pymdptoolbox, dense or CSR arrays; see numpy-mdp.ts), told apart
 * by the content.
 */
export function readMdpFile(path: string, options: ReadMdpOptions = {}): TabularMdp {
  const source = path === "-" ? "<stdin>" : path;
  // Numpy files are told by their first bytes; anything else is text, read by readSource (which
  // stops at a NUL byte and reads standard input once).
  const head = peekBytes(path);
  if (!isZip(head) && !isNpy(head)) {
    // Gymnasium P JSON of the common shape goes from its bytes to the arrays (gymnasium-bytes.ts);
    // anything else is decoded as text by the general path, which reports problems in place.
    // A document the fast path reads whole holds no NUL byte (none is in its grammar): the check
    // (a scan of the whole file) runs only when the general path takes over.
    // A regular file is read through one reused window (gymnasiumFromReader); when it is not of the
    // common shape, it is read again whole below.
    const windowed = path === "-" ? undefined : gymnasiumFromFile(path);
    if (windowed) return buildChecked(windowed, {}, []);
    const bytes = readSourceBytes(path, "unchecked");
    const arrays = path === "-" ? gymnasiumFromBytes(bytes) : undefined;
    if (arrays) return buildChecked(arrays, {}, []);
    checkNoNul(bytes, 0, source);
    const text = bytes.toString("utf8");
    return parseMdp(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, source);
  }
  const warn = options.onWarning ?? ((w: string) => console.warn(`control-as-inference: warning: ${w}`));
  if (isZip(head)) {
    // The archive is read where its members lie, straight into the table's own arrays: the file
    // is never held in memory whole. (Standard input is not peeked at: it is read as text.)
    const read = withFileSource(path, (src) => mdpFromNpzArchive(openNpz(src, source)));
    for (const w of read.warnings) warn(w);
    return read.value;
  }
  const bytes = readBytes(path);
  if (isNpy(bytes)) {
    throw new UnknownFormatError(source, "one .npy array is not an MDP: save P and R (or the CSR arrays) together in an .npz (numpy.savez)");
  }
  return parseMdp(utf8(bytes), source);
}

/**
 * The arrays of a regular file of Gymnasium P JSON of the common shape, read through a window
 * (gymnasium-bytes.ts); undefined for anything else, including a file that cannot be opened or is
 * over MAX_INPUT_BYTES (the whole-file path then reports why).
 */
function gymnasiumFromFile(path: string): MdpArrays | undefined {
  const f = fs();
  let fd: number;
  try {
    fd = f.openSync(path, "r");
  } catch {
    return undefined;
  }
  try {
    const st = f.fstatSync(fd);
    if (!st.isFile() || st.size > MAX_INPUT_BYTES) return undefined;
    // A file that grows while it is read (past the size it had when opened) is left to the
    // whole-file path, which reads on with its limit.
    let total = 0;
    return gymnasiumFromReader(st.size, (into, at, length) => {
      const got = f.readSync(fd, into, at, length, null);
      total += got;
      if (total > st.size) throw GREW;
      return got;
    });
  } catch (e) {
    if (e === GREW) return undefined;
    throw e;
  } finally {
    f.closeSync(fd);
  }
}

/** Thrown by gymnasiumFromFile's reader when the file has grown since it was opened. */
const GREW = new Error("the file grew while it was read");
