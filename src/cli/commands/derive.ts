/**
 * `cai derive`: the message rules of the trajectory factor graph run on symbolic values (mathjs
 * expression trees, loaded here and only here), printed as a derivation in text or LaTeX.
 */
import { ParameterError, UsageError } from "../../errors.js";
import { BACKUPS, isBackup, type Backup } from "../../inference/rules/index.js";
import { numberFlag, parseFlags, type Command } from "../common.js";
import { MODELS } from "../../../models/index.js";
import { defaultModel, modelNamed, wrapWords } from "../models.js";
import { BACKUP_CHOICES } from "../sweep-flags.js";
import { DERIVE_FORMATS, type DeriveFormat } from "../../derive/format.js";

const usage = `cai derive [--backup ${BACKUP_CHOICES.join("|")}] [--model ${MODELS.map((m) => m.name).join("|")}] [--format ${DERIVE_FORMATS.join("|")}] [--horizon H]`;

const command: Command = {
  name: "derive",
  summary: "derive the backups symbolically from the graph's message rules (text or LaTeX)",
  help: [
    `usage: ${usage}`,
    "",
    "Reads the backward schedule off the trajectory factor graph and runs each scheduled factor's",
    "message rule on symbols (mathjs expression trees): the message beta_t(s,a) as a sum or expectation",
    "of the product of the factors, its logarithm, the backup it simplifies to",
    "(exact: Q = r + alpha log E[exp(V'/alpha)]; variational: Q = r + gamma E[V']; hard: the max),",
    "V and the policy, the initial factor (log Z, the ELBO or the expected return), the backup in Q",
    "alone, and the model's prior put in.",
    "",
    "  --backup B     variational (soft Bellman, default, as in every command), exact (sum-product), hard (max-product)",
    ...wrapWords("  --model M      ", MODELS.map((m) => `${m.name} (${m.deriveHelp})`).join(", "), 103),
    "  --format F     text (default) or latex (amsmath align*; each line's identity as a comment)",
    "  --horizon H    unroll the graph over H slices (1..50) and print every scheduled message;",
    "                 default: the stationary slice, a generic t",
    "",
    "Exit status: 0 success, 2 bad usage.",
  ].join("\n"),
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { backup: { type: "string" }, model: { type: "string" }, format: { type: "string" }, horizon: { type: "string" } },
      usage,
    );
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${usage}`);
    const backup = values.backup ?? "variational";
    if (!isBackup(backup)) throw new ParameterError("--backup", `"${backup}" is not one of ${BACKUPS.join(", ")}`);
    const model = values.model === undefined ? defaultModel() : modelNamed(values.model, "--model");
    const format = values.format ?? "text";
    if (!(DERIVE_FORMATS as readonly string[]).includes(format)) throw new ParameterError("--format", `"${format}" is not one of ${DERIVE_FORMATS.join(", ")}`);
    const horizon = values.horizon === undefined ? undefined : numberFlag(values.horizon, "--horizon", 1, { integer: true, min: 1, max: 50 });
    // mathjs is loaded here, after the flags are checked, and never on any other command's path.
    const { derive, formatDerivation } = await import("../../derive/index.js");
    const d = await derive({ backup: backup as Backup, model: model.symbolic, ...(horizon !== undefined ? { horizon } : {}) });
    process.stdout.write(formatDerivation(d, format as DeriveFormat));
    return 0;
  },
};
export default command;
