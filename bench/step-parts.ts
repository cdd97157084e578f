/**
 * Where one environment step of the `improved` preset spends its time:
 * acting (one greedy forward pass), the environment, the replay memory (push
 * and a 128-transition sample) and the TD update (4 updates every 4 steps, so
 * one per step on average). Medians of repeated timings.
 */
import { initBackend } from "../lib/tf";
import { Acrobot } from "../lib/env/acrobot";
import { buildQNetwork, greedyAction } from "../lib/agent/q-network";
import { ReplayMemory } from "../lib/agent/replay-memory";
import { makeRng } from "../lib/random";
import { benchDqnStep } from "./dqn-step";
import { median } from "./stats";

export interface StepParts {
  actMs: number;
  envMs: number;
  memoryMs: number;
  updateMs: number;
}

function timeEach(reps: number, inner: number, f: () => void): number {
  for (let i = 0; i < inner; i++) f(); // warm up
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) f();
    times.push((performance.now() - t0) / inner);
  }
  return median(times);
}

export async function benchStepParts(hidden = [256, 256], batch = 128): Promise<StepParts> {
  await initBackend();
  const model = buildQNetwork({ hiddenLayers: hidden, seed: 1 });
  const env = new Acrobot({ maxEpisodeSteps: 1_000_000 });
  let obs = env.reset({ seed: 0 });
  const actMs = timeEach(9, 300, () => greedyAction(model, obs));
  let a = 0;
  const envMs = timeEach(9, 10_000, () => {
    a = a === 2 ? 0 : a + 1;
    obs = env.step(a).observation;
  });
  const memory = new ReplayMemory(50_000);
  const rng = makeRng(1);
  for (let i = 0; i < 50_000; i++) memory.push(obs, i % 3, -1, obs, false);
  const memoryMs = timeEach(9, 300, () => {
    memory.push(obs, 1, -1, obs, false);
    memory.sample(batch, rng);
  });
  model.dispose();
  const { fixedMs: updateMs } = await benchDqnStep({ hidden, batch, reps: 41, warmup: 5 });
  await initBackend();
  return { actMs, envMs, memoryMs, updateMs };
}

if (require.main === module) {
  benchStepParts().then((p) => console.log(p));
}
