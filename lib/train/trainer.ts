/**
 * The one training loop. Every chapter is this loop under another config:
 * play epsilon-greedily, remember transitions, learn on the config's
 * schedule, sync the target network on its schedule, and stop when the
 * average return clears the bar or a budget runs out.
 */
import { Acrobot } from "../env/acrobot";
import { tf, initBackend, describeBackend } from "../tf";
import { makeRng } from "../random";
import { ReplayMemory } from "../agent/replay-memory";
import { buildQNetwork, copyWeights, epsilonGreedyAction } from "../agent/q-network";
import { tdUpdate } from "../agent/td-update";
import { resolveConfig, rewardFunction, type TrainConfig } from "./config";
import { MovingAverage } from "./moving-average";
import { takeSnapshot, restoreSnapshot, type TrainerSnapshot } from "./snapshot";

/** What the trainer reports after every episode. */
export interface EpisodeRecord {
  episode: number;
  /** Steps in this episode. */
  steps: number;
  /** Sum of the config's rewards over the episode. */
  return: number;
  /** Mean return of the last (up to) 100 episodes, this one included. */
  average100: number;
  /** The environment's own return (-1 per step, 0 on reaching the line), whatever reward the agent learns from. */
  envReturn: number;
  /** Whether the tip reached the line (rather than running out of time). */
  terminated: boolean;
  /** Epsilon at the episode's last step. */
  epsilon: number;
  /** Mean TD loss of the updates made during this episode; null if none. */
  loss: number | null;
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
  /** The target network (the online network itself when there is no second one). */
  target: tf.LayersModel;
  /** Everything needed to continue this run later with `train(config, hooks, { resume })`. */
  snapshot(): Promise<TrainerSnapshot>;
}

