/**
 * TabularMdp: a finite MDP held as flat typed arrays, CSR over (state, action) rows.
 *
 * Row `s * nActions + a` lists the transition entries of (s, a) in `[rowStart[row], rowStart[row+1])`;
 * entry k is `(prob[k], next[k], reward[k], done[k])`, exactly one item of Gymnasium's
 * `env.P[s][a]` list, in the same order. The same next state may appear in several entries (they
 * count separately) and entries with probability 0 are kept. Rewards are per entry, r(s, a, s');
 * `done` means the episode ends after the entry (the successor contributes value 0).
 */
import { MdpValidationError, PriorError, type Problem } from "../errors.js";
import { nextStateProblem, raggedActionProblems, sortProblems, validateMdpArrays, type ValidateOptions } from "./validation.js";

export {
  PROBABILITY_SUM_TOLERANCE,
  validateMdpArrays,
  validateDistribution,
  nextStateProblem,
  raggedActionProblems,
  sortProblems,
  describeValue,
  formatSum,
  type ValidateOptions,
} from "./validation.js";

/**
 * Index arrays (rowStart, next) of at least this many elements are allocated on a SharedArrayBuffer,
 * so that the sweep kernels' worker threads read them in place instead of copying them (a table of a
 * million states saves 16 MB of row starts). Below it no threads run, and plain buffers are used.
 */
export const SHARED_INDEX_MIN_LENGTH = 1 << 16;

/**
 * An Int32Array for a row-start or next-state array of an MDP: on a SharedArrayBuffer from
 * {@link SHARED_INDEX_MIN_LENGTH} elements up (it behaves as any Int32Array; only `.buffer` differs).
 */
export function indexArray(length: number): Int32Array {
  return length >= SHARED_INDEX_MIN_LENGTH ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
}

/** One transition entry, as Gymnasium lists it: `[prob, next_state, reward, done]`. */
export interface TransitionEntry {
  readonly prob: number;
  readonly next: number;
  readonly reward: number;
  readonly done: boolean;
}

/** The raw arrays of a tabular MDP. */
export interface MdpArrays {
  readonly nStates: number;
  readonly nActions: number;
  /** Length nStates * nActions + 1; row = s * nActions + a. */
  readonly rowStart: Int32Array;
  readonly next: Int32Array;
  readonly prob: Float64Array;
  readonly reward: Float64Array;
  /** 1 where the episode ends after the entry. */
  readonly done: Uint8Array;
  /** Initial state distribution p0, length nStates. */
  readonly initial: Float64Array;
}

/** Optional labels carried along with the numbers. */
export interface MdpLabels {
  readonly stateNames?: readonly string[];
  readonly actionNames?: readonly string[];
  /** Free-form metadata (name of the environment, its parameters, where it came from). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** A finite MDP on typed arrays; construct with {@link TabularMdp.fromArrays} or {@link TabularMdp.fromLists}. */
export class TabularMdp implements MdpArrays {
  readonly nStates: number;
  readonly nActions: number;
  readonly rowStart: Int32Array;
  readonly next: Int32Array;
  readonly prob: Float64Array;
  readonly reward: Float64Array;
  readonly done: Uint8Array;
  readonly initial: Float64Array;
  readonly stateNames: readonly string[] | undefined;
  readonly actionNames: readonly string[] | undefined;
  readonly meta: Readonly<Record<string, unknown>>;

  private constructor(a: MdpArrays, labels: MdpLabels) {
    this.nStates = a.nStates;
    this.nActions = a.nActions;
    this.rowStart = a.rowStart;
    this.next = a.next;
    this.prob = a.prob;
    this.reward = a.reward;
    this.done = a.done;
    this.initial = a.initial;
    this.stateNames = labels.stateNames;
    this.actionNames = labels.actionNames;
    this.meta = labels.meta ?? {};
  }

