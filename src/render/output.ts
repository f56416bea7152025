/** Writing a picture or a page: to a file, or to standard output for "-" or no path. */
import { writeFileSync } from "node:fs";
import { InputError } from "../errors.js";

/**
 * Write `content` to `path` (UTF-8), or to standard output when `path` is undefined or "-".
 * @throws {@link InputError} naming --out when the file cannot be written (exit status 2).
 */
export function writeOutput(path: string | undefined, content: string): void {
  if (path === undefined || path === "-") {
    process.stdout.write(content);
    return;
  }
  try {
    writeFileSync(path, content, "utf8");
  } catch (e) {
    const detail = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new InputError([{ code: "unwritable-file", path: "--out", message: `--out ${path}: cannot write: ${detail}` }]);
  }
}
