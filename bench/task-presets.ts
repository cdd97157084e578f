/**
 * Issue 19's measurement: a preset trained on one seed after another, each until it clears its
 * bar or its env-step budget, then the model played greedily for 100 episodes (first reset seed
 * 1000 + seed). The greedy condition: that mean meets the task's reward threshold. One JSON line per run.
 *
 *   npx tsx bench/task-presets.ts PRESET SEEDS [OUT.jsonl] [FIELD=JSON ...]   e.g. cartpole 1,2,3,4,5
 */
import { appendFileSync } from "node:fs";
import { loadavg } from "node:os";
import { train } from "../lib/train/trainer";
import { preset } from "../lib/train/presets";
import { evaluate } from "../lib/train/evaluate";
import { resolveConfig } from "../lib/train/config";
import { taskInfo } from "../lib/env/task";

const [name = "cartpole", seedList = "1,2,3,4,5", out, ...overrides] = process.argv.slice(2);
const extra = Object.fromEntries(overrides.map((o) => { const i = o.indexOf("="); return [o.slice(0, i), JSON.parse(o.slice(i + 1))]; }));
(async () => {
  for (const seed of seedList.split(",").map(Number)) {
    const config = resolveConfig({ ...preset(name), ...extra, seed });
    const cpu0 = process.cpuUsage();
    let shown = 0;
    const r = await train(config, {
      handleSignals: false,
      // A line every 10000 env steps, so a run stopped by the clock still says how far it got.
      onEpisode: (e) => {
        if (e.envSteps - shown < 10_000) return;
        shown = e.envSteps;
        console.error(JSON.stringify({ preset: name, seed, envSteps: e.envSteps, episode: e.episode, average100: +e.average100.toFixed(2), envReturn: e.envReturn, cpuSeconds: +(process.cpuUsage(cpu0).user / 1e6).toFixed(1) }));
      },
    });
    const cpu = process.cpuUsage(cpu0);
    const ev = evaluate(r.model, { env: config.env, episodes: 100, seed: 1000 + seed, maxEpisodeSteps: config.maxEpisodeSteps });
    r.model.dispose();
    const threshold = taskInfo(config.env).rewardThreshold;
    const last = r.records.at(-1)!;
    // The task's own return over the last 100 complete episodes (the bar's measure when the reward is shaped).
    const judged = r.records.filter((e) => !e.cut).slice(-100).map((e) => e.envReturn);
    const row = {
      preset: name, overrides: extra, seed, env: config.env, solved: r.solved, stopReason: r.stopReason, episodes: r.records.length, envSteps: r.envSteps,
      lastAverage100: +last.average100.toFixed(2), lastEnvAverage100: +(judged.reduce((a, b) => a + b, 0) / judged.length).toFixed(2), seconds: +r.seconds.toFixed(1), cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1),
      greedyMean100: +ev.mean.toFixed(2), greedyMin: Math.min(...ev.returns), terminations: ev.successes, greedyMeetsThreshold: ev.mean >= threshold, load: +loadavg()[0].toFixed(1),
    };
    if (out) appendFileSync(out, JSON.stringify(row) + "\n");
    console.log(JSON.stringify(row));
  }
})();
