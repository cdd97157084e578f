/**
 * The one training loop. Every chapter is this loop under another config:
 * act epsilon-greedily, step the environment, remember the transition, learn
 * and sync the target network when the config's schedule says so, record the
 * episode, and stop when the average return clears the bar or a budget runs
 * out. Notebooks 01-03 write the same loop cell by cell; a test checks that
 * both give the same episodes.
 */
import { makeTask, taskInfo } from "../env/task";
import { tf, initBackend, describeBackend } from "../tf";
import { makeRng, type Rng } from "../random";
import { ReplayMemory } from "../agent/replay-memory";
import { argmax, buildQNetwork, copyWeights, qValues } from "../agent/q-network";
import { tdUpdate } from "../agent/td-update";
import { makeOptimizer } from "../agent/adam";
import { resolveConfig, rewardFunction, type TrainConfig } from "./config";
import { epsilonAt, schedule } from "./schedule";
import { stopRequest } from "./stop-request";
import { tally, type Tally } from "./tally";
import { takeSnapshot, restoreSnapshot, type TrainerSnapshot } from "./snapshot";

/** What the trainer reports after every episode. */
export interface EpisodeRecord {
  episode: number;
  /** Steps in this episode. */
  steps: number;
  /** Sum of the config's rewards over the episode. */
  return: number;
  /** Mean return of the last (up to) 100 complete episodes; cut episodes are left out. */
  average100: number;
  /** The task's own return (Acrobot: -1 per step, 0 on reaching the line), whatever reward the agent learns from. */
  envReturn: number;
  /** Whether the task itself ended (Acrobot, MountainCar: the goal was reached; CartPole: the pole fell), rather than running out of time. */
  terminated: boolean;
  /**
   * True when the episode did not run to its natural end (the tip reaching the line, the time
   * limit or the config's step cap) but was cut short: by the env-step budget, a stop request or
   * a bad reward. Cut episodes never count toward the bar or the averages. Missing means false.
   */
  cut: boolean;
  /** Epsilon at the episode's last step. */
  epsilon: number;
  /** Mean TD loss of the updates made during this episode; null if none. */
  loss: number | null;
  /** Mean over the episode's steps of max_a Q(s, a) for the state acted in (over-estimation shows here); missing in runs saved before it was recorded. */
  meanMaxQ?: number | null;
  /** Environment steps since the start of training. */
  envSteps: number;
  /** Wall-clock seconds since the start of training. */
  seconds: number;
}

export type StopReason = "solved" | "maxEpisodes" | "maxEnvSteps" | "aborted" | "diverged";

export interface TrainResult {
  solved: boolean;
  /** The episode at which the average first reached the bar, or null. */
  solvedAtEpisode: number | null;
  stopReason: StopReason;
  /** Why training stopped, in a sentence. */
  message: string;
  /** The trained online network (yours to dispose). */
  model: tf.LayersModel;
  records: EpisodeRecord[];
  config: TrainConfig;
  envSteps: number;
  seconds: number;
  backend: string;
}

/** What hooks can look at while training runs. */
export interface TrainContext {
  online: tf.LayersModel;
  /** The target network (chapters 1-2: a copy kept equal to the online network after every update). */
  target: tf.LayersModel;
  /** Everything needed to continue this run later with `train(config, hooks, { resume })`. */
  snapshot(): Promise<TrainerSnapshot>;
}

export interface TrainHooks {
  /** Called after each episode; awaited, so a notebook can refresh its display. */
  onEpisode?: (record: EpisodeRecord, context: TrainContext) => void | Promise<void>;
  /** Called right after each scheduled target-network sync. */
  onTargetSync?: (at: { episode: number; envSteps: number }) => void;
  /** Called once at the end, before the trainer frees its target network and optimizer (e.g. to save a final checkpoint). */
  onFinish?: (result: TrainResult, context: TrainContext) => void | Promise<void>;
  /** Stops training after the current step; the result keeps everything so far. */
  signal?: AbortSignal;
  /** Also stop on Ctrl-C / the notebook's stop button / SIGTERM (default true). */
  handleSignals?: boolean;
}

export interface TrainOptions {
  /** Continue a run from a snapshot taken by `context.snapshot()`. */
  resume?: TrainerSnapshot;
}

