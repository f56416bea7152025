/**
 * Reading sources: files and standard input, under Node.js only (node:fs is looked up at run time,
 * src/host.ts); parseMdp (decode.ts) takes text anywhere.
 */
import type * as NodeFs from "node:fs";
import { FileReadError } from "../errors.js";
import { nodeBuiltin } from "../host.js";
import { parseMdp } from "./decode.js";
import { oneLine } from "./json.js";
import type { TabularMdp } from "./tabular.js";

/** Read a file (or standard input when `path` is "-") as UTF-8 text; a leading byte-order mark is dropped. */
export function readSource(path: string): string {
  const source = path === "-" ? "<stdin>" : path;
  let text: string;
  try {
    text = path === "-" ? readStdin() : fs().readFileSync(path, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason: Record<string, string> = {
      ENOENT: "no such file",
      EISDIR: "is a directory, not a file",
      EACCES: "permission denied",
      EPERM: "permission denied",
      ENOTDIR: "a component of the path is not a directory",
      ENAMETOOLONG: "the file name is too long",
    };
    throw new FileReadError(source, (err.code !== undefined ? reason[err.code] : undefined) ?? oneLine(err.message));
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** node:fs (files are read under Node.js only; parseMdp takes text anywhere). */
function fs(): typeof NodeFs {
  const mod = nodeBuiltin("node:fs");
  if (mod === undefined) throw new FileReadError("<file>", "files can be read under Node.js only (pass the text to parseMdp)");
  return mod;
}

/** All of standard input. `readFileSync(0)` fails with EAGAIN on a non-blocking pipe: read in a loop then. */
function readStdin(): string {
  try {
    return fs().readFileSync(0, "utf8");
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
  return Buffer.concat(chunks).toString("utf8");
}

/** Read an MDP from a file path, or from standard input when the path is "-". */
export function readMdpFile(path: string): TabularMdp {
  return parseMdp(readSource(path), path === "-" ? "<stdin>" : path);
}