export interface TrainHooks {
  /** Called after each episode; awaited, so a notebook can refresh its display. */
  onEpisode?: (record: EpisodeRecord, context: TrainContext) => void | Promise<void>;
  /** Called right after each target-network sync. */
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

/** Trains a DQN as `config` says (missing fields take the defaults). */
export async function train(config: Partial<TrainConfig>, hooks: TrainHooks = {}, options: TrainOptions = {}): Promise<TrainResult> {
  const c = resolveConfig(config);
  await initBackend();
  const started = performance.now();
  const resume = options.resume;
  const elapsed = () => (resume?.seconds ?? 0) + (performance.now() - started) / 1000;

  const env = new Acrobot({ dynamics: c.dynamics, maxEpisodeSteps: c.maxEpisodeSteps });
  const reward = rewardFunction(c);
  const stepCap = Math.min(c.maxStepsPerEpisode ?? Infinity, c.maxEpisodeSteps);
  let rng = makeRng(c.seed); // exploration, sampling, initial weights

  const online = buildQNetwork({ hiddenLayers: c.hiddenLayers, seed: rng.seed() });
  // Chapters 1-2: the network computes its own targets. Chapter 3 on: a copy does.
  const target = c.targetSyncEvery === null ? online : buildQNetwork({ hiddenLayers: c.hiddenLayers });
  if (target !== online) copyWeights(online, target);
  const optimizer = tf.train.adam(c.learningRate);
  let memory = new ReplayMemory(c.memory === "episode" ? stepCap : c.memoryCapacity);
  const td = { gamma: c.gamma, loss: c.loss, doubleDqn: c.doubleDqn, gradClipNorm: c.gradClipNorm };

  const returns = new MovingAverage(c.solvedWindow);
  const average100 = new MovingAverage(100);
  const records: EpisodeRecord[] = [];
  let envSteps = 0;
  let stop: { reason: StopReason; message: string } | null = null;
  let solvedAtEpisode: number | null = null;
  let episodeLosses: number[] = [];

  if (resume) {
    const restored = await restoreSnapshot(resume, c, { online, target, optimizer, env }).catch((e: unknown) => {
      new Set([online, target]).forEach((m) => m.dispose()); // a snapshot that does not fit leaves nothing behind
      optimizer.dispose();
      throw e;
    });
    rng = restored.rng;
    memory = restored.memory;
    envSteps = resume.envSteps;
    for (const r of resume.records) {
      records.push(r);
      returns.push(r.return);
      average100.push(r.return);
    }
  }
  const context: TrainContext = {
    online,
    target,
    snapshot: () => takeSnapshot({ config: c, records, envSteps, seconds: elapsed(), online, target, optimizer, rng, env, memory }),
  };

  const epsilonAt = (steps: number) =>
    c.epsilonDecaySteps === 0
      ? c.epsilonStart
      : c.epsilonStart + (c.epsilonEnd - c.epsilonStart) * Math.min(1, steps / c.epsilonDecaySteps);

  const syncTarget = (episode: number) => {
    copyWeights(online, target);
    hooks.onTargetSync?.({ episode, envSteps });
  };

  const learn = (episode: number) => {
    if (envSteps < c.learningStarts) return;
    for (let g = 0; g < c.gradientSteps; g++) {
      const batch = c.memory === "episode" ? memory.all() : memory.sample(c.batchSize, rng);
      const loss = tdUpdate(batch, online, target, optimizer, td);
      episodeLosses.push(loss);
      if (!Number.isFinite(loss)) {
        stop = {
          reason: "diverged",
          message: `training diverged: the TD loss became ${loss} in episode ${episode} (env step ${envSteps}); try a smaller learningRate, gradClipNorm or the huber loss`,
        };
        return;
      }
    }
    if (c.memory === "episode") memory.clear(); // chapter 1 forgets the episode it learned from
  };

  // The signal listeners must be added after an await (initBackend above): in a tslab cell, a SIGINT
  // listener added in the cell's synchronous part makes the stop button kill the kernel instead.
  const aborted = { value: hooks.signal?.aborted ?? false };
  const onAbort = () => (aborted.value = true);
  hooks.signal?.addEventListener("abort", onAbort);
  const handleSignals = hooks.handleSignals ?? true;
  if (handleSignals) {
    process.on("SIGINT", onAbort);
    process.on("SIGTERM", onAbort);
  }

  try {
    for (let episode = records.length + 1; stop === null; episode++) {
      if (episode > c.maxEpisodes) {
        stop = { reason: "maxEpisodes", message: `reached the episode budget (${c.maxEpisodes})` };
        break;
      }
      if (envSteps >= c.maxEnvSteps) {
        stop = { reason: "maxEnvSteps", message: `reached the env-step budget (${c.maxEnvSteps})` };
        break;
      }
      let state = env.reset(episode === 1 ? { seed: c.seed } : {});
      let total = 0, steps = 0, terminated = false, epsilon = epsilonAt(envSteps);
      episodeLosses = [];

      while (stop === null) {
        epsilon = epsilonAt(envSteps);
        const action = epsilonGreedyAction(online, state, epsilon, rng);
        const result = env.step(action);
        const r = reward(result, env.state);
        steps++;
        envSteps++;
        total += r;
        terminated = result.terminated;
        // "done" for the TD target: a real ending, or (the lesson's way) a time-out too.
        const done = result.terminated || (result.truncated && c.truncationIsTerminal);
        memory.push(state, action, r, result.observation, done);
        state = result.observation;

        if (c.trainUnit === "steps" && envSteps % c.trainEvery === 0) learn(episode);
        if (c.targetSyncUnit === "steps" && c.targetSyncEvery !== null && envSteps % c.targetSyncEvery === 0) syncTarget(episode);
        if (result.terminated || result.truncated || steps >= stepCap || envSteps >= c.maxEnvSteps) break;
        // Let a Ctrl-C (or the notebook's stop button) in every so often, so it stops the run within a step or so.
        if (steps % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
        if (aborted.value) stop = { reason: "aborted", message: `stopped by request during episode ${episode}` };
      }
      if (!Number.isFinite(total)) {
        stop ??= { reason: "diverged", message: `the reward function returned ${total} in episode ${episode}` };
      }

      returns.push(total);
      average100.push(total);
      const record: EpisodeRecord = {
        episode, steps, return: total, average100: average100.mean(), envReturn: terminated ? 1 - steps : -steps, terminated, epsilon,
        loss: null, envSteps, seconds: elapsed(),
      };
      records.push(record);
      // As in the lesson: check the bar before learning from this episode.
      if (stop === null && returns.full() && returns.mean() >= c.solvedAt) {
        solvedAtEpisode = episode;
        stop = { reason: "solved", message: `solved at episode ${episode}: the ${c.solvedWindow}-episode average ${returns.mean().toFixed(2)} >= ${c.solvedAt}` };
      }
      if (stop === null) {
        if (c.targetSyncUnit === "episodes" && c.targetSyncEvery !== null && episode % c.targetSyncEvery === 0) syncTarget(episode);
        if (c.trainUnit === "episodes" && episode % c.trainEvery === 0) learn(episode);
      }
      record.loss = episodeLosses.length > 0 ? episodeLosses.reduce((a, b) => a + b, 0) / episodeLosses.length : null;
      record.seconds = elapsed();
      await hooks.onEpisode?.(record, context);
      // Let signal handlers and displays run between episodes.
      await new Promise((resolve) => setImmediate(resolve));
      if (stop === null && aborted.value) stop = { reason: "aborted", message: `stopped by request after episode ${episode}` };
    }

    const final = stop as unknown as { reason: StopReason; message: string };
    const result: TrainResult = {
      solved: solvedAtEpisode !== null,
      solvedAtEpisode,
      stopReason: final.reason,
      message: final.message,
      model: online,
      records,
      config: c,
      envSteps,
      seconds: elapsed(),
      backend: describeBackend(),
    };
    await hooks.onFinish?.(result, context);
    return result;
  } catch (e) {
    online.dispose();
    throw e;
  } finally {
    hooks.signal?.removeEventListener("abort", onAbort);
    if (handleSignals) {
      process.off("SIGINT", onAbort);
      process.off("SIGTERM", onAbort);
    }
    if (target !== online) target.dispose();
    optimizer.dispose();
  }
}
