/**
 * The trajectory factor graph of control as inference, on graphology (wrapped, not subclassed).
 *
 * Variables: states s_t, actions a_t, and optimality variables O_t (observed, O_t = 1).
 * Factors:   p0(s_0)                                  initial distribution      (interface "out")
 *            pi0(a_t | s_t)                           action prior              ("s", "a")
 *            P(s_t+1 | s_t, a_t) exp(r(s_t,a_t,s_t+1)/alpha) = p(s_t+1, O_t = 1 | s_t, a_t)
 *                                                     dynamics x optimality     ("s", "a", "next", "O")
 *
 * Meaning of `done` and of the discount: a done entry ends the episode (the successor is the
 * absorbing state with value 0); with gamma < 1 every live transition reaches that absorbing "death"
 * state with probability 1 - gamma. The state variables' domain is then the n states plus death (+).
 *
 * Finite horizon H: the graph is unrolled over t = 0..H-1 (with s_H the last state variable).
 * Infinite horizon: the stationary one-slice graph, whose dynamics factor's "next" interface loops
 * back to s itself (a multigraph edge): iterating messages around that loop is soft value iteration.
 *
 * graphology holds structure only; per-state numbers live in typed arrays elsewhere.
 */
import { checkGraphHorizon } from "../limits.js";
import { MultiUndirectedGraph } from "graphology";
import { ParameterError } from "../errors.js";

export type VariableKind = "state" | "action" | "optimality";
export type FactorKind = "initial" | "prior" | "dynamics";
/** Interface names on the edges between a factor and its variables. */
export type InterfaceName = "out" | "s" | "a" | "next" | "O";

export interface VariableAttributes {
  readonly role: "variable";
  readonly kind: VariableKind;
  /** Time index; null in the stationary graph. */
  readonly t: number | null;
  readonly label: string;
  readonly observed: boolean;
  /** What the variable ranges over, e.g. "16 states + death" or "4 actions" or "{1} (observed)". */
  readonly domain: string;
}

export interface FactorAttributes {
  readonly role: "factor";
  readonly kind: FactorKind;
  readonly t: number | null;
  readonly label: string;
  /** The factor's potential, in words. */
  readonly formula: string;
}

export type NodeAttributes = VariableAttributes | FactorAttributes;

export interface EdgeAttributes {
  readonly interface: InterfaceName;
}

export interface GraphAttributes {
  readonly horizon: number | null;
  readonly stationary: boolean;
  readonly nStates: number;
  readonly nActions: number;
  readonly gamma: number;
  /** True when the state domain includes the absorbing death state (gamma < 1 or done entries). */
  readonly deathState: boolean;
}

/** What the graph needs to know about the MDP: sizes and whether episodes can end. */
export interface GraphSpec {
  readonly nStates: number;
  readonly nActions: number;
  readonly hasTerminal: boolean;
  readonly gamma: number;
  /** A positive integer for the unrolled graph; absent for the stationary one-slice graph. */
  readonly horizon?: number;
}

/** The trajectory factor graph; `graph` is the graphology multigraph. */
export class TrajectoryGraph {
  readonly graph: MultiUndirectedGraph<NodeAttributes, EdgeAttributes, GraphAttributes>;

  private constructor(graph: MultiUndirectedGraph<NodeAttributes, EdgeAttributes, GraphAttributes>) {
    this.graph = graph;
  }

  /**
   * The graph of an MDP: its sizes, whether it has terminal entries (then the state domain includes
   * the absorbing end state), the discount, and the horizon (absent or null: the stationary slice).
   */
  static forMdp(mdp: { readonly nStates: number; readonly nActions: number; readonly done: Uint8Array }, gamma: number, horizon?: number | null): TrajectoryGraph {
    const hasTerminal = mdp.done.includes(1);
    const spec = { nStates: mdp.nStates, nActions: mdp.nActions, hasTerminal, gamma };
    return TrajectoryGraph.build(horizon === undefined || horizon === null ? spec : { ...spec, horizon });
  }

