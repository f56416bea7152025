/** Small MDPs with known answers, shared by tests. */
import { TabularMdp } from "../../src/index.js";

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
