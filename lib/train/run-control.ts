/**
 * Run control, beside the training loop: when a run must stop and why. The
 * budgets (episodes, environment steps), stop requests (an AbortSignal,
 * Ctrl-C, the notebook's stop button), episodes cut short, pauses that let
 * the event loop in, and the checks on what the loop computes (a reward or a
 * TD loss that is not a finite number) all live here; trainer.ts asks once
 * per step and once per episode, and otherwise reads like notebook 03's loop.
 */
import type { TrainConfig } from "./config";
import { stopRequest } from "./stop-request";

export type StopReason = "solved" | "maxEpisodes" | "maxEnvSteps" | "aborted" | "diverged";

export interface Stop {
  reason: StopReason;
  /** Why training stopped, in a sentence. */
  message: string;
}

export interface RunControl {
  /** Why the run stopped, once it has; null while it goes on. */
  readonly stop: Stop | null;
  /** Before an episode: false when the run has stopped or a budget is spent. */
  mayStart(episode: number, envSteps: number): boolean;
  /** A reward about to be learned from; false, stopping the run, when it is not a finite number. */
  rewardOk(r: number, step: number, episode: number): boolean;
  /** A TD loss; false, stopping the run, when it is not a finite number. */
  lossOk(loss: number, episode: number, envSteps: number): boolean;
  /** After a step that did not end the episode: true to cut it here (the run stopped, the env-step budget, a stop request). */
  cutHere(steps: number, envSteps: number): Promise<boolean>;
  /** After an episode's record: a stop request that cut it, else `solved` (the bar check's answer), stops the run. */
  episodeEnded(episode: number, cut: boolean, solved: Stop | null): void;
  /** After the episode's hooks: lets signal handlers and displays run, then heeds a stop request. */
  betweenEpisodes(episode: number): Promise<void>;
  /** Removes the stop-request listeners. */
  dispose(): void;
}

/** Pauses every this many steps within an episode, so a stop request gets in within a step or so. */
const PAUSE_EVERY = 64;

/** Starts listening for stop requests (after an await: see stop-request.ts); `stopped`: a run that is over already (a resumed run that was solved). */
export async function runControl(
  c: Pick<TrainConfig, "maxEpisodes" | "maxEnvSteps">,
  o: { signal?: AbortSignal; handleSignals?: boolean },
  stopped: Stop | null,
): Promise<RunControl> {
  const asked = await stopRequest({ signal: o.signal, handleSignals: o.handleSignals });
  let stop = stopped;
  return {
    get stop() {
      return stop;
    },
    mayStart(episode, envSteps) {
      stop ??= budgetStop(c, episode, envSteps);
      return stop === null;
    },
    rewardOk(r, step, episode) {
      if (Number.isFinite(r)) return true;
      stop ??= {
        reason: "diverged",
        message: `the reward function returned ${r} at step ${step} of episode ${episode}: a reward must be a finite number (training stopped before learning from it)`,
      };
      return false;
    },
    lossOk(loss, episode, envSteps) {
      if (Number.isFinite(loss)) return true;
      stop ??= {
        reason: "diverged",
        message: `training diverged: the TD loss became ${loss} in episode ${episode} (env step ${envSteps}); try a smaller learningRate, gradClipNorm or the huber loss`,
      };
      return false;
    },
    async cutHere(steps, envSteps) {
      if (steps % PAUSE_EVERY === 0) await pause();
      return stop !== null || envSteps >= c.maxEnvSteps || asked.requested;
    },
    episodeEnded(episode, cut, solved) {
      if (stop === null && cut && asked.requested) stop = { reason: "aborted", message: `stopped by request during episode ${episode}` };
      stop ??= solved;
    },
    async betweenEpisodes(episode) {
      await pause();
      if (stop === null && asked.requested) stop = { reason: "aborted", message: `stopped by request after episode ${episode}` };
    },
    dispose: () => asked.dispose(),
  };
}

function budgetStop(c: Pick<TrainConfig, "maxEpisodes" | "maxEnvSteps">, episode: number, envSteps: number): Stop | null {
  if (episode > c.maxEpisodes) return { reason: "maxEpisodes", message: `reached the episode budget (${c.maxEpisodes})` };
  if (envSteps >= c.maxEnvSteps) return { reason: "maxEnvSteps", message: `reached the env-step budget (${c.maxEnvSteps})` };
  return null;
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
