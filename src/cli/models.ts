/**
 * The CLI's side of the model registry (models/index.ts `MODELS`): the `--model` flag, each model's
 * own flags, their usage and help, and building the chosen model's prior. Nothing here names a
 * model; the first descriptor in `MODELS` is the default.
 */
import { ParameterError } from "../errors.js";
import type { TabularMdp } from "../mdp/tabular.js";
import type { ActionPrior } from "../inference/prior.js";
import { MODELS, type ModelDescriptor, type ModelFlag } from "../../models/index.js";
import { readDemonstrationsDocument, readPolicyTableFile } from "./tables.js";

/** The model registry as the CLI reads it (a test may pass another list). */
export type ModelRegistry = readonly ModelDescriptor[];

/** The default model: the first in the registry. */
export function defaultModel(models: ModelRegistry = MODELS): ModelDescriptor {
  return models[0]!;
}

/** The model named `name`, or a {@link ParameterError} naming `flag` and listing the models. */
export function modelNamed(name: string, flag: string, models: ModelRegistry = MODELS): ModelDescriptor {
  const found = models.find((m) => m.name === name);
  if (!found) throw new ParameterError(flag, `"${name}" is not one of ${models.map((m) => m.name).join(", ")}`);
  return found;
}

/** The model flags, in the registry's order, each with the model it belongs to. */
export function modelFlags(models: ModelRegistry = MODELS): ReadonlyArray<ModelFlag & { readonly model: ModelDescriptor }> {
  return models.flatMap((model) => model.flags.map((f) => ({ ...f, model })));
}

/** parseArgs options for the model flags (all string-valued). */
export function modelFlagOptions(models: ModelRegistry = MODELS): Record<string, { type: "string" }> {
  return Object.fromEntries(modelFlags(models).map((f) => [f.name, { type: "string" as const }]));
}

/** `[--model a|b|c]` and the model flags' usage. */
export function modelUsage(models: ModelRegistry = MODELS): string {
  return [`[--model ${models.map((m) => m.name).join("|")}]`, ...modelFlags(models).map((f) => f.usage)].join(" ");
}

/** The help lines of `--model` (one model a line) and of the model flags. */
export function modelHelp(models: ModelRegistry = MODELS): string[] {
  const lines = models.map((m, i) => `${i === 0 ? "  --model M        " : "                   "}${m.name} (${m.help})${i < models.length - 1 ? "," : ""}`);
  return [...lines, ...modelFlags(models).flatMap((f) => f.help)];
}

/** The models' JSON keys in words (for `--json`'s help): "with --model NAME also ...; ...;". */
export function modelJsonHelp(models: ModelRegistry = MODELS): string {
  return models.flatMap((m) => (m.jsonHelp !== undefined ? [`with --model ${m.name} ${m.jsonHelp};`] : [])).join(" ");
}

/** Words wrapped onto lines of at most `width` characters, the first after `first`, the rest indented as deep. */
export function wrapWords(first: string, text: string, width: number): string[] {
  const indent = " ".repeat(first.length);
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(" ")) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = empty ? line + word : `${line} ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** The model chosen on the command line and what it built. */
export interface ModelSetup {
  /** The model's name; "custom" for a --prior table without --model. */
  readonly name: string;
  /** Its descriptor (absent for "custom"). */
  readonly descriptor?: ModelDescriptor;
  /** The action prior (absent: the engine's default, uniform or entropy). */
  readonly prior?: ActionPrior;
  /** Things to tell the user (e.g. states whose support the demonstration prior restricts). */
  readonly warnings: readonly string[];
  /** Keys the model adds to the JSON output. */
  readonly json?: Readonly<Record<string, unknown>>;
}

/** Flag values as parsed: `model`, `prior`, `entropy` and the model flags by name. */
export type ModelFlagValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

/**
 * Build the prior of the model named by --model from its flags (the model's own, or --prior).
 * The default model leaves the prior to the engine when it builds none.
 * @throws {@link ParameterError} naming the flag for a flag that does not fit the model,
 *   {@link PriorError} for a file of the model that is wrong (exit status 2).
 */
export function modelFromFlags(v: ModelFlagValues, mdp: TabularMdp, readPrior: (path: string) => ActionPrior, models: ModelRegistry = MODELS): ModelSetup {
  const given = typeof v.model === "string" ? v.model : undefined;
  const prior = typeof v.prior === "string" ? v.prior : undefined;
  const model = given !== undefined ? modelNamed(given, "--model", models) : prior !== undefined ? null : defaultModel(models);
  const name = model === null ? "custom" : model.name;
  for (const f of modelFlags(models)) {
    if (v[f.name] !== undefined && f.otherModel !== undefined && f.model !== model) throw new ParameterError(`--${f.name}`, f.otherModel);
  }
  if (given !== undefined && prior !== undefined) {
    throw new ParameterError("--prior", `--model ${name} builds its own prior (${model!.ownPrior}); give --prior without --model`);
  }
  if (v.entropy === true && !model?.entropyForm) {
    const owners = models.filter((m) => m.entropyForm).map((m) => `--model ${m.name}`);
    throw new ParameterError("--entropy", `the entropy form belongs to ${owners.join(" or ")}, not ${name}`);
  }
  if (model === null) return { name, prior: readPrior(prior!), warnings: [] };
  const built = model.build({
    mdp,
    flag: (flag) => {
      const value = v[flag];
      return typeof value === "string" ? value : undefined;
    },
    readPolicyTable: (path, key, what) => readPolicyTableFile(path, mdp, key, what),
    readDocument: readDemonstrationsDocument,
  });
  return {
    name,
    descriptor: model,
    ...(built.prior ? { prior: built.prior } : {}),
    warnings: built.warnings,
    ...(built.json ? { json: built.json } : {}),
  };
}
