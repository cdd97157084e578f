/**
 * Notebook 04's budget: does train(preset) reach the -90 bar for the notebook's seed within its
 * env-step budget? The notebook's own loop plays exactly these episodes (test/notebooks.test.ts).
 * Usage: tsx bench/nb04-budget.ts PRESET SEED STEPS
 */
import { initBackend } from "../lib/tf";
import { train } from "../lib/train/trainer";
import { presets, type PresetName } from "../lib/train/presets";

async function main(): Promise<void> {
  const [name = "fast", seed = "1", steps = "45000"] = process.argv.slice(2);
  if (!Object.hasOwn(presets, name)) throw new RangeError(`unknown preset ${name}`);
  await initBackend();
  const cpu0 = process.cpuUsage();
  const r = await train({ ...presets[name as PresetName], seed: Number(seed), maxEnvSteps: Number(steps), maxEpisodes: 100_000 }, { handleSignals: false });
  const cpu = process.cpuUsage(cpu0);
  r.model.dispose();
  const best = Math.max(...r.records.filter((x) => x.episode >= 100 && !x.cut).map((x) => x.average100));
  console.log(JSON.stringify({ preset: name, seed: Number(seed), budget: Number(steps), solved: r.solved, solvedAtEpisode: r.solvedAtEpisode, envSteps: r.envSteps, episodes: r.records.length, best100: best, wallSeconds: Number(r.seconds.toFixed(1)), cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)) }));
}
main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
