/** Writing a picture or a page: to a file, or to standard output for "-" or no path. */
import { writeFileSync } from "node:fs";
import { InputError } from "../errors.js";

/**
 * Write `content` to `path` (UTF-8), or to standard output when `path` is undefined or "-".
 * @throws {@link InputError} naming --out when the file cannot be written (exit status 2).
 */
export function writeOutput(path: string | undefined, content: string | Uint8Array, flag = "--out"): void {
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
}
