/**
 * Reachability on the transition graph, in one place: which states a start distribution reaches,
 * which states can end their episodes, which can avoid ending forever, and the strongly connected
 * components. Each walk follows positive-probability entries of the actions a `support` allows
 * (flat n x m, > 0 where an action may be taken); a done entry ends the episode (it leads nowhere).
 */
import type { MdpArrays } from "./tabular.js";

/**
 * States reachable from the states with p0 > 0 along positive-probability entries of the actions
 * `support` allows (all actions when absent). By default a done entry leads nowhere (the states an
 * episode can act in); with `throughDone` its successor counts too (every state an episode can
 * occupy, the pictures' notion).
 */
export function reachableFromStart(mdp: MdpArrays, options: { readonly support?: ArrayLike<number>; readonly throughDone?: boolean } = {}): Uint8Array {
  const { nStates: n, nActions: m, rowStart, next, prob, done } = mdp;
  const { support, throughDone = false } = options;
  const seen = new Uint8Array(n);
  const stack: number[] = [];
  for (let s = 0; s < n; s++) {
    if (mdp.initial[s]! > 0) {
      seen[s] = 1;
      stack.push(s);
    }
  }
  while (stack.length > 0) {
    const s = stack.pop()!;
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      if (support && !(support[row]! > 0)) continue;
      for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
        const t = next[k]!;
        if (prob[k]! > 0 && (throughDone || !done[k]) && !seen[t]) {
          seen[t] = 1;
          stack.push(t);
        }
      }
    }
  }
  return seen;
}

/**
 * States from which no episode can end when actions are drawn from `support` (flat n x m, > 0 where
 * an action may be taken): no positive-probability path reaches a done entry. With gamma = 1 a
 * policy with this support evaluates to a singular system exactly when the list is not empty.
 */
export function statesThatNeverEnd(mdp: MdpArrays, support: ArrayLike<number>): number[] {
  const { nStates: n, nActions: m, rowStart, next, prob, done } = mdp;
  // Reverse edges s' -> s over live entries of supported actions; seeds: states with a done entry.
  const ends = new Uint8Array(n);
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      if (!(support[row]! > 0)) continue;
      for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
        if (!(prob[k]! > 0)) continue;
        if (done[k]) ends[s] = 1;
        else preds[next[k]!]!.push(s);
      }
    }
  }
  const stack: number[] = [];
  for (let s = 0; s < n; s++) if (ends[s]) stack.push(s);
  while (stack.length > 0) {
    const t = stack.pop()!;
    for (const s of preds[t]!) {
      if (!ends[s]) {
        ends[s] = 1;
        stack.push(s);
      }
    }
  }
  const out: number[] = [];
  for (let s = 0; s < n; s++) if (!ends[s]) out.push(s);
  return out;
}

/**
 * States from which some policy never ends the episode (sorted); empty when every trajectory ends.
 * A state is "trapped" when some policy on the prior's support keeps it, with probability 1, among
 * states that are themselves trapped, on live (not done) entries: the end components that avoid
 * termination. With gamma = 1 and no horizon, every trajectory ends exactly when no state is trapped.
 */
export function trappedStates(mdp: MdpArrays, prior: { readonly probs: ArrayLike<number> }): number[] {
  const { nStates: n, nActions: m, rowStart, next, prob, done } = mdp;
  const inSet = new Uint8Array(n).fill(1);
  let changed = true;
  while (changed) {
    changed = false;
    for (let s = 0; s < n; s++) {
      if (!inSet[s]) continue;
      let keeps = false;
      for (let a = 0; a < m && !keeps; a++) {
        const row = s * m + a;
        if (!(prior.probs[row]! > 0)) continue;
        let ok = true;
        for (let k = rowStart[row]!; k < rowStart[row + 1]! && ok; k++) {
          if (prob[k]! > 0 && (done[k] || !inSet[next[k]!])) ok = false;
        }
        keeps = ok;
      }
      if (!keeps) {
        inSet[s] = 0;
        changed = true;
      }
    }
  }
  const out: number[] = [];
  for (let s = 0; s < n; s++) if (inSet[s]) out.push(s);
  return out;
}

/**
 * Strongly connected components of a directed graph on n nodes given by adjacency lists (Tarjan,
 * iterative). Components come out in reverse topological order: a component's successors come
 * before it.
 */
export function stronglyConnected(n: number, adj: readonly (readonly number[])[]): number[][] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  const work: [number, number][] = [];
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    work.push([root, 0]);
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const v = frame[0];
      const edges = adj[v]!;
      if (frame[1] < edges.length) {
        const w = edges[frame[1]++]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== v);
        out.push(comp.sort((x, y) => x - y));
      }
    }
  }
  return out;
}
