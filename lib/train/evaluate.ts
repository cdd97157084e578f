/**
 * Greedy play: the trained network picks the best action every step (no
 * exploration) over fresh episodes; how a learner checks what it learned.
 */
import type { Dynamics } from "../env/acrobot";
import { makeTask, taskInfo, type TaskId } from "../env/task";
import type { tf } from "../tf";
import { greedyAction } from "../agent/q-network";
import { onCopies, rewardFunctions, type RewardFn, type RewardName } from "./rewards";
import { mean, std } from "./stats";

export interface EvaluateOptions {
  /** Number of episodes (default 10). */
  episodes?: number;
  /** Seeds the first reset; later episodes continue the stream (default 0). */
  seed?: number;
  /** The task (default "Acrobot-v1"). */
  env?: TaskId;
  /** Time limit per episode (default: the task's, Acrobot 500). */
  maxEpisodeSteps?: number;
  /** Acrobot-v1 only. */
  dynamics?: Dynamics;
  /** What the returns sum: "env" (-1 per step, default), "tipHeight", or a function. */
  reward?: RewardName | RewardFn;
  /** Record the internal states of this episode (0-based) for an animation. */
  recordEpisode?: number;
}

export interface EvaluateResult {
  returns: number[];
  /** Steps per episode. */
  lengths: number[];
  mean: number;
  /** The returns' population standard deviation (as numpy's np.std): "mean ± std". */
  std: number;
  /** Episodes the task itself ended (Acrobot: the tip reached the line; CartPole: the pole fell). */
  successes: number;
  /** The internal states (Acrobot: `[t1, t2, dt1, dt2]`) from the reset on, if `recordEpisode` was given. */
  states?: number[][];
  /** The actions of the recorded episode. */
  actions?: number[];
  /** Set when evaluateAsync was stopped early: the lists hold the episodes that finished (mean and std: NaN if none did). */
  stopped?: true;
}

/**
 * The episodes, as a generator that pauses every `YIELD_EVERY` steps, so one
 * loop serves both `evaluate` (runs it straight through) and
 * `evaluateAsync` (lets the event loop in at each pause, so Ctrl-C works).
 */
function* play(model: tf.LayersModel, options: EvaluateOptions): Generator<void, EvaluateResult, boolean> {
  const { env: taskId = "Acrobot-v1", episodes = 10, seed = 0, dynamics, reward = "env", recordEpisode } = options;
  const info = taskInfo(taskId);
  const maxEpisodeSteps = options.maxEpisodeSteps ?? info.maxEpisodeSteps;
  if (!Number.isInteger(episodes) || episodes < 1) throw new RangeError(`episodes must be a whole number of at least 1, got ${episodes}`);
  if (recordEpisode !== undefined && !(Number.isInteger(recordEpisode) && recordEpisode >= 0 && recordEpisode < episodes)) {
    throw new RangeError(`recordEpisode must be an episode index from 0 to ${episodes - 1}, got ${recordEpisode}`);
  }
  const rewardFn = typeof reward === "function" ? onCopies(reward) : Object.hasOwn(rewardFunctions, reward) ? rewardFunctions[reward] : undefined;
  if (rewardFn === undefined) throw new RangeError(`reward must be one of ${Object.keys(rewardFunctions).join(", ")} or a function`);
  const inputSize = model.inputs[0].shape[1], actions = model.outputs[0].shape[1];
  if (inputSize !== info.observationSize || actions !== info.actions) {
    throw new RangeError(`this network maps ${inputSize} inputs to ${actions} action values; ${info.id} needs ${info.observationSize} and ${info.actions}: evaluate it on the task it was trained on`);
  }
  const env = makeTask(info.id, { dynamics, maxEpisodeSteps });
  const result: EvaluateResult = { returns: [], lengths: [], mean: 0, std: 0, successes: 0 };
  let sinceYield = 0;
  for (let e = 0; e < episodes; e++) {
    let obs = env.reset(e === 0 ? { seed } : {});
    const record = e === recordEpisode;
    if (record) {
      result.states = [Array.from(env.state)];
      result.actions = [];
    }
    let total = 0, steps = 0;
    for (;;) {
      const action = greedyAction(model, obs);
      const r = env.step(action);
      total += rewardFn(r, env.state);
      steps++;
      obs = r.observation;
      if (record) {
        result.states!.push(Array.from(env.state));
        result.actions!.push(action);
      }
      if (r.terminated) result.successes++;
      if (r.terminated || r.truncated) break;
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        if (yield) return finish(result, true); // asked to stop: the episodes finished so far
      }
    }
    result.returns.push(total);
    result.lengths.push(steps);
  }
  return finish(result, false);
}

const YIELD_EVERY = 64;

function finish(result: EvaluateResult, stopped: boolean): EvaluateResult {
  result.mean = mean(result.returns); // NaN if none finished
  result.std = std(result.returns);
  if (stopped) result.stopped = true;
  return result;
}

/** Plays `episodes` greedy episodes straight through (a notebook cell, a test). */
export function evaluate(model: tf.LayersModel, options: EvaluateOptions = {}): EvaluateResult {
  const it = play(model, options);
  for (let step = it.next(false); ; step = it.next(false)) if (step.done) return step.value;
}

export interface EvaluateAsyncOptions extends EvaluateOptions {
  /** Stops after the current step; the result holds the episodes finished so far and `stopped: true`. */
  signal?: AbortSignal;
  /** Also stop on Ctrl-C / SIGTERM, as the trainer does (default true; the command line passes its own signal and false). */
  handleSignals?: boolean;
}

/**
 * The same greedy play, letting the event loop in every few steps so Ctrl-C,
 * the notebook's stop button or `signal` stop it within a step or so.
 */
export async function evaluateAsync(model: tf.LayersModel, options: EvaluateAsyncOptions = {}): Promise<EvaluateResult> {
  const it = play(model, options); // checks the options before any listener is added
  const pause = () => new Promise((resolve) => setImmediate(resolve));
  await pause(); // listeners after an await: see the trainer (a tslab cell's synchronous part must not add them)
  let stop = options.signal?.aborted ?? false;
  const onStop = () => (stop = true);
  options.signal?.addEventListener("abort", onStop);
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) for (const s of ["SIGINT", "SIGTERM"] as const) process.on(s, onStop);
  try {
    for (let step = it.next(stop); ; step = it.next(stop)) {
      if (step.done) return step.value;
      await pause();
    }
  } finally {
    options.signal?.removeEventListener("abort", onStop);
    if (handleSignals) for (const s of ["SIGINT", "SIGTERM"] as const) process.off(s, onStop);
  }
}
