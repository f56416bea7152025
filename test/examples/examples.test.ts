/**
 * The runnable examples: each one's numbers against something independent (closed forms written
 * out here, a second computation, or a known identity), and each one run as `npm run example` runs
 * it (node dist/examples/run.js NAME), checking the numbers it prints.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { frozenLake, solve, uniformPrior } from "../../src/index.js";
import { run as elbo } from "../../examples/elbo.js";
import { run as optimism } from "../../examples/optimism.js";
import { run as cliffwalking, ALPHAS as CLIFF_ALPHAS, GAMMA as CLIFF_GAMMA } from "../../examples/cliffwalking.js";
import { run as rlhf, REWARDS, REFERENCE, BETA } from "../../examples/rlhf.js";
import { run as demonstrations, HORIZON } from "../../examples/demonstrations.js";
import { run as discount, GAMMA as DEATH_GAMMA } from "../../examples/discount.js";
import { run as irl } from "../../examples/irl.js";
import { EXAMPLES } from "../../examples/run.js";
import { root } from "../support/cli.js";

const runner = join(root, "dist/examples/run.js");

function runExample(args: string[]) {
  if (!existsSync(runner)) throw new Error(`${runner} is missing: run tsc first (npm test does)`);
  const r = spawnSync(process.execPath, [runner, ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const near = (a: number, b: number, tol = 1e-12) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

describe("elbo: the bridge from the ELBO lesson", () => {
  const r = elbo();

  it("log p(x) = -1.516, ELBO = -1.709, gap = KL(q || p(z|x)) = 0.193", () => {
    expect(r.logEvidence.toFixed(3)).toBe("-1.516");
    expect(r.elbo.toFixed(3)).toBe("-1.709");
    expect(r.gap.toFixed(3)).toBe("0.193");
    expect(r.kl.toFixed(3)).toBe("0.193");
    expect(Math.abs(r.gap - r.kl)).toBeLessThan(1e-14);
  });

  it("the reparameterisation estimate lies within 4 standard errors of the analytic gradient (0.4, -1)", () => {
    expect(r.gradient.mean).toBeCloseTo(0.4, 14);
    expect(r.gradient.std).toBeCloseTo(-1, 14);
    expect(Math.abs(r.estimate.mean - r.gradient.mean)).toBeLessThan(4 * r.estimate.meanStdError);
    expect(Math.abs(r.estimate.std - r.gradient.std)).toBeLessThan(4 * r.estimate.stdStdError);
  });

  it("one step of control: log Z = log((e + 1 + 1/e)/3), and log Z - ELBO(uniform) = KL(uniform || p(a | O))", () => {
    const { logZ, elbo: e, kl, posterior } = r.control;
    const Z = (Math.E + 1 + 1 / Math.E) / 3;
    expect(near(logZ, Math.log(Z))).toBe(true);
    expect(near(e, 0)).toBe(true);
    expect(near(logZ - e, kl)).toBe(true);
    [Math.E, 1, 1 / Math.E].forEach((w, a) => expect(near(posterior[a]!, w / 3 / Z)).toBe(true));
  });
});

describe("optimism: a gamble with a negative expected value", () => {
  const r = optimism();
  const qExact = (alpha: number) => alpha * Math.log(0.1 * Math.exp(10 / alpha) + 0.9 * Math.exp(-3 / alpha));

  it("exact inference takes it (Q = log(0.1 e^10 + 0.9 e^-3)), the variational backup declines it (Q = E[r] = -1.7)", () => {
    expect(r.expectedValue).toBeCloseTo(-1.7, 14);
    expect(near(r.atOne.qExact, qExact(1))).toBe(true);
    expect(r.atOne.qVariational).toBeCloseTo(-1.7, 14);
    expect(near(r.atOne.pGambleExact, 1 / (1 + Math.exp(-qExact(1))))).toBe(true);
    expect(near(r.atOne.pGambleVariational, 1 / (1 + Math.exp(1.7)))).toBe(true);
    expect(r.atOne.pGambleExact).toBeGreaterThan(0.99);
    expect(r.atOne.pGambleVariational).toBeLessThan(0.2);
  });

  it("the posterior dynamics put p(+10 | gamble, O) = 0.1 e^10 / (0.1 e^10 + 0.9 e^-3) on the good outcome", () => {
    expect(near(r.atOne.posteriorWin, (0.1 * Math.exp(10)) / (0.1 * Math.exp(10) + 0.9 * Math.exp(-3)))).toBe(true);
    for (const row of r.sweep) expect(near(row.posteriorWin, (0.1 * Math.exp(10 / row.alpha)) / Math.exp(qExact(row.alpha) / row.alpha))).toBe(true);
  });

  it("across the alpha sweep Q_exact >= Q_variational (Jensen) and falls with alpha; it crosses 0 where 0.1 e^(10/a) + 0.9 e^(-3/a) = 1", () => {
    for (const row of r.sweep) {
      expect(near(row.qExact, qExact(row.alpha))).toBe(true);
      expect(row.qExact).toBeGreaterThanOrEqual(row.qVariational);
    }
    for (let i = 1; i < r.sweep.length; i++) expect(r.sweep[i]!.qExact).toBeLessThan(r.sweep[i - 1]!.qExact);
    const a = r.crossoverAlpha;
    expect(Math.abs(0.1 * Math.exp(10 / a) + 0.9 * Math.exp(-3 / a) - 1)).toBeLessThan(1e-9);
  });
});

describe("cliffwalking: MaxEnt moves the path away from the cliff", () => {
  const r = cliffwalking();

  it("the hard optimum walks the 13-step edge path: return -(1 - gamma^13)/(1 - gamma), most visits next to the cliff", () => {
    const hard = r.rows[0]!;
    expect(hard.alpha).toBe("hard");
    const edge = -(1 - CLIFF_GAMMA ** 13) / (1 - CLIFF_GAMMA);
    expect(near(hard.return, edge, 1e-9)).toBe(true);
    expect(near(hard.visits, -edge, 1e-9)).toBe(true);
    expect(hard.map[2]).toBe(">>>>>>>>>>>v");
    expect(hard.map[3]).toBe("^CCCCCCCCCCG");
  });

  it("as alpha grows the share of visits next to the cliff falls and the mean row rises towards the top", () => {
    const soft = r.rows.slice(1);
    expect(soft.map((x) => x.alpha)).toEqual([...CLIFF_ALPHAS]);
    for (let i = 1; i < soft.length; i++) {
      expect(soft[i]!.cliffRowShare).toBeLessThan(soft[i - 1]!.cliffRowShare);
      expect(soft[i]!.meanRow).toBeLessThan(soft[i - 1]!.meanRow);
    }
    expect(soft[0]!.cliffRowShare).toBeGreaterThan(0.7);
    expect(soft[soft.length - 1]!.cliffRowShare).toBeLessThan(0.15);
  });
});

describe("rlhf: the closed form and DPO's implicit reward", () => {
  const r = rlhf();

  it("pi*(y|x) = pi_ref exp(r/beta) / Z, V = beta log Z, and implicit-reward differences equal reward differences", () => {
    const w = REWARDS.map((rew, y) => REFERENCE[y]! * Math.exp(rew / BETA));
    const Z = w.reduce((a, b) => a + b, 0);
    w.forEach((wy, y) => {
      expect(near(r.bandit.policy[y]!, wy / Z)).toBe(true);
      expect(near(r.bandit.implicit[y]!, REWARDS[y]! - BETA * Math.log(Z))).toBe(true);
    });
    expect(near(r.bandit.value, BETA * Math.log(Z))).toBe(true);
    expect(r.bandit.dpoError).toBeLessThan(1e-12);
  });

  it("raising beta keeps pi* closer to pi_ref: the KL and the expected reward fall", () => {
    const s = r.bandit.sweep;
    for (let i = 1; i < s.length; i++) {
      expect(s[i]!.kl).toBeLessThan(s[i - 1]!.kl);
      expect(s[i]!.expectedReward).toBeLessThan(s[i - 1]!.expectedReward);
    }
  });

  it("token level: exact = variational, V(start) = beta log Z = ELBO, and the token policy induces the sequence-level closed form", () => {
    const t = r.token;
    expect(t.sequences).toBe(1 + 2 + 4 + 8);
    expect(near(t.valueExact, t.valueVariational)).toBe(true);
    expect(near(t.valueVariational, t.closedFormValue)).toBe(true);
    expect(near(t.logZ, t.closedFormValue / BETA)).toBe(true);
    expect(near(t.elbo, t.logZ, 1e-10)).toBe(true);
    expect(t.maxSequenceError).toBeLessThan(1e-12);
  });
});

describe("demonstrations: between pi_D and greedy, and the support problem", () => {
  const r = demonstrations();

  it("the optimum is the hard value at the start (P(goal within the horizon)); small alpha reaches it, large alpha imitates pi_D", () => {
    const lake = frozenLake();
    const hard = solve(lake, { backup: "hard", horizon: HORIZON, prior: uniformPrior(lake.nStates, lake.nActions) });
    expect(near(r.optimum, hard.V[0]!)).toBe(true);
    const rows = r.smoothed;
    expect(near(rows[0]!.success, r.optimum)).toBe(true);
    expect(Math.abs(rows[1]!.success - r.optimum)).toBeLessThan(1e-3);
    const last = rows[rows.length - 1]!;
    expect(last.toPrior).toBeLessThan(1e-3);
    expect(Math.abs(last.success - r.priorSuccess)).toBeLessThan(1e-3);
    for (let i = 2; i < rows.length; i++) {
      expect(rows[i]!.toPrior).toBeLessThanOrEqual(rows[i - 1]!.toPrior + 1e-12);
      expect(rows[i]!.toGreedy).toBeGreaterThanOrEqual(rows[i - 1]!.toGreedy - 1e-12);
    }
  });

  it("lambda = 0: 11 restricted states, the policy equals pi_D at every alpha and stays far below the optimum", () => {
    expect(r.restrictedStates).toBe(11);
    expect(r.undemonstrated).toEqual([5, 7, 11, 12, 15]);
    const first = r.unsmoothed[0]!.success;
    for (const row of r.unsmoothed) {
      expect(row.toPrior).toBeLessThan(1e-9);
      expect(near(row.success, first, 1e-9)).toBe(true);
    }
    expect(first).toBeLessThan(r.optimum / 5);
  });
});

describe("discount: a death state", () => {
  const r = discount();

  it("variational (and exact, finite horizon) values with gamma equal those of the explicit death-state MDP with gamma = 1", () => {
    expect(r.variational.maxDifference).toBeLessThan(1e-12);
    expect(r.variational.maxDifferenceFinite).toBeLessThan(1e-12);
    expect(r.exactFinite.maxDifference).toBeLessThan(1e-12);
  });

  it("exact mode has no fixed point: growth per step alpha log(gamma e / 2), the same on the death-state MDP", () => {
    const rho = (DEATH_GAMMA * Math.E) / 2;
    const nf = r.noFixedPoint;
    expect(near(nf.predictedGrowth, Math.log(rho))).toBe(true);
    expect(Math.abs(nf.growthPerStep - nf.predictedGrowth)).toBeLessThan(1e-6);
    expect(Math.abs(nf.spectralRadius - rho)).toBeLessThan(1e-6);
    expect(Math.abs(nf.deathStateGrowth - nf.predictedGrowth)).toBeLessThan(1e-6);
    const f = nf.finiteV;
    const last = (f[f.length - 1]!.V - f[f.length - 2]!.V) / (f[f.length - 1]!.horizon - f[f.length - 2]!.horizon);
    expect(Math.abs(last - nf.predictedGrowth)).toBeLessThan(1e-3);
    expect(nf.message).toMatch(/no fixed point/);
  });

  it("the variational backup has a fixed point: V = log(e^(1 + gamma V)/2 + 1/2)", () => {
    const V = r.noFixedPoint.variationalV;
    expect(Math.abs(V - Math.log(0.5 * Math.exp(1 + DEATH_GAMMA * V) + 0.5))).toBeLessThan(1e-9);
  });
});

describe("irl: the occupancy's gradient identity; MCE recovers the demonstrator, MaxEnt's reward is risk-seeking on slippery ice", () => {
  const r = irl();
  it("d V_0 / d r(s, a) by finite differences equals the forward pass's occupancy (1e-6 relative)", () => {
    expect(Math.abs(r.envelope.fd - r.envelope.occupancy)).toBeLessThan(1e-6 * r.envelope.occupancy);
  });
  it("MCE's reward reproduces the demonstrator in the real lake; MaxEnt's falls into holes more often", () => {
    expect(r.slippery.mce.converged && r.slippery.maxent.converged).toBe(true);
    expect(r.slippery.klMce).toBeLessThan(1e-2);
    expect(r.slippery.klMaxent).toBeGreaterThan(10 * r.slippery.klMce);
    expect(r.slippery.holes[2]).toBeGreaterThan(r.slippery.holes[0] * 1.2);
  });
  it("without slipping the two learned policies agree (one objective)", () => {
    expect(r.deterministicGap).toBeLessThan(1e-3);
  });
});

describe("npm run example -- NAME (node dist/examples/run.js)", () => {
  it("without a name lists the seven examples; an unknown name exits 2", () => {
    const list = runExample([]);
    expect(list.status).toBe(0);
    for (const e of EXAMPLES) expect(list.stdout).toMatch(new RegExp(`^  ${e.name} `, "m"));
    expect(EXAMPLES.map((e) => e.name)).toEqual(["elbo", "optimism", "cliffwalking", "rlhf", "demonstrations", "irl", "discount"]);
    const bad = runExample(["nope"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown example "nope"/);
  });

  it.each([
    ["elbo", ["log p(x)          = -1.516", "ELBO(q)           = -1.709", "KL(q || p(z|x))   =  0.193", "analytic    0.4000   -1.0000"]],
    ["optimism", ["p(+10 | gamble, O = 1) =  0.999980", "Q(gamble) = alpha log E[exp(r/alpha)] =  7.6974", "Q(gamble) = E[r]                      = -1.7000"]],
    ["cliffwalking", ["hard   12.25          0.765", ">>>>>>>>>>>v"]],
    ["rlhf", ["helpful - rude =  3.000000", "V(start): variational -0.282397, exact -0.282397, closed form beta log Z = -0.282397"]],
    ["demonstrations", ["which reaches the goal with probability  0.7442", "excludes actions in 11 states"]],
    ["irl", ["occupancy of (14, RIGHT) by the forward pass", "a risk-seeking reward"]],
    ["discount", ["growth per step  0.201492 (alpha log rho =  0.201492)", "V =  3.261954"]],
  ])("%s prints its numbers", (name, expected) => {
    const out = runExample([name]);
    expect(out.stderr).toBe("");
    expect(out.status).toBe(0);
    for (const text of expected) expect(out.stdout).toContain(text);
  });
});