  /**
   * Wrap arrays after validating them (the arrays are used, not copied).
   * @throws {@link MdpValidationError} listing every problem found.
   */
  static fromArrays(arrays: MdpArrays, labels: MdpLabels = {}, options: ValidateOptions = {}): TabularMdp {
    const problems = validateMdpArrays(arrays, labels, options);
    if (problems.length > 0) throw new MdpValidationError(problems);
    return new TabularMdp(arrays, labels);
  }

  /**
   * Build from nested lists `P[s][a] = [{prob, next, reward, done}, ...]` (Gymnasium's layout).
   * @param initial - p0; uniform over all states when absent.
   */
  static fromLists(
    P: readonly (readonly (readonly TransitionEntry[])[])[],
    options: MdpLabels & { readonly initial?: ArrayLike<number> } = {},
  ): TabularMdp {
    const n = P.length;
    const counts = P.map((row) => row.length);
    const ragged = raggedActionProblems(counts);
    if (ragged.problems.length > 0) throw new MdpValidationError(ragged.problems);
    const m = ragged.nActions;
    let nnz = 0;
    for (const row of P) for (const list of row) nnz += list.length;
    const rowStart = indexArray(n * m + 1);
    const next = indexArray(nnz);
    const prob = new Float64Array(nnz);
    const reward = new Float64Array(nnz);
    const done = new Uint8Array(nnz);
    // A next state that is not an integer would be truncated by the Int32Array: report it here.
    const typeProblems: Problem[] = [];
    let k = 0;
    for (let s = 0; s < n; s++) {
      for (let a = 0; a < m; a++) {
        rowStart[s * m + a] = k;
        const list = P[s]![a]!;
        for (let e = 0; e < list.length; e++, k++) {
          const x = list[e]!;
          prob[k] = x.prob;
          reward[k] = x.reward;
          done[k] = x.done ? 1 : 0;
          if (Number.isInteger(x.next) && x.next >= 0 && x.next < n) next[k] = x.next;
          else {
            next[k] = 0;
            typeProblems.push(nextStateProblem(s, a, e, x.next, n));
          }
        }
      }
    }
    rowStart[n * m] = k;
    const initial = options.initial ? Float64Array.from(options.initial) : new Float64Array(n).fill(1 / n);
    const { initial: _i, ...labels } = options;
    return buildChecked({ nStates: n, nActions: m, rowStart, next, prob, reward, done, initial }, labels, typeProblems);
  }

  /**
   * Build from dense tables: `transition[s][a][s']` probabilities and a reward given per transition
   * `r[s][a][s']`, per pair `r[s][a]`, or per state `r[s]` (the reward for leaving s). Terminal
   * states, when given, end the episode on entering them. Entries with probability 0 are dropped.
   */
  static fromDense(spec: {
    readonly transition: readonly (readonly (readonly number[])[])[];
    readonly reward: readonly number[] | readonly (readonly number[])[] | readonly (readonly (readonly number[])[])[];
    readonly terminal?: readonly number[];
    readonly initial?: ArrayLike<number>;
  } & MdpLabels): TabularMdp {
    const { transition, reward, terminal = [], initial, ...labels } = spec;
    const isTerminal = new Set(terminal);
    const rewardOf = (s: number, a: number, t: number): number => {
      const rs = reward[s];
      if (typeof rs === "number") return rs;
      const rsa = rs?.[a];
      if (typeof rsa === "number") return rsa;
      return rsa?.[t] ?? NaN;
    };
    const P = transition.map((row, s) =>
      row.map((probs, a) => {
        const list: TransitionEntry[] = [];
        probs.forEach((p, t) => {
          if (p !== 0) list.push({ prob: p, next: t, reward: rewardOf(s, a, t), done: isTerminal.has(t) });
        });
        return list;
      }),
    );
    return TabularMdp.fromLists(P, initial ? { ...labels, initial } : labels);
  }

  /** Number of transition entries (nonzeros of the CSR layout, including p = 0 entries). */
  get nnz(): number {
    return this.rowStart[this.nStates * this.nActions]!;
  }

