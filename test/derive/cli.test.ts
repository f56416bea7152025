/**
 * `cai derive` on the command line: what it prints for each backup and model (the backups it
 * simplifies to, the priors, RLHF's closed form and DPO, the support problem), LaTeX output, the
 * unrolled schedule, and bad usage (exit 2, one line, before mathjs is loaded).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { deriveWith, formatDerivation, loadMathJs } from "../../src/index.js";
import { MODELS } from "../../models/index.js";
import type { MathJs } from "../../src/derive/index.js";
import { cliSandbox, expectInputError } from "../support/cli.js";

const { cai } = cliSandbox("cai-derive-");

let math: MathJs;
beforeAll(async () => {
  math = await loadMathJs();
});

/** Every line of `text` that starts (after indentation) with `lhs =`. */
const linesOf = (text: string, lhs: string) => text.split("\n").filter((l) => l.trimStart().startsWith(`${lhs} =`)).map((l) => l.trim());

describe("cai derive prints the derivation read off the graph", () => {
  it("the default backup is variational, as in every other command", () => {
    const r = cai(["derive"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("backup: variational");
    expect(r.stdout).toBe(cai(["derive", "--backup", "variational"]).stdout);
  });

  it("exact: the message as a sum of products, its log, Q = r + alpha log E[exp(V'/alpha)], V, the posterior policy and log Z", () => {
    const r = cai(["derive", "--backup", "exact"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    const out = r.stdout;
    expect(out).toContain("backup: exact");
    expect(out).toContain("1. P_t -> (s_t, a_t) from s_t+1 (\"next\")");
    expect(out).toContain("2. pi0_t -> s_t from a_t");
    expect(out).toContain("3. p0 closes at s_0");
    expect(linesOf(out, "beta_t(s,a)")).toEqual([
      "beta_t(s,a) = sum_{s'} P(s'|s,a) * exp(r(s,a,s') / alpha) * (gamma * beta_{t+1}(s') + (1 - gamma) * 1)",
      "beta_t(s,a) = sum_{s'} P(s'|s,a) * exp(r(s,a,s') / alpha) * (gamma * exp(V_{t+1}(s') / alpha) + 1 - gamma)",
    ]);
    expect(linesOf(out, "log beta_t(s,a)")).toEqual(["log beta_t(s,a) = log(sum_{s'} P(s'|s,a) * exp(r(s,a,s') / alpha) * (gamma * exp(V_{t+1}(s') / alpha) + 1 - gamma))"]);
    expect(linesOf(out, "Q_t(s,a)")).toEqual([
      "Q_t(s,a) = alpha * log(E_{s'~P(.|s,a)}[exp(r(s,a,s') / alpha) * (gamma * exp(V_{t+1}(s') / alpha) + 1 - gamma)])",
      "Q_t(s,a) = r(s,a) + alpha * log(E_{s'~P(.|s,a)}[exp(V_{t+1}(s') / alpha)])",
      "Q_t(s,a) = r(s,a) + alpha * log(E_{s'~P(.|s,a)}[sum_{a'} pi0(a'|s') * exp(Q_{t+1}(s',a') / alpha)])",
    ]);
    expect(out).toContain("when: gamma = 1 and r = r(s,a) does not depend on s'");
    expect(linesOf(out, "V_t(s)")).toEqual(["V_t(s) = alpha * log(sum_a pi0(a|s) * exp(Q_t(s,a) / alpha))", "V_t(s) = alpha * (log(sum_a exp(Q_t(s,a) / alpha)) - log(m))"]);
    expect(linesOf(out, "q_t(a|s)")).toContain("q_t(a|s) = pi0(a|s) * exp((Q_t(s,a) - V_t(s)) / alpha)");
    expect(linesOf(out, "log Z")).toEqual(["log Z = log(sum_s p0(s) * exp(V_0(s) / alpha))"]);
    expect(linesOf(out, "pi0(a|s)")).toEqual(["pi0(a|s) = 1 / m"]);
  });

  it("variational: the exp of an expected log, and Q = r + gamma E[V']", () => {
    const r = cai(["derive", "--backup", "variational"]);
    expect(r.status).toBe(0);
    expect(linesOf(r.stdout, "log beta_t(s,a)")).toEqual(["log beta_t(s,a) = sum_{s'} P(s'|s,a) * (r(s,a,s') + gamma * V_{t+1}(s')) / alpha"]);
    expect(linesOf(r.stdout, "Q_t(s,a)")).toEqual([
      "Q_t(s,a) = E_{s'~P(.|s,a)}[r(s,a,s') + gamma * V_{t+1}(s')]",
      "Q_t(s,a) = r(s,a) + gamma * E_{s'~P(.|s,a)}[V_{t+1}(s')]",
      "Q_t(s,a) = r(s,a) + gamma * E_{s'~P(.|s,a)}[alpha * log(sum_{a'} pi0(a'|s') * exp(Q_{t+1}(s',a') / alpha))]",
    ]);
    expect(linesOf(r.stdout, "ELBO(q*)")).toEqual(["ELBO(q*) = sum_s p0(s) * log(beta_0(s))", "ELBO(q*) = sum_s p0(s) * V_0(s) / alpha"]);
  });

  it("hard: V is the max over the prior's support, Q = r + gamma E[max_a' Q']", () => {
    const r = cai(["derive", "--backup", "hard", "--model", "demonstration"]);
    expect(r.status).toBe(0);
    expect(linesOf(r.stdout, "V_t(s)")).toContain("V_t(s) = max_{a: pi_D(a|s) > 0} Q_t(s,a)");
    expect(linesOf(r.stdout, "Q_t(s,a)")).toContain("Q_t(s,a) = r(s,a) + gamma * E_{s'~P(.|s,a)}[max_{a': pi_D(a'|s') > 0} Q_{t+1}(s',a')]");
    expect(linesOf(r.stdout, "J")).toEqual(["J = sum_s p0(s) * V_0(s)"]);
    expect(linesOf(r.stdout, "pi0(a|s)")).toEqual(["pi0(a|s) = (N(s,a) + lambda) / (N(s) + m * lambda)"]);
    expect(linesOf(r.stdout, "pi_D(a|s)")).toEqual(["pi_D(a|s) = N(s,a) / N(s)"]);
    expect(r.stdout).toContain("the support problem");
  });

  it("rlhf: the reference policy as the prior, the one-step closed form and DPO's implicit reward", () => {
    const r = cai(["derive", "--backup", "variational", "--model", "rlhf"]);
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(linesOf(out, "V_t(s)")).toContain("V_t(s) = alpha * log(sum_a pi_ref(a|s) * exp(Q_t(s,a) / alpha))");
    expect(linesOf(out, "Q(x,y)")).toEqual(["Q(x,y) = r(x,y)"]);
    expect(linesOf(out, "Z(x)")).toEqual(["Z(x) = sum_y pi_ref(y|x) * exp(r(x,y) / alpha)"]);
    expect(linesOf(out, "pi*(y|x)")).toEqual(["pi*(y|x) = pi_ref(y|x) * exp(r(x,y) / alpha) / Z(x)"]);
    expect(linesOf(out, "r_DPO(x,y)")).toEqual(["r_DPO(x,y) = alpha * (log(pi*(y|x) / pi_ref(y|x)) - log(pi*(y'|x) / pi_ref(y'|x)))"]);
    expect(out).toContain("exact = variational");
  });

  it("--horizon 2 unrolls the graph: five scheduled messages with their time indices, V_2 = 0 at the horizon", () => {
    const r = cai(["derive", "--horizon", "2", "--backup", "variational"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("unrolled over H = 2; V_2 = 0 at the horizon");
    const schedule = r.stdout.split("\n").filter((l) => /^ {2}\d\. /.test(l)).map((l) => l.replace(/\s+\[.*$/, "").trim());
    expect(schedule).toEqual(["1. P_1 -> (s_1, a_1) from s_2 (\"next\")", "2. pi0_1 -> s_1 from a_1", "3. P_0 -> (s_0, a_0) from s_1 (\"next\")", "4. pi0_0 -> s_0 from a_0", "5. p0 closes at s_0"]);
    expect(linesOf(r.stdout, "Q_0(s,a)")).toEqual(["Q_0(s,a) = E_{s'~P(.|s,a)}[r(s,a,s') + gamma * V_1(s')]"]);
  });

  it("--format latex: align* blocks with mathjs's toTex", () => {
    const r = cai(["derive", "--backup", "exact", "--format", "latex"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("\\begin{align*}");
    expect(r.stdout).toContain("Q_{t}(s,a) &= r(s,a)+ \\alpha\\cdot\\ln\\left(\\mathbb{E}_{s' \\sim P(\\cdot \\mid s,a)}\\left[\\exp\\left(\\frac{ V_{t+1}(s')}{ \\alpha}\\right)\\right]\\right)");
  });

  it("cai --help lists derive and cai derive --help explains its flags", () => {
    expect(cai(["--help"]).stdout).toMatch(/^ {2}derive +derive the backups symbolically/m);
    const h = cai(["derive", "--help"]);
    expect(h.status).toBe(0);
    expect(h.stdout).toContain("--backup B");
    expect(h.stdout).toContain("--format F");
  });
});

describe("LaTeX output is well formed for every backup and model", () => {
  it("balanced braces and \\left/\\right, every align* closed, no unescaped underscore in text", () => {
    for (const backup of ["exact", "variational", "hard"] as const) {
      for (const { name: model, symbolic } of MODELS) {
        for (const horizon of [undefined, 2]) {
          const tex = formatDerivation(deriveWith(math, { backup, model: symbolic, ...(horizon ? { horizon } : {}) }), "latex");
          const body = tex
            .split("\n")
            .filter((l) => !l.startsWith("%"))
            .map((l) => l.replace(/ % .*$/, ""))
            .join("\n");
          let depth = 0;
          for (let i = 0; i < body.length; i++) {
            const ch = body[i];
            if (ch === "\\") {
              i++;
              continue;
            }
            if (ch === "{") depth++;
            if (ch === "}") depth--;
            expect(depth, `${backup}/${model}: brace depth at ${i}`).toBeGreaterThanOrEqual(0);
          }
          expect(depth, `${backup}/${model}`).toBe(0);
          expect((body.match(/\\left/g) ?? []).length).toBe((body.match(/\\right/g) ?? []).length);
          expect((body.match(/\\begin\{align\*\}/g) ?? []).length).toBe((body.match(/\\end\{align\*\}/g) ?? []).length);
          for (const l of body.split("\n").filter((x) => x.startsWith("\\paragraph") || x.startsWith("  \\item"))) {
            expect(l.replace(/\\_/g, ""), l).not.toMatch(/_/);
          }
        }
      }
    }
  });
});

describe("bad usage exits 2 with one line, before mathjs is loaded", () => {
  it.each([
    [["--backup", "soft"], /--backup: "soft" is not one of exact, variational, hard/],
    [["--model", "ppo"], /--model: "ppo" is not one of maxent, rlhf, demonstration/],
    [["--format", "pdf"], /--format: "pdf" is not one of text, latex/],
    [["--horizon", "0"], /--horizon: 0 is below the minimum 1/],
    [["--horizon", "2.5"], /--horizon: "2.5" is not an integer/],
    [["extra"], /unexpected argument "extra"/],
    [["--alpha", "1"], /unknown option "--alpha"/],
  ])("cai derive %j", (args, message) => {
    const r = cai(["derive", ...args]);
    expectInputError(r);
    expect(r.stderr).toMatch(message);
  });
});
