/** Helpers shared by the MDP tests. */
import { expect } from "vitest";
import { InputError, type Problem } from "../../src/errors.js";

/** Runs `f`, expects it to throw an error of class `cls`, and returns that error. */
export function thrown<E extends Error>(f: () => unknown, cls: abstract new (...args: never[]) => E): E {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    return e as E;
  }
  throw new Error(`expected ${cls.name} to be thrown`);
}

/** The problems of the InputError that `f` throws. */
export function problemsOf(f: () => unknown): readonly Problem[] {
  return thrown(f, InputError).problems;
}

/** `{"P": P, ...rest}` as JSON text. */
export function gym(P: unknown, rest: Record<string, unknown> = {}): string {
  return JSON.stringify({ P, ...rest });
}
