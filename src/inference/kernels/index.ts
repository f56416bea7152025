/**
 * The engine's sweep kernels for infinite-horizon message passing (used by solve.ts): the fused
 * per-state sweep and its fast expm1/log1p (sweep-core.ts), the compact table and the Gauss-Seidel
 * order read off the transition graph (plan.ts), and the sweeper that runs the schedules on one or
 * more threads (sweeper.ts). Internal: `solve` takes `schedule`, `threads` and `onSweep`.
 */
export { expm1Fast, log1pFast, sweepRange, type SweepData } from "./sweep-core.js";
export { compileDynamics, compilePrior, gaussSeidelDirection, type CompiledDynamics } from "./plan.js";
export { openSweeper, autoThreads, THREAD_MIN_ENTRIES, PRIORITY_SWEEPS, PRIORITY_CUT, PRIORITY_STOP, type Sweeper, type SweeperOptions, type SweepSchedule } from "./sweeper.js";
