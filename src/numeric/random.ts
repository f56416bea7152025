/**
 * A small seeded pseudo-random generator: xoshiro128** (Blackman and Vigna), seeded through
 * splitmix32. Same seed, same stream, on every platform and every run; 32-bit state words updated
 * with Math.imul and shifts, so a draw costs a few nanoseconds and allocates nothing.
 *
 * Not for cryptography. Used by the random MDP generator and by sampling-based solvers.
 */
import { ParameterError } from "../errors.js";

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/** One step of splitmix32: returns the next state and its mixed output. */
function splitmix32(state: number): [next: number, out: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [next, (z ^ (z >>> 15)) >>> 0];
}

/**
 * A seeded generator (xoshiro128**). Construct with an integer seed; every method draws from the
 * same stream, in call order.
 *
 * @example
 * const rng = new Rng(1);
 * rng.float();         // in [0, 1), 53 random bits
 * rng.int(6);          // in 0..5, unbiased
 * rng.categorical(mdp.prob, k0, k1);  // an entry index k in [k0, k1), with probability prob[k]
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * @param seed - any safe integer (negative allowed); both 32-bit halves are used.
   * @throws {@link ParameterError} when the seed is not a safe integer.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new ParameterError("seed", `expected a safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_32) >>> 0;
    let st = lo ^ Math.imul(hi, 0x85ebca6b);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(st);
      st = next;
      words.push(out);
    }
    this.s0 = words[0]!;
    this.s1 = words[1]!;
    this.s2 = words[2]!;
    this.s3 = words[3]!;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits (two 32-bit draws). */
  float(): number {
    const a = this.uint32() >>> 5; // 27 bits
    const b = this.uint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / TWO_53;
  }

  /**
   * A uniform integer in [0, n), without modulo bias (rejection) for n up to 2^32.
   * @throws {@link ParameterError} when n is not a positive safe integer.
   */
  int(n: number): number {
    if (!(Number.isSafeInteger(n) && n > 0)) throw new ParameterError("n", `expected a positive integer, got ${n}`);
    if (n <= TWO_32) {
      const limit = TWO_32 - (TWO_32 % n);
      for (;;) {
        const x = this.uint32();
        if (x < limit) return x % n;
      }
    }
    return Math.floor(this.float() * n);
  }

  /** A uniform double in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  /** An exponential variate with rate 1 (mean 1). */
  exponential(): number {
    return -Math.log1p(-this.float());
  }

  /** A standard normal variate (Box-Muller; one variate per two uniforms, nothing cached). */
  normal(): number {
    const u = 1 - this.float(); // (0, 1]
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * An index k in [from, to) drawn with probability proportional to weights[k] (weights >= 0,
   * not necessarily normalised). Reads a CSR row of transition probabilities directly.
   * Returns -1 when the range is empty or all its weights are zero.
   */
  categorical(weights: ArrayLike<number>, from = 0, to = weights.length): number {
    let total = 0;
    for (let k = from; k < to; k++) total += weights[k]!;
    if (!(total > 0)) return -1;
    const u = this.float() * total;
    let acc = 0;
    let last = -1;
    for (let k = from; k < to; k++) {
      const w = weights[k]!;
      if (w <= 0) continue;
      acc += w;
      last = k;
      if (u < acc) return k;
    }
    return last; // rounding left u at the very top: the last positive weight
  }

  /** Shuffle a[from..to) in place (Fisher-Yates). */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T, from = 0, to = a.length): T {
    for (let i = to - 1; i > from; i--) {
      const j = from + this.int(i - from + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** The four state words (to save a stream position). */
  state(): Uint32Array {
    return Uint32Array.of(this.s0, this.s1, this.s2, this.s3);
  }

  /** A generator that continues from a saved {@link Rng.state}. */
  static fromState(state: ArrayLike<number>): Rng {
    if (state.length !== 4) throw new ParameterError("state", `expected 4 words, got ${state.length}`);
    const r = new Rng(0);
    r.s0 = state[0]! | 0;
    r.s1 = state[1]! | 0;
    r.s2 = state[2]! | 0;
    r.s3 = state[3]! | 0;
    if ((r.s0 | r.s1 | r.s2 | r.s3) === 0) throw new ParameterError("state", "the all-zero state is not a valid xoshiro128** state");
    return r;
  }

  /** An independent copy at the same stream position. */
  clone(): Rng {
    return Rng.fromState(this.state());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
