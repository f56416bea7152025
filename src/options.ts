/**
 * Options objects are checked like the command line's flags: a key the function does not know is a
 * {@link ParameterError} naming the key and the nearest valid name, never silently ignored
 * (`solve(mdp, { bakcup: "exact" })` would otherwise run the variational backup).
 */
import { ParameterError } from "./errors.js";
import { didYouMean } from "./suggest.js";

/**
 * Check that `options` is undefined or a plain object whose keys are all in `known`.
 * @param what - the function, for messages, e.g. "solve" or "frozenLake".
 * @param hint - what to say when `options` is not an object at all (e.g. a map name given bare).
 * @throws {@link ParameterError} naming the unknown key (and the nearest known one) or the bad value.
 */
export function checkOptionKeys(options: unknown, known: readonly string[], what: string, hint?: (value: unknown) => string | undefined): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    const extra = hint?.(options);
    const shown = typeof options === "string" ? `the string ${JSON.stringify(options)}` : Array.isArray(options) ? "a list" : String(options);
    throw new ParameterError(`${what} options`, `expected an object of options, got ${shown}${extra ? ` (${extra})` : ""}`);
  }
  for (const key of Object.keys(options)) {
    if ((options as Record<string, unknown>)[key] === undefined) continue;
    if (!known.includes(key)) {
      throw new ParameterError(key, `is not an option of ${what}${didYouMean(key, known)}; its options are ${known.join(", ")}`);
    }
  }
}
