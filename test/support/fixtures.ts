/** Small MDPs with known answers, shared by tests. */
import { TabularMdp, type TransitionEntry } from "../../src/index.js";

/** The gamble: from state 0, "safe" ends with reward 0; "gamble" ends with +10 w.p. 0.1 and -3 w.p. 0.9 (mean -1.7). */
export const gamble = TabularMdp.fromLists(
  [
    [
      [{ prob: 1, next: 1, reward: 0, done: true }],
      [
        { prob: 0.1, next: 1, reward: 10, done: true },
        { prob: 0.9, next: 1, reward: -3, done: true },
      ],
    ],
    [[{ prob: 1, next: 1, reward: 0, done: true }], [{ prob: 1, next: 1, reward: 0, done: true }]],
  ],
  { initial: [1, 0], actionNames: ["safe", "gamble"] },
);

/** One transition entry, written short: entry(prob, next, reward, done?). */
export const entry = (prob: number, next: number, reward: number, done = false): TransitionEntry => ({ prob, next, reward, done });

/** Three states, two actions, stochastic transitions, one terminal entry; every episode starts in state 0. */
export const smallStochastic = TabularMdp.fromLists(
  [
    [[entry(0.7, 1, 1), entry(0.3, 2, 1)], [entry(0.4, 0, 0), entry(0.6, 2, 0)]],
    [[entry(0.5, 0, -1), entry(0.5, 2, -1)], [entry(0.2, 1, 0.5), entry(0.8, 2, 0.5, true)]],
    [[entry(0.6, 0, 0.2), entry(0.4, 1, 0.2)], [entry(0.9, 2, -0.5), entry(0.1, 0, -0.5)]],
  ],
  { initial: [1, 0, 0] },
);
