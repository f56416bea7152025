/** Encoding MDPs as Gymnasium P JSON or native JSON (see decode.ts for the two formats). */
import { NATIVE_FORMAT } from "./decode.js";
import type { TabularMdp } from "./tabular.js";

/** Formats a file can be written in, listed once (the CLI's `--format` reads this list). */
export const MDP_FORMATS = ["gymnasium", "native"] as const;

/** Formats a file can be written in. */
export type MdpFormat = (typeof MDP_FORMATS)[number];

/**
 * Serialise an MDP. Gymnasium P JSON writes `{"P": lists, "initial": [...]}`; native adds the
 * format tag, sizes, names and metadata. Numbers are written with full round-trip precision.
 */
export function writeMdp(mdp: TabularMdp, format: MdpFormat = "gymnasium"): string {
  const parts: string[] = [];
  writeMdpChunks(mdp, format, (chunk) => parts.push(chunk));
  return parts.join("");
}

/**
 * The text of {@link writeMdp}, character for character, handed to `write` in chunks of about
 * `chunkChars` characters, so that a table of millions of entries (the open 1000 x 1000 lake is
 * about 420 MB of JSON) never has to exist as one string.
 */
export function writeMdpChunks(mdp: TabularMdp, format: MdpFormat, write: (chunk: string) => void, chunkChars = 1 << 20): void {
  let head: string;
  if (format === "native") {
    head = `{"format":"${NATIVE_FORMAT}","states":${mdp.nStates},"actions":${mdp.nActions}`;
    if (mdp.stateNames) head += `,"stateNames":${JSON.stringify(mdp.stateNames)}`;
    if (mdp.actionNames) head += `,"actionNames":${JSON.stringify(mdp.actionNames)}`;
    if (Object.keys(mdp.meta).length > 0) head += `,"meta":${JSON.stringify(mdp.meta)}`;
    head += `,"P":[`;
  } else head = `{"P":[`;
  const { nStates: n, nActions: m, rowStart, prob, next, reward, done } = mdp;
  const parts: string[] = [head];
  let size = head.length;
  for (let s = 0; s < n; s++) {
    let line = s === 0 ? "\n[" : ",\n[";
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      line += a === 0 ? "[" : ",[";
      const k0 = rowStart[row]!;
      const k1 = rowStart[row + 1]!;
      for (let k = k0; k < k1; k++) line += `${k === k0 ? "" : ","}[${num(prob[k]!)},${next[k]},${num(reward[k]!)},${done[k] ? "true" : "false"}]`;
      line += "]";
    }
    line += "]";
    parts.push(line);
    size += line.length;
    if (size >= chunkChars) {
      write(parts.join(""));
      parts.length = 0;
      size = 0;
    }
  }
  parts.push(`\n],\n"initial":[${Array.from(mdp.initial, num).join(",")}]}\n`);
  write(parts.join(""));
}

/** A number as JSON, exactly: shortest round-trip digits, and -0 kept as -0 (String(-0) is "0"). */
function num(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}
