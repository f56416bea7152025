/**
 * What a model states about itself: one descriptor per model, listed once in `MODELS` (index.ts).
 * `cai solve --model` (and every command that solves), its flags and help, the JSON of `cai solve
 * --json`, `cai derive --model` and the report read the descriptors; none of them names a model.
 * A new model is one file exporting a descriptor and one line in `MODELS`.
 */
import type { ActionPrior, SymbolicModel, TabularMdp } from "../src/index.js";

/** A command-line flag that belongs to a model (string-valued: a file or a number). */
export interface ModelFlag {
  /** The flag without its dashes (`reference` for `--reference`). */
  readonly name: string;
  /** Its part of the usage line, e.g. `[--reference REF.json]`. */
  readonly usage: string;
  /** Its help lines, each indented as the solve flags' are (`  --reference FILE ...`). */
  readonly help: readonly string[];
  /**
   * The refusal when the flag is given with another model (it names this model), e.g.
   * `is the reference policy of --model rlhf; give --model rlhf`; absent: any model accepts it.
   */
  readonly otherModel?: string;
  /** The flag is another name for `--alpha` (the temperature), as RLHF's `--beta` is. */
  readonly temperature?: true;
}

/** What a model's `build` is given: the MDP, its flags' values, and the CLI's file readers. */
export interface ModelInputs {
  readonly mdp: TabularMdp;
  /** The value of one of the model's own flags (undefined when not given). */
  readonly flag: (name: string) => string | undefined;
  /** Read a policy table (JSON `{key: [[...]]}`, .npy (n, m) or .npz) checked against the MDP. */
  readonly readPolicyTable: (path: string, key: string, what: string) => ActionPrior;
  /** Read a JSON (or numpy) document as the model's parser takes it (`-` is stdin). */
  readonly readDocument: (path: string) => unknown;
}

/** What a model built for a run. */
export interface ModelBuild {
  /** The action prior (absent: the engine's default, uniform or entropy). */
  readonly prior?: ActionPrior;
  /** Things to tell the user (printed as warnings and added to the JSON's `warnings`). */
  readonly warnings: readonly string[];
  /** Keys the model adds to `cai solve --json`, after the run's own. */
  readonly json?: Readonly<Record<string, unknown>>;
}

/** A model: what it is in words, its flags and help, how it builds its prior, its derivation. */
export interface ModelDescriptor {
  /** Its name, as `--model` takes it. */
  readonly name: string;
  /** The action prior it uses. */
  readonly prior: string;
  /** The objective it optimises. */
  readonly objective: string;
  /** The closed form it reduces to. */
  readonly closedForm: string;
  /** `cai solve --help`'s words for it after its name, e.g. `rlhf (prior = the reference policy ...)`. */
  readonly help: string;
  /** `cai derive --help`'s words for it (what its derivation shows). */
  readonly deriveHelp: string;
  /** `cai solve --help`'s words for the keys {@link ModelBuild.json} adds (absent: it adds none). */
  readonly jsonHelp?: string;
  /** Its own flags (refused with another model unless they say otherwise). */
  readonly flags: readonly ModelFlag[];
  /** How it gets its prior, for the refusal of `--prior` with it (e.g. "use --reference"). */
  readonly ownPrior: string;
  /** The temperature's name in its text output ("beta" for RLHF). */
  readonly temperatureName: string;
  /** It has the entropy (SAC) form that `--entropy` selects. */
  readonly entropyForm: boolean;
  /**
   * Build the prior from the model's flags.
   * @throws ParameterError naming a flag that is missing, PriorError for a file that is wrong.
   */
  readonly build: (inputs: ModelInputs) => ModelBuild;
  /** Its section of `cai derive` (the prior put into the rules). */
  readonly symbolic: SymbolicModel;
}
