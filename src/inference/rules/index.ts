/**
 * Rule families: which rule each factor uses in each mode, and what the family allows. The engine is
 * generic over these values and reads their capabilities; it never compares a family's name.
 * - exact: sum-product (log E exp over next states, tempered logsumexp over actions)
 * - variational: structured VMP with the dynamics fixed (E over next states, tempered over actions)
 * - hard: max-product over actions with the dynamics' expectation, the alpha -> 0 limit of variational
 */
import { maxSemiring, temperedSemiring } from "./actions.js";
import { exactDynamics } from "./dynamics-exact.js";
import { expectationForm, variationalDynamics } from "./dynamics-variational.js";
import type { ActionSemiring, AffineForm, DynamicsRule, SemiringKind } from "./types.js";

/** The backups, listed once: flags, help, derive, render, report and check read this list. */
export const BACKUPS = ["exact", "variational", "hard"] as const;
export type Backup = (typeof BACKUPS)[number];

/**
 * The fused sweep kernels (inference/kernels/) a family may select:
 * - "affine-value": Q = b + sum c V' per state, then the tempered or max action rule; every
 *   schedule (Jacobi, Gauss-Seidel, prioritised) on any number of threads;
 * - "affine-exp": exp(Q/alpha) = b + sum c z' with z = exp(V/alpha) kept shifted, then the tempered
 *   action rule; Jacobi only, and only while the numbers stay in range (the engine hands over to the
 *   family's own rule loops when they leave it).
 * A new kernel adds its id here; every switch over KernelId then fails to compile until it handles it.
 */
export const KERNELS = ["affine-value", "affine-exp"] as const;
export type KernelId = (typeof KERNELS)[number];

/** What a rule family allows the engine to do. */
export interface RuleCapabilities {
  /**
   * The fused kernel that may run this family's infinite-horizon sweeps (its dynamics rule is affine
   * in the kernel's space and its action rule is of a kind the kernel implements: {@link kernelFits}),
   * or null: the engine then runs the family's own rule loops (Jacobi).
   */
  readonly kernel: KernelId | null;
  /**
   * The backup operator can have no fixed point (it is not a contraction for every gamma < 1): the
   * infinite-horizon loop watches the residual for linear growth and decides by the spectral radius
   * (growth.ts, NoFixedPointError).
   */
  readonly mayHaveNoFixedPoint: boolean;
  /**
   * The family's messages are the exact sum-product messages: V_0 gives log Z by the initial factor's
   * rule, and the posterior p(tau | O) (forward messages, sampling) reads off them.
   */
  readonly exactMessages: boolean;
  /**
   * How the dynamics rule averages the next states' backed-up values x = r + gamma V' (done: r):
   * "mean", E[x] (the variational and hard families); "log-mean-exp", alpha log E[exp(x/alpha)] with
   * the death branch (the exact family). What a sampled transition estimates (soft Q-learning's
   * target) and where the discount may sit (conventions) follow from it.
   */
  readonly nextStateAverage: NextStateAverage;
}

/** The closed forms of {@link RuleCapabilities.nextStateAverage}; a new one fails every switch over it until handled. */
export const NEXT_STATE_AVERAGES = ["mean", "log-mean-exp"] as const;
export type NextStateAverage = (typeof NEXT_STATE_AVERAGES)[number];

/** How a family is described to people (help, derivations, cai check, the lesson); the engine never reads it. */
export interface FamilyWords {
  /** A short label, e.g. "exact (sum-product)". */
  readonly label: string;
  /** The `--backup` help's words, e.g. "sum-product, optimistic". */
  readonly help: string;
  /** What its messages are, for derivations. */
  readonly derivation: string;
  /** The backup named as an alternative to another (cai check). */
  readonly alternative: string;
}

/** The rules every factor of the trajectory graph uses in one mode, and what they allow. */
export interface RuleFamily extends RuleCapabilities {
  readonly backup: Backup;
  readonly dynamics: DynamicsRule;
  readonly actions: ActionSemiring;
  readonly words: FamilyWords;
}

