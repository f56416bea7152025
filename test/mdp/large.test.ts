/**
 * A generated 100k-state Gymnasium P JSON (the layout json.dump(env.P) writes: objects keyed by
 * strings) loads correctly. No timing assertion: speed belongs to the benchmarks.
 */
import { describe, expect, it } from "vitest";
import { parseMdp, summarizeMdp } from "../../src/index.js";

const N = 100_000;
const M = 4;

/** Entries of (s, a): three successors, rewards that encode s and a, done on every 10th state. */
function entriesOf(s: number, a: number): [number, number, number, boolean][] {
  return [
    [0.5, (s + 1) % N, s + a / 10, false],
    [0.25, (s + 7 * (a + 1)) % N, 0 - a, false],
    [0.25, s, 0, s % 10 === 0],
  ];
}

function generate(): string {
  const parts: string[] = ['{"P": {'];
  for (let s = 0; s < N; s++) {
    const acts: string[] = [];
    for (let a = 0; a < M; a++) acts.push(`"${a}": ${JSON.stringify(entriesOf(s, a))}`);
    parts.push(`${s === 0 ? "" : ", "}"${s}": {${acts.join(", ")}}`);
  }
  parts.push('}, "env": "generated"}');
  return parts.join("");
}

describe("a 100k-state Gymnasium P JSON", () => {
  it("loads with the right sizes and entries", () => {
    const mdp = parseMdp(generate(), "generated.json");
    expect([mdp.nStates, mdp.nActions, mdp.nnz]).toEqual([N, M, N * M * 3]);
    for (const s of [0, 1, 12_345, 99_990, N - 1]) {
      for (let a = 0; a < M; a++) {
        expect(mdp.entries(s, a)).toEqual(entriesOf(s, a).map(([prob, next, reward, done]) => ({ prob, next, reward, done })));
      }
    }
    expect(mdp.initial[N - 1]).toBe(1 / N);
    const summary = summarizeMdp(mdp);
    expect(summary.terminalEntries).toBe((N / 10) * M);
    expect([summary.rewardMin, summary.rewardMax]).toEqual([-3, N - 1 + 0.3]);
  });
});
