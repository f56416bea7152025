/**
 * Derivations read off the graph: build the trajectory factor graph, read its backward schedule
 * (the one the engine runs), and apply the symbolic version of each scheduled factor's rule in the
 * chosen family. The result is a list of equations per schedule step (message, log, backup,
 * policy), the backup written in Q alone, and the model's prior put in.
 */
import { ParameterError } from "../errors.js";
import { TrajectoryGraph } from "../graph/trajectory-graph.js";
import { BACKUPS, RULES, type Backup } from "../inference/rules/index.js";
import { backwardSchedule, type Schedule, type ScheduleStep } from "../inference/schedule.js";
import { LOG_RULES, simplifyBodies, stripParens, substitute } from "./algebra.js";
import { loadMathJs, type MathJs } from "./mathjs.js";
import { PI0_NOTATION, type PriorNotation } from "./notation.js";
import { modelSection, type ModelSection, type SymbolicModel } from "./priors.js";
import { SYMBOLIC_PRIOR, semiringKindOf, symbolicDynamics, nextValueThroughQ, symbolicInitial, type DerivedEquation, type RuleOutput } from "./rules.js";

/** Options of {@link derive}. */
export interface DeriveOptions {
  /** The rule family. @defaultValue "exact" */
  readonly backup?: Backup;
  /**
   * The model whose prior is put in: a model descriptor's symbolic section (`MODELS` of
   * `control-as-inference/models`, e.g. `MAXENT.symbolic`). Absent: no model section, pi0 unnamed.
   */
  readonly model?: SymbolicModel;
  /** Unroll the graph over H slices (absent: the stationary one-slice graph, a generic t). */
  readonly horizon?: number;
}

/** One scheduled message and the symbolic rule that computes it. */
export interface DerivationStep {
  /** The schedule step read off the graph (factor, kind, t, to, from). */
  readonly schedule: ScheduleStep;
  /** The numeric rule this mirrors: "log-expect-exp", "expectation", "tempered", "max" or "initial". */
  readonly rule: string;
  /** One line: which factor sends what to whom. */
  readonly title: string;
  readonly output: RuleOutput;
}

/** A derivation: the schedule's messages, the backup in Q alone, and the model. */
export interface Derivation {
  readonly backup: Backup;
  /** The model's name, or null without a model. */
  readonly model: string | null;
  readonly horizon: number | null;
  readonly schedule: Schedule;
  readonly steps: readonly DerivationStep[];
  /** Q_t in terms of Q_t+1 alone (no terminal entries, r = r(s,a), and gamma = 1 for the exact family). */
  readonly combined: DerivedEquation;
  /** The model's prior put in (null without a model). */
  readonly modelSection: ModelSection | null;
  readonly notation: PriorNotation;
}

/** Check the options; throws {@link ParameterError} naming the option. */
export function checkDeriveOptions(o: DeriveOptions): { backup: Backup; model: SymbolicModel | null; horizon: number | null } {
  const backup = o.backup ?? "exact";
  if (!(BACKUPS as readonly string[]).includes(backup)) throw new ParameterError("backup", `"${String(backup)}" is not one of ${BACKUPS.join(", ")}`);
  const model = o.model ?? null;
  if (model !== null && (typeof model !== "object" || typeof model.name !== "string" || typeof model.section !== "function" || typeof model.notation !== "object")) {
    throw new ParameterError("model", "must be a model's symbolic section ({ name, notation, section }, e.g. MAXENT.symbolic from control-as-inference/models)");
  }
  if (o.horizon !== undefined && (!Number.isInteger(o.horizon) || o.horizon < 1 || o.horizon > 50)) {
    throw new ParameterError("horizon", `must be an integer from 1 to 50, got ${o.horizon}`);
  }
  return { backup, model, horizon: o.horizon ?? null };
}

/** Derive with mathjs already loaded. */
export function deriveWith(math: MathJs, options: DeriveOptions = {}): Derivation {
  const { backup, model, horizon } = checkDeriveOptions(options);
  const family = RULES[backup];
  // The graph's shape does not depend on the sizes; gamma < 1 and terminal entries keep the death state in.
  const graph = TrajectoryGraph.build({ nStates: 1, nActions: 1, hasTerminal: true, gamma: 0.5, ...(horizon !== null ? { horizon } : {}) });
  const schedule = backwardSchedule(graph);
  const dynamics = symbolicDynamics(family.dynamics)(math);
  const prior = SYMBOLIC_PRIOR[semiringKindOf(family.actions)](math, backup);
  const initial = symbolicInitial(math, backup);
  const steps = schedule.steps.map((step): DerivationStep => {
    if (step.kind === "dynamics") {
      return { schedule: step, rule: family.dynamics.name, title: `${step.factor} sends beta(s,a) to (${step.to.join(", ")}), from ${step.from} on its "next" interface`, output: dynamics };
    }
    if (step.kind === "prior") {
      return { schedule: step, rule: family.actions.name, title: `${step.factor} sends beta(s) to ${step.to.join(", ")}, from ${step.from}`, output: prior };
    }
    return { schedule: step, rule: "initial", title: `${step.factor} closes the schedule at ${step.from}`, output: initial };
  });
  const combinedRhs = stripParens(simplifyBodies(math, substitute(math, dynamics.special!, "Vn", nextValueThroughQ(math, semiringKindOf(family.actions))), [...LOG_RULES, "exp(log(n)) -> n", "exp(n1 * log(n2) / n1) -> n2"]));
  const combined: DerivedEquation = {
    role: "combined",
    lhs: new math.SymbolNode("Q"),
    rhs: combinedRhs,
    by: `V_t+1(s') through Q_t+1(s',a') by the ${family.actions.name === "max" ? "max" : "prior factor's"} rule`,
    when: family.nextStateAverage === "log-mean-exp" ? "gamma = 1, r = r(s,a), no terminal entries, t < H - 1" : "r = r(s,a), no terminal entries, t < H - 1",
  };
  return {
    backup,
    model: model === null ? null : model.name,
    horizon,
    schedule,
    steps,
    combined,
    modelSection: model === null ? null : modelSection(math, model, { backup, actionRule: semiringKindOf(family.actions), dynamics, prior }),
    notation: model === null ? PI0_NOTATION : model.notation,
  };
}

/**
 * Derive the backward messages of the trajectory graph symbolically (loads mathjs, once).
 * @throws {@link ParameterError} for an unknown backup or model or a bad horizon.
 */
export async function derive(options: DeriveOptions = {}): Promise<Derivation> {
  checkDeriveOptions(options);
  return deriveWith(await loadMathJs(), options);
}
