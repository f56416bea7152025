/**
 * A model is one descriptor: a dummy model registered here (in the test, not in models/index.ts) is
 * picked up by the CLI's model machinery (its flags parsed and listed in the usage and help, its
 * prior built, its refusals, its JSON keys) and by the derivation (its section), with the right
 * numbers: a one-step problem's V against the closed form alpha log sum_a pi0(a|s) exp(Q(s,a)/alpha),
 * Q(s,a) = sum_k p_k r_k computed here from the entries.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ParameterError, deriveWith, formatDerivation, loadMathJs, solve, tablePrior } from "../../src/index.js";
import { actionScope, evaluateAt, type MathJs } from "../../src/derive/index.js";
import { MODELS, type ModelDescriptor } from "../../models/index.js";
import { defaultModel, modelFlagOptions, modelFromFlags, modelHelp, modelJsonHelp, modelNamed, modelUsage } from "../../src/cli/models.js";
import { parseFlags } from "../../src/cli/common.js";
import { modelJson } from "../../src/cli/commands/solve.js";
import { expectClose, smallMdp } from "../derive/support.js";

/** The lazy prior: weight w on action 0, (1 - w) / (m - 1) on each other action. */
function lazyTable(w: number, n: number, m: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: m }, (_, a) => (a === 0 ? w : (1 - w) / (m - 1))));
}

const LAZY = {
  name: "lazy",
  prior: "pi0(0|s) = w, (1 - w) / (m - 1) for every other action",
  objective: "max_pi E[ sum_t gamma^t (r_t - alpha KL(pi(.|s_t) || pi0)) ]",
  closedForm: "one step: V(s) = alpha log sum_a pi0(a|s) exp(Q(s,a)/alpha)",
  help: "prior w on action 0 from --lazy-weight",
  deriveHelp: "a prior that favours action 0",
  jsonHelp: "also lazy_weight",
  flags: [{ name: "lazy-weight", usage: "[--lazy-weight W]", help: ["  --lazy-weight W  with --model lazy: the prior weight of action 0"], otherModel: "is the weight of --model lazy; give --model lazy" }],
  ownPrior: "use --lazy-weight",
  temperatureName: "alpha",
  entropyForm: false,
  build({ mdp, flag }) {
    const text = flag("lazy-weight");
    if (text === undefined) throw new ParameterError("--lazy-weight", "is required with --model lazy");
    const w = Number(text);
    return { prior: tablePrior(lazyTable(w, mdp.nStates, mdp.nActions), mdp.nStates, mdp.nActions), warnings: w > 0.99 ? ["nearly a point mass"] : [], json: { lazy_weight: w } };
  },
  symbolic: {
    name: "lazy",
    notation: { text: "pi_lazy(a|s)", tex: "\\pi_{\\mathrm{lazy}}(a \\mid s)", nextText: "pi_lazy(a'|s')", nextTex: "\\pi_{\\mathrm{lazy}}(a' \\mid s')" },
    section(k, c) {
      return {
        title: "Lazy: a prior that favours action 0",
        priorDefinition: k.tpl("pi0"),
        V: c.prior.result,
        policy: c.prior.policy!,
        equations: [k.equation("backup", "V", c.prior.result, "the prior factor's rule with the lazy prior")],
        notes: [c.actionRule === "max" ? "max: only the support counts" : "tempered: the weights count"],
      };
    },
  },
} as const satisfies ModelDescriptor;

const REGISTRY: readonly ModelDescriptor[] = [...MODELS, LAZY];

const FLAGS = { model: { type: "string" }, prior: { type: "string" }, entropy: { type: "boolean" }, ...modelFlagOptions(REGISTRY) } as const;
const noPriorFile = (): never => {
  throw new Error("no --prior file in these tests");
};

