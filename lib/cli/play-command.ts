/**
 * `play`: greedy episodes of a saved model, their returns and the mean, and
 * optionally a page with the first episode as an animation.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadModel, readModelMetadata } from "../agent/model-io";
import { evaluateAsync } from "../train/evaluate";
import { MAX_EPISODE_STEPS_LIMIT } from "../train/config";
import { rewardFunctions, type RewardName } from "../train/rewards";
import type { Dynamics } from "../env/acrobot";
import { describeBackend, initBackend } from "../tf";
import { episodeAnimationFigure } from "../viz/figures";
import { tableHtml } from "../viz/html";
import { committedFolder } from "../files";
import { FILES } from "../runs/format";
import { checkPageTarget, figureSection, writePage } from "../viz/run-pages";
import { packageVersion } from "../runs/meta";
import { EXIT, UsageError } from "./errors";
import { TASK_IDS, TASKS, isTaskId, type TaskId } from "../env/task";
import { StopRequests } from "./signals";
import type { PlotlyMode } from "./options";
import { shown } from "./train-command";
import { subfolderOf } from "../folder-read";

export interface PlayFlags {
  model: string;
  episodes: number;
  seed: number;
  html?: string;
  plotly: PlotlyMode;
}

/** The task a saved model's metadata names (Acrobot-v1 when it names none, or cannot be read: loadModel then says what is wrong). */
function taskInMetadata(dir: string): TaskId {
  try {
    const env = (readModelMetadata(dir).config as { env?: unknown } | undefined)?.env;
    return isTaskId(env) ? env : "Acrobot-v1";
  } catch {
    return "Acrobot-v1";
  }
}

/** A run folder stands for its model/. */
function modelFolder(dir: string): string {
  const inRun = subfolderOf(dir, committedFolder(join(dir, FILES.model))); // a run's model/ must not lead out of the run
  return !existsSync(join(dir, "model.json")) && existsSync(join(inRun, "model.json")) ? inRun : dir;
}

/** The environment the model was trained on, from its metadata, each field checked (a bad one is named, never guessed). */
function playedEnvironment(dir: string, meta: Record<string, unknown>): { env: TaskId; reward: RewardName; dynamics: Dynamics; maxEpisodeSteps: number; note: string } {
  const file = join(dir, "model.json");
  const config = meta.config ?? {};
  const bad = (field: string, what: string, got: unknown): never => {
    throw new Error(`${file}: userDefinedMetadata.config.${field} must be ${what}, got ${JSON.stringify(got)}`);
  };
  if (config === null || typeof config !== "object" || Array.isArray(config)) return bad("", "an object", config);
  const c = config as { env?: unknown; reward?: unknown; dynamics?: unknown; maxEpisodeSteps?: unknown };
  const env = c.env ?? "Acrobot-v1"; // models saved before other tasks are Acrobot's
  if (!isTaskId(env)) return bad("env", `one of ${TASK_IDS.map((t) => `"${t}"`).join(", ")}`, env);
  let reward: RewardName = "env", note = "";
  if (c.reward === "custom") note = " (trained on a custom reward: the returns shown are the environment's)";
  else if (typeof c.reward === "string" && Object.hasOwn(rewardFunctions, c.reward)) reward = c.reward as RewardName;
  else if (c.reward !== undefined) bad("reward", `one of ${Object.keys(rewardFunctions).map((k) => `"${k}"`).join(", ")} or "custom"`, c.reward);
  if (c.dynamics !== undefined && c.dynamics !== "book" && c.dynamics !== "nips") bad("dynamics", '"book" or "nips"', c.dynamics);
  const steps = c.maxEpisodeSteps ?? TASKS[env].maxEpisodeSteps;
  if (!Number.isSafeInteger(steps) || (steps as number) < 1 || (steps as number) > MAX_EPISODE_STEPS_LIMIT) bad("maxEpisodeSteps", `a whole number from 1 to ${MAX_EPISODE_STEPS_LIMIT}`, steps);
  return { env, reward, dynamics: c.dynamics === "nips" ? "nips" : "book", maxEpisodeSteps: steps as number, note };
}

