/**
 * `npm start`. Until the trainer lands this plays one episode of Acrobot-v1
 * with a uniformly random policy and prints its return: the baseline every
 * chapter of the course has to beat.
 */
import { Acrobot } from "./env/acrobot";
import { initBackend, describeBackend } from "./tf";

async function main(): Promise<void> {
  await initBackend();
  console.log(`acrobot-dqn: ${describeBackend()}`);
  const env = new Acrobot();
  const seed = 0;
  env.reset({ seed });
  let total = 0, steps = 0;
  for (;;) {
    const r = env.step(Math.floor(Math.random() * 3));
    total += r.reward;
    steps++;
    if (r.terminated || r.truncated) break;
  }
  console.log(`random policy, one episode (reset seed ${seed}): return ${total} in ${steps} steps`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
