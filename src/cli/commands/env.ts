import { UsageError } from "../../errors.js";
import { writeMdpChunks, MDP_FORMATS, type MdpFormat } from "../../mdp/formats.js";
import { ENVIRONMENTS } from "../../mdp/environments/registry.js";
import type { EnvironmentDescriptor, EnvironmentInputs } from "../../mdp/environments/descriptor.js";
import { parseFlags, parseNumber, type Command } from "../common.js";

/** `cai env` over a list of environments (the registry's; a test may pass another). */
export function envCommand(environments: readonly EnvironmentDescriptor[]): Command {
  const usage = `cai env NAME [options] [--format ${MDP_FORMATS.join("|")}]   (NAME: ${environments.map((e) => e.name).join(", ")})`;

  // Every environment's flags (once each; environments share some) and --format.
  const flags: Record<string, { type: "string" | "boolean" }> = {
    ...Object.fromEntries(environments.flatMap((e) => e.flags.map((f) => [f.name, { type: f.type }]))),
    format: { type: "string" },
  };

  /** The flags' values as an environment's build reads them; errors name the flag and add the usage. */
  function inputs(values: Readonly<Record<string, string | boolean | undefined>>): EnvironmentInputs {
    const text = (flag: string) => {
      const v = values[flag];
      return typeof v === "string" ? v : undefined;
    };
    return {
      text,
      given: (flag) => values[flag] === true,
      number(flag, check = {}) {
        const v = text(flag);
        return v === undefined ? undefined : parseNumber(v, `--${flag}`, check);
      },
      parse: (t, flag) => parseNumber(t, `--${flag}`),
      fail(message): never {
        throw new UsageError(`${message}\nusage: ${usage}`);
      },
    };
  }

  return {
    name: "env",
    summary: "write FrozenLake, CliffWalking, Taxi (as Gymnasium builds env.P) or a seeded random MDP as P JSON",
    help: [
      `usage: ${usage}`,
      "",
      "Writes an environment's transition table to standard output as Gymnasium P JSON: P[s][a] lists",
      "[prob, next_state, reward, done] exactly as Gymnasium's env.P does (same states, actions, entry",
      'order and probabilities), plus "initial" (p0). --format native adds names and metadata.',
      "",
      "environments:",
      ...environments.flatMap((e) => e.help),
      "",
      `  --format F        ${MDP_FORMATS[0]} (default)${MDP_FORMATS.slice(1).map((f) => ` or ${f}`).join("")}`,
    ].join("\n"),
    run(argv) {
      const { values, positionals } = parseFlags(argv, flags, usage);
      if (positionals.length === 0) throw new UsageError(`missing the environment NAME\nusage: ${usage}`);
      if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"\nusage: ${usage}`);
      const name = positionals[0]!;
      const env = environments.find((e) => e.name === name);
      if (!env) throw new UsageError(`unknown environment "${name}" (environments: ${environments.map((e) => e.name).join(", ")})\nusage: ${usage}`);
      const accepts = env.flags.map((f) => f.name);
      for (const flag of Object.keys(values)) {
        if (flag !== "format" && values[flag] !== undefined && !accepts.includes(flag)) {
          throw new UsageError(
            `--${flag} does not apply to ${name} (${accepts.length > 0 ? `its options: ${accepts.map((f) => `--${f}`).join(", ")}` : "it has no options"})\nusage: ${usage}`,
          );
        }
      }
      const format = typeof values.format === "string" ? values.format : MDP_FORMATS[0];
      if (!(MDP_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be ${MDP_FORMATS.join(" or ")}, got "${format}"\nusage: ${usage}`);
      const mdp = env.build(inputs(values));
      // In chunks: the open 1000 x 1000 lake is about 420 MB of JSON, too much for one string.
      // On a terminal, large tables show how far the writing is (nothing on pipes, files or CI logs).
      const show = process.stderr.isTTY === true && mdp.nStates >= 100_000;
      let states = 0;
      let bytes = 0;
      let last = 0;
      writeMdpChunks(mdp, format as MdpFormat, (chunk) => {
        process.stdout.write(chunk);
        if (!show) return;
        bytes += chunk.length;
        for (let i = chunk.indexOf("\n["); i !== -1; i = chunk.indexOf("\n[", i + 2)) states++;
        const now = performance.now();
        if (now - last < 200) return;
        last = now;
        process.stderr.write(`\r\x1b[Kcai env: ${states} of ${mdp.nStates} states written (${(bytes / 1e6).toFixed(0)} MB)`);
      });
      if (show) process.stderr.write("\r\x1b[K");
      return 0;
    },
  };
}

export default envCommand(ENVIRONMENTS);
