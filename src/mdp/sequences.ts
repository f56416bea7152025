/**
 * Token-level sequence MDPs: the deterministic MDP of generating a sequence one token at a time.
 *
 * States are the prefixes that are not yet complete (state 0 is the empty prefix, the only start
 * state), actions are the tokens, and appending a token is deterministic. A sequence is complete
 * when it emits the end token, or when it reaches `length` tokens (with no end token, every sequence
 * has exactly `length` tokens). The step that completes a sequence y carries its reward R(y) and is
 * `done`; every other step has reward 0. The `done` steps lead to one extra absorbing state
 * (`<complete>`, last), which is never entered alive (its own entries are zero-reward, done self-loops,
 * the Gymnasium convention for terminal states). A finite horizon of `length` steps covers every
 * sequence.
 */
import { InputError, ParameterError, type Problem } from "../errors.js";
import { TabularMdp, type TransitionEntry } from "./tabular.js";

/** Default cap on the number of prefix states (the table grows as vocabulary^length). */
export const SEQUENCE_STATE_LIMIT = 1_000_000;

/** What a token-level sequence MDP is built from. */
export interface SequenceMdpSpec {
  /** Token names (unique, non-empty, no whitespace), or the number of tokens (named "0", "1", ...). */
  readonly vocabulary: readonly string[] | number;
  /** Maximum number of tokens in a sequence, the end token included (>= 1); also the horizon. */
  readonly length: number;
  /** The end token (index or name); absent: every sequence has exactly `length` tokens. */
  readonly endToken?: number | string;
  /**
   * R(y) of a complete sequence: a function of its token indices, or a table keyed by the token
   * names joined with single spaces (e.g. `"a b <eos>"`). Sequences missing from a table get 0; a key
   * that is not a complete sequence is an error.
   */
  readonly reward: ((tokens: readonly number[]) => number) | Readonly<Record<string, number>>;
  /** Refuse tables with more prefix states than this. @defaultValue 1000000 */
  readonly maxStates?: number;
}

/** One complete sequence y of a {@link SequenceMdp}. */
export interface CompleteSequence {
  /** Token indices y_1..y_k. */
  readonly tokens: readonly number[];
  /** The token names joined with single spaces (the reward table's key). */
  readonly text: string;
  /** R(y). */
  readonly reward: number;
  /** The prefix states visited, one per token: states[i] is the state where tokens[i] is emitted. */
  readonly states: readonly number[];
}

/** A token-level sequence MDP with its bookkeeping. */
export interface SequenceMdp {
  readonly mdp: TabularMdp;
  readonly vocabulary: readonly string[];
  /** Maximum length (tokens), the horizon that covers every sequence. */
  readonly length: number;
  /** Index of the end token, or null for fixed-length sequences. */
  readonly endToken: number | null;
  /** The tokens of each prefix state (the absorbing `<complete>` state has the empty list). */
  readonly prefixes: readonly (readonly number[])[];
  /** Index of the absorbing `<complete>` state (the last state). */
  readonly completeState: number;
  /** Every complete sequence, in breadth-first order of its last prefix, then token order. */
  readonly sequences: readonly CompleteSequence[];
}

/** Number of prefix states: sum_{k < length} b^k with b the tokens that do not end a sequence. */
function countPrefixes(branching: number, length: number): number {
  let total = 0;
  let level = 1;
  for (let k = 0; k < length; k++) {
    total += level;
    level *= branching;
  }
  return total;
}

/**
 * Build the token-level MDP of sequences over a small vocabulary.
 * @throws {@link ParameterError} for a bad vocabulary, length, end token or a table above
 *   `maxStates`; {@link InputError} for rewards that are not finite or table keys that are not
 *   complete sequences (one problem each).
 */