  /** The entries of (s, a), as objects (a convenience; hot loops read the arrays). */
  entries(s: number, a: number): TransitionEntry[] {
    const row = s * this.nActions + a;
    const out: TransitionEntry[] = [];
    for (let k = this.rowStart[row]!; k < this.rowStart[row + 1]!; k++) {
      out.push({ prob: this.prob[k]!, next: this.next[k]!, reward: this.reward[k]!, done: this.done[k] === 1 });
    }
    return out;
  }

  /** Expected immediate reward r(s, a) = sum_k p_k r_k, flat (row = s * nActions + a). */
  expectedRewards(): Float64Array {
    const out = new Float64Array(this.nStates * this.nActions);
    for (let row = 0; row < out.length; row++) {
      let acc = 0;
      for (let k = this.rowStart[row]!; k < this.rowStart[row + 1]!; k++) acc += this.prob[k]! * this.reward[k]!;
      out[row] = acc;
    }
    return out;
  }

  /** r(s, a) for one pair. */
  rewardSA(s: number, a: number): number {
    const row = s * this.nActions + a;
    let acc = 0;
    for (let k = this.rowStart[row]!; k < this.rowStart[row + 1]!; k++) acc += this.prob[k]! * this.reward[k]!;
    return acc;
  }

  /** r(s) under a policy: sum_a pi(a|s) r(s, a). `policy` is flat n x m; uniform when absent. */
  stateRewards(policy?: ArrayLike<number>): Float64Array {
    const m = this.nActions;
    if (policy && policy.length !== this.nStates * m) {
      throw new PriorError([
        {
          code: "bad-policy-shape",
          path: "policy",
          message: `policy: has ${policy.length} entries, expected ${this.nStates * m} (${this.nStates} states x ${m} actions, flat)`,
        },
      ]);
    }
    const rsa = this.expectedRewards();
    const out = new Float64Array(this.nStates);
    for (let s = 0; s < this.nStates; s++) {
      let acc = 0;
      for (let a = 0; a < m; a++) acc += (policy ? policy[s * m + a]! : 1 / m) * rsa[s * m + a]!;
      out[s] = acc;
    }
    return out;
  }

  /** A copy with another initial distribution (validated). */
  withInitial(initial: ArrayLike<number>): TabularMdp {
    return TabularMdp.fromArrays({ ...this.arrays(), initial: Float64Array.from(initial) }, this.labels());
  }

  /** The arrays, for code that builds a derived MDP. */
  arrays(): MdpArrays {
    const { nStates, nActions, rowStart, next, prob, reward, done, initial } = this;
    return { nStates, nActions, rowStart, next, prob, reward, done, initial };
  }

  /** The labels, for code that builds a derived MDP. */
  labels(): MdpLabels {
    return {
      ...(this.stateNames ? { stateNames: this.stateNames } : {}),
      ...(this.actionNames ? { actionNames: this.actionNames } : {}),
      meta: this.meta,
    };
  }

  /** Name of state s (its label, or its index). */
  stateName(s: number): string {
    return this.stateNames?.[s] ?? String(s);
  }

  /** Name of action a (its label, or its index). */
  actionName(a: number): string {
    return this.actionNames?.[a] ?? String(a);
  }
}

/**
 * Validate arrays and wrap them, reporting `earlier` problems (found by a loader while reading, e.g.
 * a probability that is not a number) together with the rule violations, in table order.
 * @throws {@link MdpValidationError} when there is any problem.
 */
export function buildChecked(arrays: MdpArrays, labels: MdpLabels, earlier: readonly Problem[], options: ValidateOptions = {}): TabularMdp {
  const found = validateMdpArrays(arrays, labels, options);
  if (earlier.length === 0 && found.length === 0) return TabularMdp.fromArrays(arrays, labels, options);
  throw new MdpValidationError(sortProblems([...earlier, ...found]));
}
