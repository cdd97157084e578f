/** Acrobot steps per second on one core: a policy-free loop over many episodes. */
import { Acrobot } from "../lib/env/acrobot";
import { median } from "./stats";

export function benchEnvSteps(opts: { steps: number; reps: number }): { stepsPerSecond: number[] } {
  const env = new Acrobot();
  const stepsPerSecond: number[] = [];
  let a = 0;
  env.reset({ seed: 0 });
  for (let rep = 0; rep < opts.reps; rep++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < opts.steps; i++) {
      a = a === 2 ? 0 : a + 1;
      const r = env.step(a);
      if (r.terminated || r.truncated) env.reset();
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    stepsPerSecond.push(opts.steps / seconds);
  }
  return { stepsPerSecond };
}

if (require.main === module) {
  const { stepsPerSecond } = benchEnvSteps({ steps: 1_000_000, reps: 7 });
  console.log(`Acrobot steps/s, median of 7: ${Math.round(median(stepsPerSecond))}`);
}
