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
import { memoryKinds } from "../agent/memory";
import { argmax, copyWeights, qValues } from "../agent/q-network";
import { networkKinds } from "../agent/networks";
import { tdUpdate } from "../agent/td-update";
import { softUpdate } from "../agent/soft-update";
import { makeOptimizer } from "../agent/adam";
import { resolveConfig, rewardFunction, type TrainConfig } from "./config";
import { epsilonAt, schedule } from "./schedule";
import { runControl, type Stop, type StopReason } from "./run-control";
import { tally, type Tally } from "./tally";
import { takeSnapshot, restoreSnapshot, type TrainerSnapshot } from "./snapshot";
import { periodicEvaluator, type Evaluation } from "./periodic-eval";

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

export type { StopReason };

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
  /** The periodic greedy evaluations (config.evalEvery), in order; empty when off. */
  evaluations: Evaluation[];
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
  /** Called after each periodic greedy evaluation (config.evalEvery), e.g. to chart it. */
  onEvaluation?: (evaluation: Evaluation) => void;
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
  const evaluator = periodicEvaluator(c); // its own environment: the training episodes stay exactly as without it
  const evaluations: Evaluation[] = (options.resume?.evaluations ?? []).map((e) => ({ ...e }));
  const context: TrainContext = {
    online, target,
    snapshot: () => takeSnapshot({ config: c, records: log.records, evaluations, envSteps, seconds: clock(), online, target, optimizer, rng, env, memory }),
  };
  // Budgets, stop requests, cut episodes, pauses, the reward and loss checks (run-control.ts); a resumed run may be solved already.
  const run = await runControl(c, hooks, solvedStop(log.solvedAtEpisode, log.barAverage, c));
  let losses: number[] = [];

  const learn = () => {
    if (envSteps < c.learningStarts) return;
    for (let g = 0; g < c.gradientSteps && run.stop === null; g++) {
      const batch = memory.batch(c.batchSize, rng);
      const loss = tdUpdate(batch, online, target, optimizer, td);
      losses.push(loss);
      run.lossOk(loss, log.records.length + 1, envSteps);
      if (due.syncAfterUpdate) copyWeights(online, target);
    }
    memory.learned(); // chapter 1's memory forgets the episode it learned from
  };
  const evaluateNow = (episode: number) => {
    const e = evaluator.run(online, { envSteps, episode });
    evaluations.push(e);
    hooks.onEvaluation?.(e);
  };
  const sync = (episode: number) => {
    if (c.targetUpdateTau === null) copyWeights(online, target);
    else softUpdate(online, target, c.targetUpdateTau); // Polyak: a step of tau toward the online network
    hooks.onTargetSync?.({ episode, envSteps });
  };

  try {
    for (let episode = log.records.length + 1; run.mayStart(episode, envSteps); episode++) {
      let state = env.reset(episode === 1 ? { seed: c.seed } : {});
      let total = 0, envTotal = 0, steps = 0, maxQSum = 0, terminated = false, cut = false, epsilon = epsilonAt(c, envSteps);
      losses = [];

      for (;;) {
        epsilon = epsilonAt(c, envSteps);
        const { action, maxQ } = act(online, state, epsilon, rng);                 // act
        const result = env.step(action);                                            // step
        const r = reward(result, env.state);
        if (!run.rewardOk(r, steps + 1, episode)) { cut = true; break; }
        steps++; envSteps++; total += r; envTotal += result.reward; maxQSum += maxQ; terminated = result.terminated;
        const done = result.terminated || (result.truncated && c.truncationIsTerminal); // the lesson: a time-out is "done" too
        memory.push(state, action, r, result.observation, done);                    // remember
        state = result.observation;
        if (due.learnAfterStep(envSteps)) learn();                                  // learn when due
        if (due.syncAfterStep(envSteps)) sync(episode);                             // sync when due
        if (evaluator.due(envSteps)) evaluateNow(episode);                          // greedy evaluation when due
        if (result.terminated || result.truncated || steps >= stepCap) break;       // the episode's natural end
        if (await run.cutHere(steps, envSteps)) { cut = true; break; }             // cut short (budget, stop request)
      }

      const record = log.add({                                                      // record
        episode, steps, return: total, envReturn: envTotal, terminated, cut, epsilon, loss: null,
        meanMaxQ: steps > 0 ? maxQSum / steps : null, envSteps, seconds: clock(),
      });
      run.episodeEnded(episode, cut, solvedStop(log.solvedAtEpisode, log.barAverage, c)); // check the bar
      if (run.stop === null && due.syncAfterEpisode(episode)) sync(episode);
      if (run.stop === null && due.learnAfterEpisode(episode)) learn();
      record.loss = mean(losses);
      record.seconds = clock();
      await hooks.onEpisode?.(record, context);
      await run.betweenEpisodes(episode); // signal handlers and displays run here
    }

    const result = resultOf(run.stop!, log, { model: online, evaluations, config: c, envSteps, seconds: clock() });
    await hooks.onFinish?.(result, context);
    return result;
  } catch (e) {
    online.dispose();
    throw e;
  } finally {
    run.dispose();
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
  const shape = { inputSize, actions, hiddenLayers: c.hiddenLayers };
  const online = networkKinds[c.network]({ ...shape, seed: rng.seed() });
  const target = networkKinds[c.network](shape);
  copyWeights(online, target);
  const optimizer = makeOptimizer(c.learningRate);
  const sizes = { capacity: c.memoryCapacity, episodeSteps: stepCap, stateSize: inputSize, actions };
  const fresh = { env, rng, online, target, optimizer };
  if (!resume) return { ...fresh, memory: memoryKinds[c.memory](sizes) };
  try {
    return { ...fresh, rng: await restoreSnapshot(resume, c, fresh), memory: memoryKinds[c.memory](sizes, resume.memory) };
  } catch (e) {
    online.dispose(); // a snapshot that does not fit leaves nothing behind
    target.dispose();
    optimizer.dispose();
    throw e;
  }
}

function resultOf(stop: Stop, log: Tally, run: Pick<TrainResult, "model" | "evaluations" | "config" | "envSteps" | "seconds">): TrainResult {
  const solved = stop.reason === "solved";
  return {
    solved, solvedAtEpisode: solved ? log.solvedAtEpisode : null, stopReason: stop.reason, message: stop.message,
    records: log.records, backend: describeBackend(), ...run,
  };
}

function solvedStop(at: number | null, average: number, c: TrainConfig): Stop | null {
  if (at === null) return null;
  return { reason: "solved", message: `solved at episode ${at}: the ${c.solvedWindow}-episode average ${average.toFixed(2)} >= ${c.solvedAt}` };
}

function stopwatch(offsetSeconds: number): () => number {
  const started = performance.now();
  return () => offsetSeconds + (performance.now() - started) / 1000;
}

function mean(xs: readonly number[]): number | null {
  return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}
