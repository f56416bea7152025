import { frozenLake, solve } from "../../src/index.js";
import { demonstrationPrior, hardGapBound } from "../../models/index.js";

const mdp = frozenLake({ map: "4x4", isSlippery: true });
const n = mdp.nStates;
const m = mdp.nActions;
const res = solve(mdp, { backup: "variational", alpha: 0.1, gamma: 0.99 });

// Q and policy are flat n x m arrays, row-major: Q[s * m + a]; V has n entries.
const row = (table: Float64Array, s: number) => Array.from(table.subarray(s * m, (s + 1) * m), (x) => x.toFixed(4));
console.log(`V(0) = ${res.V[0]!.toFixed(4)}; Q(0, .) = ${row(res.Q, 0).join(" ")}; q(. | 0) = ${row(res.policy, 0).join(" ")}`);
console.log(`converged ${res.converged} after ${res.iterations} sweeps; logZ ${res.logZ} (finite horizons only)`);

// A model from control-as-inference/models builds the prior; the engine takes it as `prior`.
const counts = new Float64Array(n * m);
counts[0 * m + 1] = 3; // state 0: DOWN demonstrated three times,
counts[0 * m + 2] = 1; // RIGHT once
const demo = demonstrationPrior(counts, n, m, 0.5);
const imitation = solve(mdp, { alpha: 0.1, gamma: 0.99, prior: demo.prior });
console.log(`pi_D(. | 0) = ${row(demo.prior.probs, 0).join(" ")}; q(. | 0) = ${row(imitation.policy, 0).join(" ")}`);
console.log(`hard - KL values differ by at most ${hardGapBound(0.1, m, 0.99).toFixed(4)}`);