export function sequenceMdp(spec: SequenceMdpSpec): SequenceMdp {
  const { length, maxStates = SEQUENCE_STATE_LIMIT } = spec;
  let vocabulary: string[];
  if (typeof spec.vocabulary === "number") {
    if (!Number.isInteger(spec.vocabulary) || spec.vocabulary < 1) throw new ParameterError("vocabulary", `expected an integer >= 1 or a list of token names, got ${spec.vocabulary}`);
    vocabulary = Array.from({ length: spec.vocabulary }, (_, i) => String(i));
  } else {
    if (!Array.isArray(spec.vocabulary) || spec.vocabulary.length === 0) throw new ParameterError("vocabulary", "expected a non-empty list of token names");
    vocabulary = [...spec.vocabulary];
    const seen = new Set<string>();
    vocabulary.forEach((name, i) => {
      if (typeof name !== "string" || name === "" || /\s/.test(name)) throw new ParameterError(`vocabulary[${i}]`, `token names must be non-empty strings without whitespace, got ${JSON.stringify(name)}`);
      if (seen.has(name)) throw new ParameterError(`vocabulary[${i}]`, `token "${name}" appears twice`);
      seen.add(name);
    });
  }
  const V = vocabulary.length;
  if (!Number.isInteger(length) || length < 1) throw new ParameterError("length", `expected an integer >= 1, got ${length}`);
  let endToken: number | null = null;
  if (spec.endToken !== undefined) {
    endToken = typeof spec.endToken === "number" ? spec.endToken : vocabulary.indexOf(spec.endToken);
    if (!Number.isInteger(endToken) || endToken < 0 || endToken >= V) {
      throw new ParameterError("endToken", `${JSON.stringify(spec.endToken)} is not a token (tokens are 0..${V - 1}: ${vocabulary.join(", ")})`);
    }
  }
  const prefixCount = countPrefixes(endToken === null ? V : V - 1, length);
  if (prefixCount > maxStates) {
    throw new ParameterError("length", `${V} tokens and length ${length} give ${prefixCount} prefix states, more than the limit ${maxStates}`);
  }
  const rewardOf = rewardFunction(spec.reward, vocabulary);
  const problems: Problem[] = [];
  const prefixes: number[][] = [[]];
  const sequences: CompleteSequence[] = [];
  const lists: TransitionEntry[][][] = [];
  const completeState = prefixCount;
  const texts = new Set<string>();
  const pathOf: number[][] = [[]];
  for (let s = 0; s < prefixes.length; s++) {
    const prefix = prefixes[s]!;
    const row: TransitionEntry[][] = [];
    for (let a = 0; a < V; a++) {
      const tokens = [...prefix, a];
      if (a === endToken || tokens.length === length) {
        const text = tokens.map((t) => vocabulary[t]!).join(" ");
        const r = rewardOf(tokens, text);
        if (!Number.isFinite(r)) {
          problems.push({ code: "bad-reward", path: `reward["${text}"]`, message: `reward of the sequence "${text}": ${String(r)} is not a finite number` });
        }
        texts.add(text);
        sequences.push({ tokens, text, reward: r, states: [...pathOf[s]!, s] });
        row.push([{ prob: 1, next: completeState, reward: Number.isFinite(r) ? r : 0, done: true }]);
      } else {
        const next = prefixes.length;
        prefixes.push(tokens);
        pathOf.push([...pathOf[s]!, s]);
        row.push([{ prob: 1, next, reward: 0, done: false }]);
      }
    }
    lists.push(row);
  }
  if (typeof spec.reward !== "function") {
    for (const key of Object.keys(spec.reward)) {
      if (!texts.has(key)) {
        problems.push({
          code: "unknown-sequence",
          path: `reward["${key}"]`,
          message: `reward table: "${key}" is not a complete sequence (tokens ${vocabulary.join(", ")} joined by single spaces, ${endToken === null ? `exactly ${length} tokens` : `ending with "${vocabulary[endToken]}" or ${length} tokens long`})`,
        });
      }
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  lists.push(Array.from({ length: V }, () => [{ prob: 1, next: completeState, reward: 0, done: true }]));
  prefixes.push([]);
  const initial = new Float64Array(prefixes.length);
  initial[0] = 1;
  const stateNames = prefixes.map((p, s) => (s === completeState ? "<complete>" : s === 0 ? "<start>" : p.map((t) => vocabulary[t]!).join(" ")));
  const mdp = TabularMdp.fromLists(lists, {
    initial,
    stateNames,
    actionNames: vocabulary,
    meta: { name: "token-level sequence MDP", vocabulary, length, endToken: endToken === null ? null : vocabulary[endToken]! },
  });
  return { mdp, vocabulary, length, endToken, prefixes, completeState, sequences };
}

function rewardFunction(reward: SequenceMdpSpec["reward"], vocabulary: readonly string[]): (tokens: number[], text: string) => number {
  if (typeof reward === "function") return (tokens) => reward(tokens);
  if (typeof reward !== "object" || reward === null || Array.isArray(reward)) {
    throw new ParameterError("reward", `expected a function of the tokens or a table {"${vocabulary[0]} ...": number}`);
  }
  const table = reward as Readonly<Record<string, unknown>>;
  return (_tokens, text) => {
    if (!Object.prototype.hasOwnProperty.call(table, text)) return 0;
    const v = table[text];
    return typeof v === "number" ? v : NaN;
  };
}
