/** Writing a picture or a page: to a file, or to standard output for "-" or no path. */
import { writeFileSync } from "node:fs";
import { InputError, UsageError } from "../errors.js";

/**
 * Refuse, before any work, to dump SVG or HTML into a terminal: without --out, standard output must
 * be a pipe or a file (`--out -` still writes to standard output on purpose).
 * @param what - e.g. "the SVG picture" or "the HTML page".
 * @throws {@link UsageError} when `path` is undefined and standard output is a terminal.
 */
export function refuseTerminal(path: string | undefined, what: string, stdoutIsTTY = process.stdout.isTTY === true): void {
  if (path === undefined && stdoutIsTTY) {
    throw new UsageError(`not writing ${what} to the terminal: give --out FILE (or --out - to print it anyway), or redirect the output (> FILE)`);
  }
}

/**
 * Write `content` to `path` (UTF-8 for text), or to standard output when `path` is undefined or "-".
 * With `what` (e.g. "the SVG picture"), a written file is announced on stderr: what, where, how big.
 * @throws {@link InputError} naming the flag when the file cannot be written (exit status 2).
 */
export function writeOutput(path: string | undefined, content: string | Uint8Array, flag = "--out", what?: string): void {
  if (path === undefined || path === "-") {
    process.stdout.write(content);
    return;
  }
  try {
    if (typeof content === "string") writeFileSync(path, content, "utf8");
    else writeFileSync(path, content);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason: Record<string, string> = { ENOENT: "no such folder", EISDIR: "is a folder", EACCES: "permission denied", EPERM: "permission denied", ENOTDIR: "a component of the path is not a folder" };
    const detail = (code !== undefined ? reason[code] : undefined) ?? code ?? (e as Error).message;
    throw new InputError([{ code: "unwritable-file", path: flag, message: `${flag} ${path}: cannot write: ${detail}` }]);
  }
  if (what !== undefined) process.stderr.write(`cai: wrote ${what} to ${path} (${typeof content === "string" ? Buffer.byteLength(content, "utf8") : content.length} bytes)\n`);
}