type Stop = { reason: StopReason; message: string };

/** Trains a DQN as `config` says (missing fields take the defaults). */
export async function train(config: Partial<TrainConfig>, hooks: TrainHooks = {}, options: TrainOptions = {}): Promise<TrainResult> {
  const c = resolveConfig(config);
  await initBackend();
  const clock = stopwatch(options.resume?.seconds ?? 0);
  const reward = rewardFunction(c);
  const stepCap = Math.min(c.maxStepsPerEpisode ?? Infinity, c.maxEpisodeSteps);
  const due = schedule(c);
  const td = { gamma: c.gamma, loss: c.loss, doubleDqn: c.doubleDqn, gradClipNorm: c.gradClipNorm };
  const { env, rng, online, target, optimizer, memory } = await setUp(c, stepCap, options.resume);
  let envSteps = options.resume?.envSteps ?? 0;
  const log = tally(c, options.resume?.records ?? []);
  const context: TrainContext = {
    online, target,
    snapshot: () => takeSnapshot({ config: c, records: log.records, envSteps, seconds: clock(), online, target, optimizer, rng, env, memory }),
  };
  const stopAsked = await stopRequest({ signal: hooks.signal, handleSignals: hooks.handleSignals }); // after an await: see stop-request.ts
  let stop: Stop | null = solvedStop(log.solvedAtEpisode, log.barAverage, c); // a resumed run may be solved already
  let losses: number[] = [];

  const learn = () => {
    if (envSteps < c.learningStarts) return;
    for (let g = 0; g < c.gradientSteps && stop === null; g++) {
      const batch = c.memory === "episode" ? memory.all() : memory.sample(c.batchSize, rng);
      const loss = tdUpdate(batch, online, target, optimizer, td);
      losses.push(loss);
      if (!Number.isFinite(loss)) stop = divergedStop(loss, log.records.length + 1, envSteps);
      if (due.syncAfterUpdate) copyWeights(online, target);
    }
    if (c.memory === "episode") memory.clear(); // chapter 1 forgets the episode it learned from
  };
  const sync = (episode: number) => {
    copyWeights(online, target);
    hooks.onTargetSync?.({ episode, envSteps });
  };

  try {
    for (let episode = log.records.length + 1; stop === null; episode++) {
      stop = budgetStop(c, episode, envSteps);
      if (stop !== null) break;
      let state = env.reset(episode === 1 ? { seed: c.seed } : {});
      let total = 0, envTotal = 0, steps = 0, maxQSum = 0, terminated = false, cut = false, epsilon = epsilonAt(c, envSteps);
      losses = [];

      for (;;) {
        epsilon = epsilonAt(c, envSteps);
        const { action, maxQ } = act(online, state, epsilon, rng);                 // act
        const result = env.step(action);                                            // step
        const r = reward(result, env.state);
        if (!Number.isFinite(r)) { stop = badRewardStop(r, steps + 1, episode); cut = true; break; }
        steps++; envSteps++; total += r; envTotal += result.reward; maxQSum += maxQ; terminated = result.terminated;
        const done = result.terminated || (result.truncated && c.truncationIsTerminal); // the lesson: a time-out is "done" too
        memory.push(state, action, r, result.observation, done);                    // remember
        state = result.observation;
        if (due.learnAfterStep(envSteps)) learn();                                  // learn when due
        if (due.syncAfterStep(envSteps)) sync(episode);                             // sync when due
        if (result.terminated || result.truncated || steps >= stepCap) break;       // the episode's natural end
        if (steps % 64 === 0) await pause(); // lets a stop request in within a step or so
        if (stop !== null || envSteps >= c.maxEnvSteps || stopAsked.requested) { cut = true; break; } // cut short
      }

      const record = log.add({                                                      // record
        episode, steps, return: total, envReturn: envTotal, terminated, cut, epsilon, loss: null,
        meanMaxQ: steps > 0 ? maxQSum / steps : null, envSteps, seconds: clock(),
      });
      if (stop === null && cut && stopAsked.requested) stop = { reason: "aborted", message: `stopped by request during episode ${episode}` };
      stop ??= solvedStop(log.solvedAtEpisode, log.barAverage, c);                  // check the bar
      if (stop === null && due.syncAfterEpisode(episode)) sync(episode);
      if (stop === null && due.learnAfterEpisode(episode)) learn();
      record.loss = mean(losses);
      record.seconds = clock();
      await hooks.onEpisode?.(record, context);
      await pause(); // let signal handlers and displays run between episodes
      if (stop === null && stopAsked.requested) stop = { reason: "aborted", message: `stopped by request after episode ${episode}` };
    }

    const result = resultOf(stop!, log, { model: online, config: c, envSteps, seconds: clock() });
    await hooks.onFinish?.(result, context);
    return result;
  } catch (e) {
    online.dispose();
    throw e;
  } finally {
    stopAsked.dispose();
    target.dispose();
    optimizer.dispose();
  }
}

