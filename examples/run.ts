/**
 * The runnable examples of the lesson: `npm run example -- NAME` (builds, then runs
 * `node dist/examples/run.js NAME`). Without a name, lists them.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ExampleOutput } from "./common.js";

interface ExampleModule {
  readonly title: string;
  run(): ExampleOutput;
}

/** Name, one line, and a loader for each example, in the lesson's order. */
export const EXAMPLES: ReadonlyArray<{ name: string; summary: string; load: () => Promise<ExampleModule> }> = [
  { name: "elbo", summary: "the ELBO lesson's bridge: log p(x) - ELBO = KL(q || p(z|x)), and the reparameterisation gradient", load: () => import("./elbo.js") },
  { name: "optimism", summary: "a gamble with a negative expected value that exact inference takes and the variational backup does not", load: () => import("./optimism.js") },
  { name: "cliffwalking", summary: "MaxEnt on CliffWalking: the policy moves away from the cliff as alpha grows", load: () => import("./cliffwalking.js") },
  { name: "rlhf", summary: "RLHF: a bandit and a token-level model, the closed form, DPO's implicit reward", load: () => import("./rlhf.js") },
  { name: "demonstrations", summary: "a demonstration prior on FrozenLake: between pi_D and greedy as alpha moves; the support problem at lambda = 0", load: () => import("./demonstrations.js") },
  { name: "irl", summary: "inverse RL: the occupancy's gradient identity, MCE recovers the demonstrator, MaxEnt learns for kinder ice", load: () => import("./irl.js") },
  { name: "discount", summary: "discount as a death state: equal in variational mode; no fixed point in exact mode", load: () => import("./discount.js") },
];

function list(): string {
  const width = Math.max(...EXAMPLES.map((e) => e.name.length));
  return ["examples (npm run example -- NAME):", ...EXAMPLES.map((e) => `  ${e.name.padEnd(width)}  ${e.summary}`)].join("\n");
}

/** Run the named example (printing its lines); resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const name = argv[0];
  if (name === undefined || name === "--help" || name === "-h") {
    process.stdout.write(list() + "\n");
    return 0;
  }
  const entry = EXAMPLES.find((e) => e.name === name);
  if (!entry) {
    process.stderr.write(`unknown example "${name}"\n${list()}\n`);
    return 2;
  }
  const mod = await entry.load();
  process.stdout.write(`${mod.title}\n${"=".repeat(mod.title.length)}\n`);
  for (const line of mod.run().lines) process.stdout.write(line + "\n");
  return 0;
}

/** True when node was started with this file (not when a test imports it). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // A reader that closes the pipe early (`| head`) ends the run quietly, as `cai` does.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.exitCode = await main(process.argv.slice(2));
}
