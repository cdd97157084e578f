/**
 * Everything a training run depends on, in one typed object (like CleanRL's
 * args). Each chapter of the course is one setting of these fields: see
 * presets.ts. `resolveConfig` fills defaults and refuses bad values with a
 * message that says what is allowed.
 */
import { totalmem } from "node:os";
import type { Dynamics } from "../env/acrobot";
import { TASK_IDS, TASKS, isTaskId, type TaskId } from "../env/task";
import type { LossKind } from "../agent/td-update";
import { memoryKinds, type MemoryKind } from "../agent/memory";
import { networkKinds, type NetworkKind } from "../agent/networks";
import { onCopies, rewardFitsTask, rewardFunctions, rewardNamesFor, rewardTasks, type RewardFn, type RewardName } from "./rewards";

export interface TrainConfig {
  /** Seeds environment resets, exploration, replay sampling and the initial weights. */
  seed: number;

  // The environment
  /** The task, by Gymnasium id: "Acrobot-v1" (the lesson), "CartPole-v1" or "MountainCar-v0". */
  env: TaskId;
  /** Acrobot equations: "book" (Gymnasium's default) or "nips". */
  dynamics: Dynamics;
  /** The environment's time limit (default: the task's, Gymnasium's registration: Acrobot and CartPole 500, MountainCar 200; the lesson also tries 1000). */
  maxEpisodeSteps: number;
  /** The training loop's own cap on steps per episode (the lesson's loop: 499); null: the time limit only. */
  maxStepsPerEpisode: number | null;
  /** What the agent is paid per step: "env" (-1 per step), "tipHeight" (the exercise), or your own function. */
  reward: RewardName | RewardFn;

  // The network and optimizer
  /** The Q-network's architecture, one of agent/networks.ts's (lesson: "mlp"). */
  network: NetworkKind;
  /** Hidden ReLU layer widths of the Q-network (lesson: [512, 512, 512]). */
  hiddenLayers: number[];
  /** Adam's learning rate (lesson: 0.001). */
  learningRate: number;

  // The TD update
  /** Discount factor (lesson: 1). */
  gamma: number;
  /** "mse" (lesson) or "huber". */
  loss: LossKind;
  /** Double DQN targets. */
  doubleDqn: boolean;
  /** Clip the gradient's global norm to this; null: no clipping. */
  gradClipNorm: number | null;
  /** Treat the time limit as the end of the task (lesson: true). False bootstraps through it, which is correct. */
  truncationIsTerminal: boolean;

  // Memory and learning schedule
  /** One of agent/memory.ts's: "episode": learn from this episode's transitions, then forget them (chapter 1); "replay": a replay memory (chapter 2 on). */
  memory: MemoryKind;
  /** Replay memory size; the oldest transitions are dropped first (lesson: 100000). */
  memoryCapacity: number;
  /** Transitions sampled per gradient step (lesson: 1000). Ignored with memory "episode" (the whole episode is the batch). */
  batchSize: number;
  /** Learn every `trainEvery` episodes (lesson: 1) or environment steps, as `trainUnit` says. */
  trainEvery: number;
  trainUnit: "episodes" | "steps";
  /** Gradient steps each time learning is due (lesson: 1). */
  gradientSteps: number;
  /** Environment steps before the first update. */
  learningStarts: number;
  /** Copy the online network into the target network every this many episodes or steps; null: one network only (chapters 1-2). */
  targetSyncEvery: number | null;
  targetSyncUnit: "episodes" | "steps";
  /** At each sync move the target a fraction tau toward the online network (soft, Polyak update); null: copy it (hard sync). Needs targetSyncEvery. */
  targetUpdateTau: number | null;

  // Exploration
  /** Epsilon of epsilon-greedy at the start (lesson: 0.05, fixed). */
  epsilonStart: number;
  /** Epsilon after the decay. */
  epsilonEnd: number;
  /** Environment steps over which epsilon falls linearly from start to end; 0 keeps it at epsilonStart. */
  epsilonDecaySteps: number;

  // When to stop
  /** Solved once the average return of the last `solvedWindow` episodes is at least this (lesson: -90; the exercise: -200; default for the other tasks: their reward threshold). */
  solvedAt: number;
  /** Episodes in that average (100, as the lesson and Gymnasium count). */
  solvedWindow: number;
  /** What the bar averages: "reward" (what the agent is paid, the lesson and the exercise) or "env" (the task's own return, for a shaped reward judged by the task's threshold). */
  solvedOn: "reward" | "env";
  /** Episode budget (lesson: 10000). */
  maxEpisodes: number;
  /** Environment-step budget. */
  maxEnvSteps: number;