export const EXACT: RuleFamily = {
  backup: "exact",
  dynamics: exactDynamics,
  actions: temperedSemiring,
  kernel: "affine-exp",
  mayHaveNoFixedPoint: true,
  exactMessages: true,
  nextStateAverage: "log-mean-exp",
  words: {
    label: "exact (sum-product)",
    help: "sum-product, optimistic",
    derivation: "exact sum-product (the optimistic backup: log E exp over next states)",
    alternative: "the exact (optimistic) backup alpha log E exp(...)",
  },
};
export const VARIATIONAL: RuleFamily = {
  backup: "variational",
  dynamics: variationalDynamics,
  actions: temperedSemiring,
  kernel: "affine-value",
  mayHaveNoFixedPoint: false,
  exactMessages: false,
  nextStateAverage: "mean",
  words: {
    label: "variational (soft Bellman)",
    help: "soft Bellman",
    derivation: "structured variational, dynamics held fixed (the soft Bellman backup: E over next states)",
    alternative: "the soft Bellman backup E[r + gamma V']",
  },
};
export const HARD: RuleFamily = {
  backup: "hard",
  dynamics: variationalDynamics,
  actions: maxSemiring,
  kernel: "affine-value",
  mayHaveNoFixedPoint: false,
  exactMessages: false,
  nextStateAverage: "mean",
  words: {
    label: "hard (max-product)",
    help: "max-product",
    derivation: "max-product, the alpha -> 0 limit (the Bellman optimality backup)",
    alternative: "the hard (max) backup",
  },
};

export const RULES: Readonly<Record<Backup, RuleFamily>> = { exact: EXACT, variational: VARIATIONAL, hard: HARD };

/** Whether `x` names a registered family (narrowing). */
export function isBackup(x: unknown): x is Backup {
  return typeof x === "string" && (BACKUPS as readonly string[]).includes(x);
}

/**
 * Whether the kernel `id` can run `family`: its dynamics rule is affine in the kernel's space and
 * its action rule is of a kind the kernel implements.
 */
export function kernelFits(id: KernelId, family: Pick<RuleFamily, "dynamics" | "actions">): boolean {
  const space = family.dynamics.affine?.space;
  switch (id) {
    case "affine-value":
      return space === "value" && family.actions.kind !== null;
    case "affine-exp":
      return space === "exp" && family.actions.kind === "tempered";
    default:
      return unreachable(id);
  }
}

/** Whether the kernel runs the in-place schedules (Gauss-Seidel, prioritised) as well as Jacobi. */
export function kernelRunsInPlace(id: KernelId): boolean {
  switch (id) {
    case "affine-value":
      return true;
    case "affine-exp":
      return false;
    default:
      return unreachable(id);
  }
}

/**
 * The kernel that will run `family`'s sweeps, or null for its own rule loops. A family that declares
 * a kernel its rules do not fit is a programming error: it throws rather than run the wrong loop.
 */
export function familyKernel(family: RuleFamily): KernelId | null {
  if (family.kernel === null) return null;
  if (!kernelFits(family.kernel, family)) {
    throw new TypeError(`rule family ${family.backup}: kernel ${family.kernel} cannot run dynamics ${family.dynamics.name} with actions ${family.actions.name}`);
  }
  return family.kernel;
}

/** In-place schedules (Gauss-Seidel, prioritised) need a fused kernel that runs them. */
export function allowsInPlaceSchedules(family: RuleFamily): boolean {
  return family.kernel !== null && kernelRunsInPlace(family.kernel);
}

/** For exhaustive switches: a case left out makes `x` not `never`, and the call fails to compile. */
export function unreachable(x: never): never {
  throw new TypeError(`unhandled case ${String(x)}`);
}

export { exactDynamics, variationalDynamics, expectationForm, temperedSemiring, maxSemiring };
export type { ActionSemiring, AffineForm, DynamicsRule, SemiringKind };
