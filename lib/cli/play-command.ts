/**
 * `play`: greedy episodes of a saved model, their returns and the mean, and
 * optionally a page with the first episode as an animation.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadModel, readModelMetadata } from "../agent/model-io";
import { evaluate } from "../train/evaluate";
import { rewardFunctions, type RewardName } from "../train/rewards";
import type { Dynamics } from "../env/acrobot";
import { describeBackend, initBackend } from "../tf";
import { episodeAnimationFigure } from "../viz/figures";
import { tableHtml } from "../viz/html";
import { FILES } from "../runs/format";
import { figureSection, writePage } from "./charts";
import { packageVersion } from "./meta";
import { EXIT } from "./errors";
import type { PlotlyMode } from "./options";
import { shown } from "./train-command";

export interface PlayFlags {
  model: string;
  episodes: number;
  seed: number;
  html?: string;
  plotly: PlotlyMode;
}

/** A run folder stands for its model/. */
function modelFolder(dir: string): string {
  const inRun = join(dir, FILES.model);
  return !existsSync(join(dir, "model.json")) && existsSync(join(inRun, "model.json")) ? inRun : dir;
}

export async function playCommand(flags: PlayFlags): Promise<number> {
  await initBackend();
  console.log(`acrobot-dqn ${packageVersion()}: ${describeBackend()}`);
  const dir = modelFolder(flags.model);
  const model = await loadModel(dir);
  try {
    // Play the environment the model was trained on, paid as it was paid (the metadata says, when saved by acrobot-dqn).
    const meta = readModelMetadata(dir);
    const config = (meta.config ?? {}) as { reward?: unknown; dynamics?: unknown; maxEpisodeSteps?: unknown };
    const reward = typeof config.reward === "string" && config.reward in rewardFunctions ? (config.reward as RewardName) : "env";
    const dynamics: Dynamics = config.dynamics === "nips" ? "nips" : "book";
    const maxEpisodeSteps = typeof config.maxEpisodeSteps === "number" ? config.maxEpisodeSteps : 500;
    const about = [meta.preset && `preset ${meta.preset}`, meta.seed !== undefined && `seed ${meta.seed}`, meta.solvedAtEpisode !== undefined && `cleared the bar at episode ${meta.solvedAtEpisode}`].filter(Boolean);
    console.log(`model: ${shown(dir)}${about.length > 0 ? ` (${about.join(", ")})` : ""}`);
    console.log(`playing ${flags.episodes} greedy episode(s), first reset seed ${flags.seed}, reward "${reward}", time limit ${maxEpisodeSteps} steps`);

    const r = evaluate(model, { episodes: flags.episodes, seed: flags.seed, reward, dynamics, maxEpisodeSteps, recordEpisode: flags.html ? 0 : undefined });
    r.returns.forEach((ret, i) => {
      // Ending before the time limit means the tip reached the line.
      console.log(`episode ${i + 1}: return ${fmt(ret)} in ${r.lengths[i]} steps${r.lengths[i] < maxEpisodeSteps ? " (the tip reached the line)" : " (time limit)"}`);
    });
    console.log(`mean return over ${flags.episodes} episode(s): ${r.mean.toFixed(2)} (${r.successes} of ${flags.episodes} reached the line)`);

    if (flags.html && r.states) {
      const fig = episodeAnimationFigure(r.states, { title: `Episode 1: return ${fmt(r.returns[0])} in ${r.lengths[0]} steps` });
      const { section } = figureSection(fig, "Episode 1 (Play, or drag the slider)", "episode");
      const rows = r.returns.map((ret, i) => ({ episode: i + 1, return: ret, steps: r.lengths[i] }));
      writePage(flags.html, `Acrobot-v1: greedy play of ${dir}`, [section, { heading: `All ${flags.episodes} episodes (mean return ${r.mean.toFixed(2)})`, html: tableHtml(rows) }], flags.plotly);
      console.log(`animation: ${shown(flags.html)}`);
    }
    return EXIT.ok;
  } finally {
    model.dispose();
  }
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