  /** Build the unrolled graph (when `spec.horizon` is given) or the stationary one-slice graph. */
  static build(spec: GraphSpec): TrajectoryGraph {
    const stationary = spec.horizon === undefined;
    const H = spec.horizon ?? 1;
    if (!stationary && (!Number.isInteger(H) || H < 1)) throw new ParameterError("horizon", `must be an integer >= 1, got ${H}`);
    if (!stationary) checkGraphHorizon(H);
    const deathState = spec.gamma < 1 || spec.hasTerminal;
    const g = new MultiUndirectedGraph<NodeAttributes, EdgeAttributes, GraphAttributes>();
    g.replaceAttributes({ horizon: stationary ? null : H, stationary, nStates: spec.nStates, nActions: spec.nActions, gamma: spec.gamma, deathState });
    const stateDomain = `${spec.nStates} states${deathState ? " + death" : ""}`;
    const name = (base: string, t: number) => (stationary ? base : `${base}_${t}`);
    const nextName = (t: number) => (stationary ? "s" : `s_${t + 1}`);
    const addVar = (key: string, kind: VariableKind, t: number, observed: boolean, domain: string) =>
      g.addNode(key, { role: "variable", kind, t: stationary ? null : t, label: key, observed, domain });
    const addFactor = (key: string, kind: FactorKind, t: number, formula: string) =>
      g.addNode(key, { role: "factor", kind, t: stationary ? null : t, label: key, formula });
    const connect = (factor: string, variable: string, iface: InterfaceName) => g.addEdge(factor, variable, { interface: iface });

    addVar(name("s", 0), "state", 0, false, stateDomain);
    addFactor("p0", "initial", 0, "p0(s_0)");
    connect("p0", name("s", 0), "out");
    const discount = spec.gamma < 1 ? `, death with probability ${1 - spec.gamma}` : "";
    for (let t = 0; t < H; t++) {
      const s = name("s", t);
      const a = name("a", t);
      const o = name("O", t);
      addVar(a, "action", t, false, `${spec.nActions} actions`);
      addVar(o, "optimality", t, true, "{1} (observed)");
      if (!stationary) addVar(nextName(t), "state", t + 1, false, stateDomain);
      const pi = name("pi0", t);
      addFactor(pi, "prior", t, `pi0(${a} | ${s})`);
      connect(pi, s, "s");
      connect(pi, a, "a");
      const P = name("P", t);
      // In the stationary slice the "next" edge loops back to s, but the formula's next state is s'.
      const nextState = stationary ? "s'" : nextName(t);
      addFactor(P, "dynamics", t, `P(${nextState} | ${s}, ${a}) exp(r(${s}, ${a}, ${nextState}) / alpha)${discount}`);
      connect(P, s, "s");
      connect(P, a, "a");
      connect(P, nextName(t), "next");
      connect(P, o, "O");
    }
    return new TrajectoryGraph(g);
  }

  get stationary(): boolean {
    return this.graph.getAttribute("stationary");
  }

  get horizon(): number | null {
    return this.graph.getAttribute("horizon");
  }

  /** The variable on interface `iface` of `factor`. */
  neighbourOn(factor: string, iface: InterfaceName): string {
    for (const e of this.graph.edges(factor)) {
      if (this.graph.getEdgeAttribute(e, "interface") === iface) return this.graph.opposite(factor, e);
    }
    throw new Error(`factor ${factor} has no "${iface}" interface`);
  }

  /** Factors attached to a variable, with the interface each uses. */
  factorsOf(variable: string): Array<{ factor: string; kind: FactorKind; iface: InterfaceName }> {
    const out: Array<{ factor: string; kind: FactorKind; iface: InterfaceName }> = [];
    for (const e of this.graph.edges(variable)) {
      const f = this.graph.opposite(variable, e);
      const attrs = this.graph.getNodeAttributes(f);
      if (attrs.role === "factor") out.push({ factor: f, kind: attrs.kind, iface: this.graph.getEdgeAttribute(e, "interface") });
    }
    return out;
  }

  /** Nodes, factors and edges (with their interface names) as plain JSON. */
  toJSON(): GraphJson {
    const g = this.graph;
    return {
      attributes: g.getAttributes(),
      variables: g.filterNodes((_n, a) => a.role === "variable").map((key) => ({ key, ...(g.getNodeAttributes(key) as VariableAttributes) })),
      factors: g.filterNodes((_n, a) => a.role === "factor").map((key) => ({ key, ...(g.getNodeAttributes(key) as FactorAttributes) })),
      edges: g.mapEdges((_e, attrs, source, target) => {
        const factorFirst = g.getNodeAttribute(source, "role") === "factor";
        return { factor: factorFirst ? source : target, variable: factorFirst ? target : source, interface: attrs.interface };
      }),
    };
  }

  /** Graphviz DOT: variables as circles (observed O_t shaded), factors as small squares, interfaces as edge labels. */
  toDot(): string {
    const g = this.graph;
    const lines = [`graph trajectory {`, `  graph [rankdir=LR, label="${this.stationary ? "stationary slice (P.next loops back to s)" : `horizon ${this.horizon}`}"];`];
    g.forEachNode((key, a) => {
      if (a.role === "variable") {
        lines.push(`  "${key}" [shape=circle${a.observed ? ", style=filled, fillcolor=gray75" : ""}, tooltip="${a.domain}"];`);
      } else {
        lines.push(`  "${key}" [shape=box, width=0.3, height=0.3, style=filled, fillcolor=black, fontcolor=white, tooltip="${a.formula.replace(/"/g, "'")}"];`);
      }
    });
    g.forEachEdge((_e, attrs, source, target) => {
      const factorFirst = g.getNodeAttribute(source, "role") === "factor";
      lines.push(`  "${factorFirst ? source : target}" -- "${factorFirst ? target : source}" [label="${attrs.interface}"];`);
    });
    lines.push("}");
    return lines.join("\n") + "\n";
  }
}

export interface GraphJson {
  attributes: GraphAttributes;
  variables: Array<{ key: string } & VariableAttributes>;
  factors: Array<{ key: string } & FactorAttributes>;
  edges: Array<{ factor: string; variable: string; interface: InterfaceName }>;
}
