/** What a run records about how and where it ran (meta.json). */
import { readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { tf, describeBackend } from "../tf";
import { RUN_FORMAT, RUN_FORMAT_VERSION, type RunMeta } from "./format";

let version: string | null = null;

/** This package's version, from package.json. */
export function packageVersion(): string {
  if (version === null) {
    try {
      // realpath: notebooks reach lib/ through a symlink, and package.json is beside the real lib/.
      version = String((JSON.parse(readFileSync(join(realpathSync(__dirname), "..", "..", "package.json"), "utf8")) as { version?: unknown }).version ?? "unknown");
    } catch {
      version = "unknown";
    }
  }
  return version;
}

/** The command as typed, e.g. `acrobot-dqn train --preset improved --set 'hiddenLayers=[64,64]'`. */
export function commandLine(args: readonly string[] = process.argv.slice(2)): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ["acrobot-dqn", ...args.map(quote)].join(" ");
}

export function newRunMeta(fields: { preset: string; overrides: Record<string, unknown>; seed: number; label?: string }): RunMeta {
  return {
    format: RUN_FORMAT,
    version: RUN_FORMAT_VERSION,
    preset: fields.preset,
    overrides: fields.overrides,
    ...(fields.label !== undefined ? { label: fields.label } : {}),
    seed: fields.seed,
    backend: describeBackend(),
    tfjsVersion: tf.version_core,
    nodeVersion: process.version,
    acrobotDqnVersion: packageVersion(),
    commandLine: commandLine(),
    startedAt: new Date().toISOString(),
    resumes: [],
  };
}