export async function playCommand(flags: PlayFlags): Promise<number> {
  // Before the slow parts: a page we would refuse to write should fail now, not after the episodes.
  if (flags.html) checkPageTarget(flags.html);
  const stops = new StopRequests();
  try {
    await initBackend();
    console.log(`acrobot-dqn ${packageVersion()}: ${describeBackend()}`);
    const dir = modelFolder(flags.model);
    // Play the environment the model was trained on, paid as it was paid (the metadata says, when saved by acrobot-dqn).
    // The task first, for the sizes loadModel checks; a model folder too broken to tell is loadModel's to report.
    const trainedOn = taskInMetadata(dir);
    const model = await loadModel(dir, { inputSize: TASKS[trainedOn].observationSize, actions: TASKS[trainedOn].actions, task: trainedOn });
    try {
      const meta = readModelMetadata(dir);
      const { env, reward, dynamics, maxEpisodeSteps, note } = playedEnvironment(dir, meta);
      if (flags.html && env !== "Acrobot-v1") throw new UsageError(`--html draws Acrobot-v1 episodes only; this model plays ${env} (drop --html)`);
      const about = [meta.preset && `preset ${meta.preset}`, meta.seed !== undefined && `seed ${meta.seed}`, meta.solvedAtEpisode !== undefined && `cleared the bar at episode ${meta.solvedAtEpisode}`].filter(Boolean);
      console.log(`model: ${shown(dir)}${about.length > 0 ? ` (${about.join(", ")})` : ""}`);
      console.log(`playing ${flags.episodes} greedy episode(s) of ${env}, first reset seed ${flags.seed}, reward "${reward}", time limit ${maxEpisodeSteps} steps${note}`);

      const r = await evaluateAsync(model, {
        env, episodes: flags.episodes, seed: flags.seed, reward, dynamics, maxEpisodeSteps, recordEpisode: flags.html ? 0 : undefined,
        signal: stops.signal, handleSignals: false,
      });
      r.returns.forEach((ret, i) => {
        // Ending before the time limit means the task ended: Acrobot's tip reached the line, MountainCar's flag, CartPole's pole fell.
        console.log(`episode ${i + 1}: return ${fmt(ret)} in ${r.lengths[i]} steps${r.lengths[i] < maxEpisodeSteps ? ` (${TASKS[env].ended.one})` : " (time limit)"}`);
      });
      const played = r.returns.length;
      if (r.stopped) {
        console.log(`${stops.received ?? "stop"}: stopped after ${played} of ${flags.episodes} episode(s)${played > 0 ? `; mean return over those: ${r.mean.toFixed(2)}` : ""}`);
        return stops.exitCode() ?? EXIT.SIGINT;
      }
      console.log(`mean return over ${flags.episodes} episode(s): ${r.mean.toFixed(2)} ± ${r.std.toFixed(2)} (std; ${r.successes} of ${flags.episodes} ${TASKS[env].ended.some})`);

      if (flags.html && r.states) {
        const fig = episodeAnimationFigure(r.states, { title: `Episode 1: return ${fmt(r.returns[0])} in ${r.lengths[0]} steps` });
        const { section } = figureSection(fig, "Episode 1 (Play, or drag the slider)", "episode");
        const rows = r.returns.map((ret, i) => ({ episode: i + 1, return: ret, steps: r.lengths[i] }));
        writePage(flags.html, `Acrobot-v1: greedy play of ${dir}`, [section, { heading: `All ${flags.episodes} episodes (mean return ${r.mean.toFixed(2)} ± ${r.std.toFixed(2)})`, html: tableHtml(rows) }], flags.plotly);
        console.log(`animation: ${shown(flags.html)}`);
      }
      return stops.exitCode() ?? EXIT.ok;
    } finally {
      model.dispose();
    }
  } finally {
    stops.dispose();
  }
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