// ---------------------------------------------------------------- the loop's helpers

/** Epsilon-greedy on the online network; also returns max_a Q(s, a) for the diagnostics. */
function act(online: tf.LayersModel, state: ArrayLike<number>, epsilon: number, rng: Rng): { action: number; maxQ: number } {
  const q = qValues(online, state);
  const action = rng.float() < epsilon ? rng.int(q.length) : argmax(q);
  return { action, maxQ: q[argmax(q)] };
}

/**
 * What a run needs: the environment, the generator, the online network and its target copy
 * (the same initial weights), Adam and the memory; from a snapshot when resuming.
 */
async function setUp(c: TrainConfig, stepCap: number, resume?: TrainerSnapshot) {
  const env = makeTask(c.env, { dynamics: c.dynamics, maxEpisodeSteps: c.maxEpisodeSteps });
  const { observationSize: inputSize, actions } = taskInfo(c.env); // the network's and memory's sizes are the task's
  const rng = makeRng(c.seed); // exploration, sampling, initial weights
  const online = buildQNetwork({ inputSize, actions, hiddenLayers: c.hiddenLayers, seed: rng.seed() });
  const target = buildQNetwork({ inputSize, actions, hiddenLayers: c.hiddenLayers });
  copyWeights(online, target);
  const optimizer = makeOptimizer(c.learningRate);
  const fresh = { env, rng, online, target, optimizer, memory: new ReplayMemory(c.memory === "episode" ? stepCap : c.memoryCapacity, inputSize) };
  if (!resume) return fresh;
  try {
    return { ...fresh, ...(await restoreSnapshot(resume, c, fresh)) };
  } catch (e) {
    online.dispose(); // a snapshot that does not fit leaves nothing behind
    target.dispose();
    optimizer.dispose();
    throw e;
  }
}

function resultOf(stop: Stop, log: Tally, run: Pick<TrainResult, "model" | "config" | "envSteps" | "seconds">): TrainResult {
  const solved = stop.reason === "solved";
  return {
    solved, solvedAtEpisode: solved ? log.solvedAtEpisode : null, stopReason: stop.reason, message: stop.message,
    records: log.records, backend: describeBackend(), ...run,
  };
}

function budgetStop(c: TrainConfig, episode: number, envSteps: number): Stop | null {
  if (episode > c.maxEpisodes) return { reason: "maxEpisodes", message: `reached the episode budget (${c.maxEpisodes})` };
  if (envSteps >= c.maxEnvSteps) return { reason: "maxEnvSteps", message: `reached the env-step budget (${c.maxEnvSteps})` };
  return null;
}

function solvedStop(at: number | null, average: number, c: TrainConfig): Stop | null {
  if (at === null) return null;
  return { reason: "solved", message: `solved at episode ${at}: the ${c.solvedWindow}-episode average ${average.toFixed(2)} >= ${c.solvedAt}` };
}

function divergedStop(loss: number, episode: number, envSteps: number): Stop {
  return {
    reason: "diverged",
    message: `training diverged: the TD loss became ${loss} in episode ${episode} (env step ${envSteps}); try a smaller learningRate, gradClipNorm or the huber loss`,
  };
}

function badRewardStop(r: number, step: number, episode: number): Stop {
  return {
    reason: "diverged",
    message: `the reward function returned ${r} at step ${step} of episode ${episode}: a reward must be a finite number (training stopped before learning from it)`,
  };
}

function stopwatch(offsetSeconds: number): () => number {
  const started = performance.now();
  return () => offsetSeconds + (performance.now() - started) / 1000;
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

function mean(xs: readonly number[]): number | null {
  return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}
