/**
 * A training as a pool job: a name, a config and a run folder, turned into
 * the `train` command line that reproduces exactly that config: the nearest
 * preset, `--set` for every field that differs from it, and the seed and
 * budgets as their own flags. The child checks the config again; we check it
 * first, so a bad one fails before any process starts.
 */
import { resolveConfig, type TrainConfig } from "../train/config";
import { preset as presetConfig, presets, type Preset, type PresetName } from "../train/presets";
import { labelProblem } from "./validate";
import type { Job } from "./command-line-jobs";

export interface TrainingJob {
  /** The name charts, tables and the status line show, e.g. "improved" or "2: + learn every step". */
  name: string;
  /** The config to train (a preset, or a preset with changes), budgets and seed included. */
  config: Preset;
  /** The run folder it writes. */
  dir: string;
  /** The preset it is recorded as starting from; default: the one it differs from least. */
  preset?: PresetName;
  /**
   * Jobs with a higher priority start first (default 0; equal ones in list order). Give the
   * longest runs a higher one, so that no core sits idle while the last long run ends alone.
   * Results and charts keep the list's order.
   */
  priority?: number;
}

/** Fields with their own `train` flag, not a `--set`. */
const OWN_FLAGS: Partial<Record<keyof TrainConfig, string>> = { seed: "--seed", maxEpisodes: "--episodes", maxEnvSteps: "--steps" };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The fields (other than seed and budgets) in which `config` differs from preset `name`. */
export function configDifferences(config: TrainConfig, name: PresetName): Partial<TrainConfig> {
  const base = resolveConfig(presetConfig(name));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(config) as (keyof TrainConfig)[]) {
    if (OWN_FLAGS[key] === undefined && !same(config[key], base[key])) out[key] = config[key];
  }
  return out as Partial<TrainConfig>;
}

/** The preset `config` differs from in the fewest fields (the first such, in chapter order). */
export function nearestPreset(config: Preset): PresetName {
  const c = resolveConfig(config);
  const names = Object.keys(presets) as PresetName[];
  const count = (n: PresetName) => Object.keys(configDifferences(c, n)).length;
  return names.reduce((best, n) => (count(n) < count(best) ? n : best), names[0]);
}

/** The `train` arguments for one job (writing `opts.out`, default its dir); throws a clear error for a config a child process cannot be given. */
export function trainingJob(spec: TrainingJob, opts: { evalEpisodes: number; out?: string }): Job {
  const where = `job "${spec?.name}"`;
  if (spec === null || typeof spec !== "object") throw new TypeError("each job must be an object { name, config, dir }");
  const label = labelProblem(spec.name);
  if (label !== null) throw new RangeError(`${where}: name must be ${label}`);
  if (typeof spec.dir !== "string" || spec.dir.trim() === "") throw new RangeError(`${where}: dir must be a folder name, e.g. runs/notebooks/my-run`);
  if (typeof spec.config?.reward === "function") {
    throw new RangeError(`${where}: a job trains in a process of its own, so its reward must be a named one ("env" or "tipHeight"), not a function; train a custom reward with dqn.train in the notebook itself`);
  }
  let config: TrainConfig;
  try {
    config = resolveConfig(spec.config);
  } catch (e) {
    throw new RangeError(`${where}: ${(e as Error).message}`);
  }
  if (spec.priority !== undefined && !Number.isFinite(spec.priority)) throw new RangeError(`${where}: priority must be a number (higher starts first), got ${JSON.stringify(spec.priority)}`);
  if (spec.preset !== undefined && !Object.hasOwn(presets, spec.preset)) throw new RangeError(`${where}: unknown preset "${spec.preset}"; the presets are: ${Object.keys(presets).join(", ")}`);
  const preset = spec.preset ?? nearestPreset(config);
  const sets = Object.entries(configDifferences(config, preset)).flatMap(([k, v]) => ["--set", `${k}=${JSON.stringify(v)}`]);
  return {
    name: spec.name,
    preset,
    seed: config.seed,
    dir: opts.out ?? spec.dir,
    args: [
      "train", "--json", "--preset", preset, "--label", spec.name, "--out", opts.out ?? spec.dir,
      "--seed", String(config.seed), "--episodes", String(config.maxEpisodes), "--steps", String(config.maxEnvSteps),
      ...sets, "--eval-episodes", String(opts.evalEpisodes), "--plotly", "cdn",
    ],
  };
}
