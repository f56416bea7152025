/**
 * `cai lesson`: the lesson as one interactive, self-contained HTML page (the engine bundled in).
 */
import { defaultModel } from "../models.js";
import { CaiError, RunError, UsageError } from "../../errors.js";
import { writeOutput } from "../../render/output.js";
import { parseFlags, type Command } from "../common.js";

const usage = "cai lesson --out lesson.html";

const command: Command = {
  name: "lesson",
  summary: "the lesson as one interactive HTML page that runs the engine in the browser (no network, opens from file://)",
  help: [
    `usage: ${usage}`,
    "",
    "Writes one self-contained HTML file: the engine (the same solve as cai solve) bundled into the",
    "page with esbuild, the derivations of cai derive rendered as MathML (KaTeX), no network access,",
    "no fonts to fetch; open it from the file system by double click. Eight steps, each with its",
    "controls: the world (FrozenLake 4x4 and 8x8, CliffWalking, the open lake, a map editor), the",
    "factor graph and its messages, the exact, variational and hard backups side by side, temperature",
    "and prior (uniform, entropy, demonstrations drawn on the map), log Z and the ELBO, message passing",
    "sweep by sweep, samples, and the derivation.",
    "",
    "  --out FILE   where to write the page (\"-\" for standard output); required",
    "",
    "Exit status: 0 success, 1 the page could not be built, 2 bad usage or an unwritable --out.",
  ].join("\n"),
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { out: { type: "string" } }, usage);
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${usage}`);
    if (values.out === undefined || values.out === "") throw new UsageError(`--out FILE is required\nusage: ${usage}`);
    let page: string;
    try {
      const { buildLessonPage } = await import("../../lesson/build.js");
      page = await buildLessonPage(defaultModel().symbolic);
    } catch (e) {
      if (e instanceof CaiError) throw e;
      // A broken installation (no bundler, no compiled page script) is a failed run, not bad input.
      throw new RunError("lesson-build", `the lesson page could not be built: ${(e as Error).message}`);
    }
    writeOutput(values.out, page);
    if (values.out !== "-") process.stderr.write(`cai lesson: wrote ${values.out} (${(Buffer.byteLength(page) / 1024).toFixed(0)} KiB)\n`);
    return 0;
  },
};
export default command;
