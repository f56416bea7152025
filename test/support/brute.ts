/**
 * Brute force over trajectories, the oracle of the property tests: the enumerator lives in
 * src/diagnostics/enumerate.ts (so that `cai demo` runs the same, tested code); re-exported here.
 */
export * from "../../src/diagnostics/enumerate.js";
