// 00's two baselines over 100 episodes, seeds 1-5: a random policy, and the energy-pumping rule.
import { Acrobot } from "../lib/env/acrobot";
import { makeRng } from "../lib/random";
for (const seed of [1, 2, 3, 4, 5]) {
  const rng = makeRng(seed);
  const out: Record<string, number | string> = { seed };
  for (const [name, policy] of [["random", () => rng.int(3)], ["pump", (s: ArrayLike<number>) => (s[5] > 0 ? 2 : 0)]] as const) {
    const env = new Acrobot();
    let obs = env.reset({ seed });
    const returns: number[] = [];
    for (let i = 0; i < 100; i++) {
      let total = 0;
      for (;;) { const r = env.step(policy(obs)); obs = r.observation; total += r.reward; if (r.terminated || r.truncated) break; }
      returns.push(total);
      obs = env.reset();
    }
    out[`${name} mean`] = +(returns.reduce((a, b) => a + b, 0) / 100).toFixed(1);
    out[`${name} reached the line`] = returns.filter((r) => r > -500).length;
  }
  console.log(JSON.stringify(out));
}