  // Periodic greedy evaluation (periodic-eval.ts); it never changes the training episodes
  /** Every this many environment steps, play `evalEpisodes` greedy episodes on a separate environment; 0: off (the lesson's chapters). */
  evalEvery: number;
  /** Greedy episodes per periodic evaluation (mean and std are recorded). */
  evalEpisodes: number;
}

/**
 * The fields a resumed run must share with the snapshot it continues: they
 * fix the shapes of what a snapshot holds (the networks, the memory) or the
 * schedule its counters belong to. train() refuses a resume that changes one.
 */
export const SNAPSHOT_FIELDS: readonly (keyof TrainConfig)[] = ["env", "network", "hiddenLayers", "memory", "memoryCapacity", "targetSyncEvery", "maxEpisodeSteps", "maxStepsPerEpisode"];

export const defaultConfig: Readonly<TrainConfig> = {
  seed: 0,
  env: "Acrobot-v1",
  dynamics: "book",
  maxEpisodeSteps: 500,
  maxStepsPerEpisode: null,
  reward: "env",
  network: "mlp",
  hiddenLayers: [512, 512, 512],
  learningRate: 0.001,
  gamma: 1,
  loss: "mse",
  doubleDqn: false,
  gradClipNorm: null,
  truncationIsTerminal: true,
  memory: "replay",
  memoryCapacity: 100_000,
  batchSize: 1000,
  trainEvery: 1,
  trainUnit: "episodes",
  gradientSteps: 1,
  learningStarts: 0,
  targetSyncEvery: null,
  targetSyncUnit: "episodes",
  targetUpdateTau: null,
  epsilonStart: 0.05,
  epsilonEnd: 0.05,
  epsilonDecaySteps: 0,
  solvedAt: -90,
  solvedWindow: 100,
  solvedOn: "reward",
  maxEpisodes: 10_000,
  maxEnvSteps: 5_000_000,
  evalEvery: 0,
  evalEpisodes: 10,
};

type Check = (v: unknown) => string | null; // null when fine, else what is allowed

const int = (min: number): Check => (v) => (Number.isSafeInteger(v) && (v as number) >= min ? null : `a whole number >= ${min}`);
const num = (min: number, max: number, what = `a number from ${min} to ${max}`): Check => (v) =>
  typeof v === "number" && Number.isFinite(v) && v >= min && v <= max ? null : what;
