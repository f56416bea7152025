/**
 * Reading a file's bytes at the Node edge (the numpy formats are binary): a path, or standard input
 * when the path is "-". node:fs is looked up at run time (host.ts), so that the public API still
 * bundles for the browser, where reading a file throws (pass the bytes to mdpFromNpz instead).
 */
import type * as NodeFs from "node:fs";
import { FileReadError } from "../errors.js";
import { nodeBuiltin } from "../host.js";
import type { ByteSource } from "./zip.js";

function fs(): typeof NodeFs {
  const mod = nodeBuiltin("node:fs");
  if (mod === undefined) throw new FileReadError("<file>", "files can be read under Node.js only (pass the bytes to mdpFromNpz or numpyTable)");
  return mod;
}

const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "is a directory, not a file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a component of the path is not a directory",
  ENAMETOOLONG: "the file name is too long",
};

/** Why a file could not be read, in words (the errno's meaning), or undefined for an unknown code. */
export function fileErrorReason(err: NodeJS.ErrnoException): string | undefined {
  return err.code !== undefined ? REASONS[err.code] : undefined;
}

/** The bytes of a file (or of standard input for "-"); a {@link FileReadError} saying why not. */
export function readBytes(path: string): Uint8Array {
  try {
    const buf = path === "-" ? readStdinBytes() : fs().readFileSync(path);
    // A plain Uint8Array over the same bytes (a Buffer's slice would be a view, not a copy).
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new FileReadError(path === "-" ? "<stdin>" : path, fileErrorReason(err) ?? err.message.replace(/\s*\n\s*/g, " "));
  }
}

/** All of standard input. `readFileSync(0)` fails with EAGAIN on a non-blocking pipe: read in a loop then. */
function readStdinBytes(): Uint8Array {
  try {
    return fs().readFileSync(0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
  }
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(1 << 16);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let got: number;
    try {
      got = fs().readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        Atomics.wait(pause, 0, 0, 5);
        continue;
      }
      if (code === "EOF") break;
      throw e;
    }
    if (got === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, got)));
  }
  return Buffer.concat(chunks);
}

/** UTF-8 text of bytes, without a leading byte-order mark. */
export function utf8(bytes: Uint8Array): string {
  const text = new TextDecoder("utf-8").decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The first bytes of a file, without reading the rest (a device such as /dev/zero never ends);
 * empty for standard input ("-"), which cannot be peeked at and is read as text.
 */
export function peekBytes(path: string, count = 8): Uint8Array {
  // Standard input, or no file system (a browser): nothing to peek at; readSource says why.
  if (path === "-" || nodeBuiltin("node:fs") === undefined) return new Uint8Array(0);
  const f = fs();
  let fd: number | undefined;
  try {
    fd = f.openSync(path, "r");
    const buf = new Uint8Array(count);
    const got = f.readSync(fd, buf, 0, count, 0);
    return buf.subarray(0, got);
  } catch {
    return new Uint8Array(0); // readSource reports the reason
  } finally {
    if (fd !== undefined) f.closeSync(fd);
  }
}

/**
 * Run `f` on a regular file as a {@link ByteSource}, read at positions as `f` asks (a large `.npz`
 * is decoded without the file's bytes being held in memory); the file is closed afterwards.
 */
export function withFileSource<T>(path: string, f: (src: ByteSource) => T): T {
  const fsys = fs();
  let fd: number;
  let size: number;
  try {
    fd = fsys.openSync(path, "r");
    size = fsys.fstatSync(fd).size;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new FileReadError(path, fileErrorReason(err) ?? err.message.replace(/\s*\n\s*/g, " "));
  }
  const src: ByteSource = {
    size,
    read(into, position) {
      let got = 0;
      try {
        while (got < into.length) {
          const n = fsys.readSync(fd, into, got, into.length - got, position + got);
          if (n === 0) break;
          got += n;
        }
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new FileReadError(path, fileErrorReason(err) ?? err.message.replace(/\s*\n\s*/g, " "));
      }
      return got;
    },
  };
  try {
    return f(src);
  } finally {
    fsys.closeSync(fd);
  }
}