describe("a model registered as one descriptor", () => {
  const mdp = smallMdp();
  const { nStates: n, nActions: m } = mdp;

  it("its flag is parsed, listed in the usage and the help, and refused with another model", () => {
    const { values } = parseFlags(["--model", "lazy", "--lazy-weight", "0.6"], FLAGS, "usage");
    expect((values as Record<string, unknown>)["lazy-weight"]).toBe("0.6");
    expect(modelUsage(REGISTRY)).toBe("[--model maxent|rlhf|demonstration|lazy] [--reference REF.json] [--beta B] [--demos DEMOS.json] [--lazy-weight W]");
    const help = modelHelp(REGISTRY);
    expect(help).toContain("                   lazy (prior w on action 0 from --lazy-weight)");
    expect(help).toContain("  --lazy-weight W  with --model lazy: the prior weight of action 0");
    expect(modelJsonHelp(REGISTRY)).toBe("with --model demonstration also pi_D and demo_counts (n x m) and restricted_states; with --model lazy also lazy_weight;");
    expect(modelNamed("lazy", "--model", REGISTRY)).toBe(LAZY);
    expect(() => modelNamed("lazy", "--model")).toThrow(/--model: "lazy" is not one of maxent, rlhf, demonstration$/);
    expect(() => modelFromFlags({ "lazy-weight": "0.5" }, mdp, noPriorFile, REGISTRY)).toThrow("--lazy-weight: is the weight of --model lazy; give --model lazy");
    expect(() => modelFromFlags({ model: "lazy" }, mdp, noPriorFile, REGISTRY)).toThrow("--lazy-weight: is required with --model lazy");
    expect(() => modelFromFlags({ model: "lazy", entropy: true, "lazy-weight": "0.5" }, mdp, noPriorFile, REGISTRY)).toThrow("--entropy: the entropy form belongs to --model maxent, not lazy");
    expect(() => modelFromFlags({ model: "lazy", prior: "p.json" }, mdp, noPriorFile, REGISTRY)).toThrow("--prior: --model lazy builds its own prior (use --lazy-weight); give --prior without --model");
    expect(defaultModel(REGISTRY)).toBe(MODELS[0]);
  });

  it("its prior is built and solved with, and its JSON keys follow the run's", () => {
    const w = 0.995;
    const setup = modelFromFlags({ model: "lazy", "lazy-weight": String(w) }, mdp, noPriorFile, REGISTRY);
    expect(setup.name).toBe("lazy");
    expect(setup.descriptor).toBe(LAZY);
    const alpha = 0.7;
    const res = solve(mdp, { backup: "variational", alpha, horizon: 1, prior: setup.prior! });
    for (let s = 0; s < n; s++) {
      // Q(s,a) = sum_k p_k r_k at the last step; V(s) = alpha log sum_a pi0(a|s) exp(Q/alpha), written here.
      let z = 0;
      for (let a = 0; a < m; a++) {
        let q = 0;
        for (const entry of mdp.entries(s, a)) q += entry.prob * entry.reward;
        z += (a === 0 ? w : (1 - w) / (m - 1)) * Math.exp(q / alpha);
      }
      expectClose(res.V[s]!, alpha * Math.log(z), `V(${s})`);
    }
    const json = modelJson({ backup: "variational", V: [0], warnings: ["from the run"] }, setup);
    expect(Object.keys(json)).toEqual(["model", "backup", "V", "warnings", "lazy_weight"]);
    expect(json).toMatchObject({ model: "lazy", lazy_weight: w, warnings: ["nearly a point mass", "from the run"] });
  });

  describe("its derivation section", () => {
    let math: MathJs;
    beforeAll(async () => {
      math = await loadMathJs();
    });

    it("is put into the derivation, and its V evaluated with the built prior is the engine's", () => {
      const w = 0.6;
      const prior = modelFromFlags({ model: "lazy", "lazy-weight": String(w) }, mdp, noPriorFile, REGISTRY).prior!;
      for (const backup of ["exact", "variational"] as const) {
        const d = deriveWith(math, { backup, model: LAZY.symbolic });
        expect(d.model).toBe("lazy");
        const section = d.modelSection!;
        expect(section.notes).toEqual(["tempered: the weights count"]);
        const text = formatDerivation(d, "text");
        expect(text).toContain("model:  lazy, Lazy: a prior that favours action 0");
        expect(text).toContain("pi_lazy(a|s)");
        expect(formatDerivation(d, "latex")).toContain("--model lazy --format latex");
        const alpha = 0.4;
        const res = solve(mdp, { backup, alpha, gamma: 0.9, horizon: 3, prior });
        for (let s = 0; s < n; s++) {
          expectClose(evaluateAt(math, section.V, { actions: m }, actionScope(res.Q, prior.probs, s, m, alpha)), res.V[s]!, `${backup} lazy V(${s})`, 1e-9);
        }
      }
      expect(deriveWith(math, { backup: "hard", model: LAZY.symbolic }).modelSection!.notes).toEqual(["max: only the support counts"]);
    });

    it("without a model there is no model section and pi0 stays unnamed", () => {
      const d = deriveWith(math, { backup: "variational" });
      expect(d.model).toBeNull();
      expect(d.modelSection).toBeNull();
      expect(formatDerivation(d, "text")).not.toContain("model:");
      expect(formatDerivation(d, "latex")).toMatch(/^% cai derive --backup variational --format latex$/m);
    });
  });
});