const oneOf = (...allowed: unknown[]): Check => (v) => (allowed.includes(v) ? null : `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
const orNull = (c: Check): Check => (v) => (v === null ? null : c(v) && `${c(v)}, or null`);
const bool: Check = (v) => (typeof v === "boolean" ? null : "true or false");

const intUpTo = (min: number, max: number): Check => (v) => (Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max ? null : `a whole number from ${min} to ${max}`);

/** The widest averaging window (a MovingAverage holds one number per episode in it); the lesson uses 100. */
export const MAX_SOLVED_WINDOW = 1_000_000;
/** At most this many hidden layers, each at most this wide: beyond them a network is not a DQN for Acrobot but a crash (deep stacks overflow the call stack). */
export const MAX_HIDDEN_LAYERS = 32;
export const MAX_LAYER_WIDTH = 1_000_000; // the memory check (checkFits) refuses far less in practice

/** The longest episode a config may ask for (the lesson uses 500 and 1000): more would make one episode, or `play`, run for hours. */
export const MAX_EPISODE_STEPS_LIMIT = 100_000;

/** The most greedy episodes one periodic evaluation may play (each can take up to a time limit of steps). */
export const MAX_EVAL_EPISODES = 1000;

const checks: { [K in keyof TrainConfig]: Check } = {
  seed: int(0),
  env: oneOf(...TASK_IDS),
  dynamics: oneOf("book", "nips"),
  maxEpisodeSteps: intUpTo(1, MAX_EPISODE_STEPS_LIMIT),
  maxStepsPerEpisode: orNull(intUpTo(1, MAX_EPISODE_STEPS_LIMIT)),
  reward: (v) => (typeof v === "function" || (typeof v === "string" && Object.hasOwn(rewardFunctions, v)) ? null : `one of ${Object.keys(rewardFunctions).map((k) => `"${k}"`).join(", ")}, or a function (step, state) => number`),
  network: oneOf(...Object.keys(networkKinds)),
  hiddenLayers: (v) =>
    Array.isArray(v) && v.length > 0 && v.length <= MAX_HIDDEN_LAYERS && v.every((h) => Number.isSafeInteger(h) && h >= 1 && h <= MAX_LAYER_WIDTH)
      ? null
      : `a non-empty array of at most ${MAX_HIDDEN_LAYERS} whole numbers from 1 to ${MAX_LAYER_WIDTH}, e.g. [512, 512, 512]`,
  learningRate: num(Number.MIN_VALUE, 1, "a number > 0 and <= 1"),
  gamma: num(0, 1),
  loss: oneOf("mse", "huber"),
  doubleDqn: bool,
  gradClipNorm: orNull(num(Number.MIN_VALUE, Infinity, "a number > 0")),
  truncationIsTerminal: bool,
  memory: oneOf(...Object.keys(memoryKinds)),
  memoryCapacity: int(1),
  batchSize: int(1),
  trainEvery: int(1),
  trainUnit: oneOf("episodes", "steps"),
  gradientSteps: int(1),
  learningStarts: int(0),
  targetSyncEvery: orNull(int(1)),
  targetSyncUnit: oneOf("episodes", "steps"),
  targetUpdateTau: orNull(num(Number.MIN_VALUE, 1, "a number > 0 and <= 1")),
  epsilonStart: num(0, 1),
  epsilonEnd: num(0, 1),
  epsilonDecaySteps: int(0),
  solvedAt: num(-Infinity, Infinity, "a finite number"),
  solvedWindow: intUpTo(1, MAX_SOLVED_WINDOW),
  solvedOn: oneOf("reward", "env"),
  maxEpisodes: int(1),
  maxEnvSteps: int(1),
  evalEvery: int(0),
  evalEpisodes: intUpTo(1, MAX_EVAL_EPISODES),
};

/** Defaults filled in and every field checked; throws a RangeError naming the field and what it allows. */
export function resolveConfig(partial: Partial<TrainConfig> = {}): TrainConfig {
  if (partial === null || typeof partial !== "object" || Array.isArray(partial)) throw new RangeError(`a config must be an object of fields, got ${show(partial)}`);
  // Own fields only: "toString" or "constructor" are on every object, but are not config fields.
  const unknown = Object.keys(partial).filter((k) => !Object.hasOwn(checks, k));
  if (unknown.length > 0) {
    throw new RangeError(`unknown config field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; the fields are: ${Object.keys(checks).join(", ")}`);
  }
  const given = stripUndefined(partial);
  const config = { ...defaultConfig, ...taskDefaults(given.env), ...given } as TrainConfig;
  for (const key of Object.keys(checks) as (keyof TrainConfig)[]) {
    const problem = checks[key](config[key]);
    if (problem !== null) throw new RangeError(`config.${key} must be ${problem}; got ${show(config[key])}`);
  }
  if (config.targetUpdateTau !== null && config.targetSyncEvery === null) {
    throw new RangeError(`config.targetUpdateTau (${config.targetUpdateTau}) needs a target network: set config.targetSyncEvery (a soft update happens at each sync), or targetUpdateTau to null`);
  }
  checkFitsTask(config);
  checkFits(config);
  return { ...config, hiddenLayers: [...config.hiddenLayers] };
}

/** The defaults that depend on the task: its time limit and its threshold as the bar (Acrobot keeps the lesson's -90). */
function taskDefaults(env: unknown): Partial<TrainConfig> {
  if (!isTaskId(env) || env === "Acrobot-v1") return {};
  return { maxEpisodeSteps: TASKS[env].maxEpisodeSteps, solvedAt: TASKS[env].rewardThreshold };
}

/** Fields that only make sense for one task. */
function checkFitsTask(c: TrainConfig): void {
  if (c.env !== "Acrobot-v1" && c.dynamics !== "book") {
    throw new RangeError(`config.dynamics ${show(c.dynamics)} applies to Acrobot-v1 only; ${c.env} has one set of equations (leave dynamics out, or "book")`);
  }
  if (typeof c.reward === "string" && !rewardFitsTask(c.reward, c.env)) {
    throw new RangeError(`config.reward ${show(c.reward)} is for ${rewardTasks[c.reward].join(", ")} only; for ${c.env} use one of ${rewardNamesFor(c.env).map((k) => `"${k}"`).join(", ")}, or a function (step, state) => number`);
  }
}

/**
 * What a config needs in memory, roughly, in bytes: the tensors (both
 * networks, Adam's two moments, gradients, and a batch's activations
 * forward and back) and the replay memory (two states, action, reward and
 * done per transition, as float32).
 */
export function configFootprint(c: Pick<TrainConfig, "hiddenLayers" | "batchSize" | "memory" | "memoryCapacity" | "maxEpisodeSteps" | "maxStepsPerEpisode"> & { env?: TaskId }): { tensors: number; replay: number } {
  const task = TASKS[c.env ?? "Acrobot-v1"];
  const widths = [task.observationSize, ...c.hiddenLayers, task.actions];
  let params = 0;
  for (let i = 1; i < widths.length; i++) params += widths[i - 1] * widths[i] + widths[i];
  const stepCap = Math.min(c.maxStepsPerEpisode ?? Infinity, c.maxEpisodeSteps);
  const rows = c.memory === "episode" ? stepCap : c.batchSize;
  const activations = rows * widths.reduce((a, b) => a + b, 0);
  const capacity = c.memory === "episode" ? stepCap : c.memoryCapacity;
  return { tensors: 4 * (6 * params + 6 * activations), replay: 4 * (2 * task.observationSize + 3) * (capacity + rows) };
}

/** TensorFlow.js's wasm heap is 32-bit (at most 4 GiB, in practice less); tensors past 2 GiB do not fit. */
const TENSOR_LIMIT = 2 * 1024 ** 3;

/** Refuses a config this machine cannot hold, before anything is built (it would crash half way, or swap for hours). */
function checkFits(c: TrainConfig): void {
  const { tensors, replay } = configFootprint(c);
  const ram = totalmem();
  const gib = (b: number) => `${(b / 1024 ** 3).toFixed(b < 1024 ** 3 ? 3 : 1)} GiB`;
  const tensorLimit = Math.min(TENSOR_LIMIT, ram / 2);
  const perTransition = 4 * (2 * TASKS[c.env].observationSize + 3);
  if (tensors > tensorLimit) {
    throw new RangeError(
      `config.hiddenLayers ${show(c.hiddenLayers)} with config.batchSize ${c.batchSize} need about ${gib(tensors)} for the networks and a batch; ` +
        `at most ${gib(tensorLimit)} fits here: use narrower layers or a smaller batch`,
    );
  }
  if (replay + tensors > ram / 2) {
    throw new RangeError(
      `config.memoryCapacity ${c.memoryCapacity} needs about ${gib(replay)} of replay memory (${perTransition} bytes per transition); this machine has ${gib(ram)}, ` +
        `so at most about ${Math.floor((ram / 2 - tensors) / perTransition)} transitions fit: use a smaller memoryCapacity`,
    );
  }
}

/** The reward function a config names; a user's own is given copies, so it cannot change the environment or the memory. */
export function rewardFunction(config: Pick<TrainConfig, "reward">): RewardFn {
  return typeof config.reward === "function" ? onCopies(config.reward) : rewardFunctions[config.reward];
}

/** A config as plain JSON (a custom reward function is recorded as "custom"). */
export function configToJson(config: TrainConfig): Record<string, unknown> {
  return { ...config, reward: typeof config.reward === "function" ? "custom" : config.reward };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A value for a message: short even when the value is a 20000-entry list. */
function show(v: unknown): string {
  if (typeof v === "function") return "a function";
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  if (Array.isArray(v) && v.length > 8) return `a list of ${v.length} entries [${v.slice(0, 3).map(show).join(", ")}, ...]`;
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** The lowest reward one step can pay under each named reward (env: -1; tipHeight: the tip's height - 1 >= -3). */
const LOWEST_STEP_REWARD: Record<RewardName, number> = { env: -1, tipHeight: -3, carEnergy: -1 };

/**
 * When the episode cap alone meets the bar: every episode, however it is
 * played, returns at least -cap (times the lowest step reward), so a return
 * that high says nothing about the tip reaching the line. A message naming
 * the fields, or null (also null for a reward function of the user's own).
 */
export function capMeetsBar(c: Pick<TrainConfig, "maxEpisodeSteps" | "maxStepsPerEpisode" | "reward" | "solvedAt">): string | null {
  if (typeof c.reward !== "string" || !Object.hasOwn(LOWEST_STEP_REWARD, c.reward)) return null;
  const cap = Math.min(c.maxEpisodeSteps, c.maxStepsPerEpisode ?? Infinity);
  const floor = cap * LOWEST_STEP_REWARD[c.reward];
  if (floor < c.solvedAt) return null;
  const field = c.maxStepsPerEpisode !== null && c.maxStepsPerEpisode < c.maxEpisodeSteps ? "maxStepsPerEpisode" : "maxEpisodeSteps";
  return `the episode cap alone meets the bar: with ${field} ${cap} and the ${c.reward} reward every episode returns at least ${floor}, which is >= solvedAt ${c.solvedAt}, so "solved" would not mean the tip reached the line`;
}
