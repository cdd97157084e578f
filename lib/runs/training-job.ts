/**
 * A training as a pool job: a name, a config and a run folder, turned into
 * a job of jobs.ts: the resolved config (as JSON, for its worker), recorded
 * as the nearest preset plus every field that differs from it. The worker
 * checks the config again; we check it first, so a bad one fails before
 * any process starts.
 */
import { resolveConfig, type TrainConfig } from "../train/config";
import { preset as presetConfig, presets, type Preset, type PresetName } from "../train/presets";
import { labelProblem } from "./validate";
import { functionFieldProblem, makeJob, type Job } from "./jobs";

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

/** Fields recorded on their own (meta.json's seed, the budgets), not as overrides: `train`'s --seed, --episodes and --steps. */
const OWN_FIELDS: ReadonlySet<keyof TrainConfig> = new Set(["seed", "maxEpisodes", "maxEnvSteps"]);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The fields (other than seed and budgets) in which `config` differs from preset `name`. */
export function configDifferences(config: TrainConfig, name: PresetName): Partial<TrainConfig> {
  const base = resolveConfig(presetConfig(name));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(config) as (keyof TrainConfig)[]) {
    if (!OWN_FIELDS.has(key) && !same(config[key], base[key])) out[key] = config[key];
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

/** The job for one training (writing `opts.out`, default its dir); throws a clear error for a config a worker cannot be given. */
export function trainingJob(spec: TrainingJob, opts: { evalEpisodes: number; out?: string }): Job {
  const where = `job "${spec?.name}"`;
  if (spec === null || typeof spec !== "object") throw new TypeError("each job must be an object { name, config, dir }");
  const label = labelProblem(spec.name);
  if (label !== null) throw new RangeError(`${where}: name must be ${label}`);
  if (typeof spec.dir !== "string" || spec.dir.trim() === "") throw new RangeError(`${where}: dir must be a folder name, e.g. runs/notebooks/my-run`);
  const problem = spec.config !== null && typeof spec.config === "object" ? functionFieldProblem(spec.name, spec.config) : null;
  if (problem !== null) throw new RangeError(problem);
  let config: TrainConfig;
  try {
    config = resolveConfig(spec.config);
  } catch (e) {
    throw new RangeError(`${where}: ${(e as Error).message}`);
  }
  if (spec.priority !== undefined && !Number.isFinite(spec.priority)) throw new RangeError(`${where}: priority must be a number (higher starts first), got ${JSON.stringify(spec.priority)}`);
  if (spec.preset !== undefined && !Object.hasOwn(presets, spec.preset)) throw new RangeError(`${where}: unknown preset "${spec.preset}"; the presets are: ${Object.keys(presets).join(", ")}`);
  const preset = spec.preset ?? nearestPreset(config);
  return makeJob({
    name: spec.name, config, preset, overrides: configDifferences(config, preset), label: spec.name, dir: opts.out ?? spec.dir,
    evalEpisodes: opts.evalEpisodes, commandLine: `trainingPool job ${JSON.stringify(spec.name)}`,
  });
}
