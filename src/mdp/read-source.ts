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
import type { TabularMdp } from "./tabular.js";

/** Read a file (or standard input when `path` is "-") as UTF-8 text; a leading byte-order mark is dropped. */
export function readSource(path: string): string {
  const source = path === "-" ? "<stdin>" : path;
  let text: string;
  if (path === "-") {
    // One guard for every command: a second "-" would read an empty stream ("the input is empty").
    if (stdinRead) throw new UsageError("standard input (-) can be read once: give at most one input as -");
    stdinRead = true;
  }
  try {
    text = path === "-" ? readStdin() : readFileBounded(path);
  } catch (e) {
    if (e instanceof CaiError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new FileReadError(source, fileErrorReason(err) ?? oneLine(err.message));
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
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

/** Read a file whose size may be unknown (a device, a FIFO), at most MAX_INPUT_BYTES. */
function readFileBounded(path: string): string {
  const f = fs();
  const fd = f.openSync(path, "r");
  try {
    const st = f.fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    if (st.isFile() && st.size > MAX_INPUT_BYTES) throw new FileReadError(escapeControl(path), `${st.size} bytes, larger than the limit of ${MAX_INPUT_BYTES} bytes (512 MiB)`);
    return readBounded(path, (buf) => f.readSync(fd, buf, 0, buf.length, null));
  } finally {
    f.closeSync(fd);
  }
}

/** Read chunks until `read` returns 0, refusing NUL bytes and more than MAX_INPUT_BYTES. */
function readBounded(source: string, read: (buf: Buffer) => number): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(1 << 20);
  let total = 0;
  for (;;) {
    const got = read(buf);
    if (got === 0) break;
    const chunk = Buffer.from(buf.subarray(0, got));
    checkNoNul(chunk, total, source);
    total += got;
    if (total > MAX_INPUT_BYTES) throw new FileReadError(escapeControl(source), `more than ${MAX_INPUT_BYTES} bytes (512 MiB), the limit of an input (a device or pipe that never ends?)`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** node:fs (files are read under Node.js only; parseMdp takes text anywhere). */
function fs(): typeof NodeFs {
  const mod = nodeBuiltin("node:fs");
  if (mod === undefined) throw new FileReadError("<file>", "files can be read under Node.js only (pass the text to parseMdp)");
  return mod;
}

/** All of standard input, at most MAX_INPUT_BYTES. On a non-blocking pipe readSync fails with EAGAIN: wait and retry. */
function readStdin(): string {
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
  if (!isZip(head) && !isNpy(head)) return parseMdp(readSource(path), source);
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
