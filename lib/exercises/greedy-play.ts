/**
 * Notebook 06's exercise: the greedy play loop. The learner writes
 * `playEpisode(model, env, seed)`: reset the environment with that seed, then
 * until the episode ends (terminated or truncated) pick the action with the
 * highest Q value, step, and add up the rewards; return the sum.
 *
 * The check hands it a real Acrobot that also records what was done to it
 * (resets and their seeds, each observation acted on, each action, steps
 * after the end), and two networks: a small hand-set one that swings the arm
 * up (so episodes end by reaching the line, whose step pays 0) and a random
 * one, under the default time limit and a short one (so episodes also end by
 * truncation). From the record it says what the answer did: explored,
 * picked the lowest Q, acted on a stale observation, stopped early or ran
 * past the end, reset with another seed, returned a Promise or the step
 * count, summed the rewards wrongly.
 */
import { tf } from "../tf";
import { Acrobot, type ResetOptions, type StepResult } from "../env/acrobot";
import { argmax, buildQNetwork, greedyAction, qValues } from "../agent/q-network";
import { attempt, fmt, wrongKind, type ExerciseCheck } from "./check";

export type PlayEpisodeFn = (model: tf.LayersModel, env: Acrobot, seed: number) => number;

/** The library's answer: one greedy episode from `reset({ seed })`, its return. */
export const libraryPlayEpisode: PlayEpisodeFn = (model, env, seed) => {
  let obs = env.reset({ seed });
  let total = 0;
  for (;;) {
    const step = env.step(greedyAction(model, obs));
    total += step.reward;
    obs = step.observation;
    if (step.terminated || step.truncated) return total;
  }
};

/** An Acrobot that records how it was used; it behaves exactly as the real one (it is one). */
class RecordingAcrobot extends Acrobot {
  resets: (number | undefined)[] = [];
  observations: Float32Array[] = [];
  actions: number[] = [];
  rewards: number[] = [];
  last: StepResult | null = null;
  stepsAfterEnd = 0;
  private current: Float32Array | null = null;

  override reset(options: ResetOptions = {}): Float32Array {
    this.resets.push(options?.seed === undefined ? undefined : Number(options.seed));
    const obs = super.reset(options);
    this.current = obs.slice();
    this.last = null;
    return obs;
  }

  override step(action: number): StepResult {
    if (this.last !== null && (this.last.terminated || this.last.truncated)) this.stepsAfterEnd++;
    const r = super.step(action); // throws as the real one does (after the end, an invalid action)
    this.observations.push(this.current!);
    this.actions.push(action);
    this.rewards.push(r.reward);
    this.current = r.observation.slice();
    this.last = { ...r, observation: r.observation.slice() };
    return r;
  }
}

/** A 6-2-3 network that pushes with the second joint's swing: it reaches the line in about 65-190 steps. */
function swingUpNetwork(): tf.Sequential {
  const net = buildQNetwork({ hiddenLayers: [2], seed: 1 });
  const w1 = new Float32Array(12);
  w1[5 * 2] = 1; // hidden 0 = relu(dtheta2)
  w1[5 * 2 + 1] = -1; // hidden 1 = relu(-dtheta2)
  const ws = [tf.tensor2d(w1, [6, 2]), tf.zeros([2]), tf.tensor2d([0, 0, 1, 1, 0, 0], [2, 3]), tf.tensor1d([0, 0.01, 0])];
  net.setWeights(ws); // Q = [relu(-dtheta2), 0.01, relu(dtheta2)]
  ws.forEach((w) => w.dispose());
  return net;
}

interface Case { net: tf.LayersModel; name: string; maxEpisodeSteps: number; seed: number }

export function checkGreedyPlay(playEpisode: PlayEpisodeFn): ExerciseCheck {
  if (typeof playEpisode !== "function") return { ok: false, message: "playEpisode must be a function (model, env, seed) => the episode's return." };
  const swing = swingUpNetwork();
  const random = buildQNetwork({ hiddenLayers: [16], seed: 7 });
  const cases: Case[] = [
    { net: swing, name: "a network that swings up", maxEpisodeSteps: 500, seed: 3 },
    { net: swing, name: "a network that swings up", maxEpisodeSteps: 500, seed: 11 },
    { net: swing, name: "a network that swings up, with a 40-step time limit", maxEpisodeSteps: 40, seed: 5 },
    { net: random, name: "an untrained network, with a 60-step time limit", maxEpisodeSteps: 60, seed: 8 },
    { net: random, name: "an untrained network, which runs to the 500-step time limit", maxEpisodeSteps: 500, seed: 9 },
  ];
  try {
    for (const c of cases) {
      const problem = judge(playEpisode, c);
      if (problem !== null) return { ok: false, message: `Not yet: ${problem}` };
    }
    return { ok: true, message: "Correct: your loop resets with the seed it is given, plays the highest-Q action every step until the episode is terminated or truncated, and returns the sum of the rewards." };
  } finally {
    swing.dispose();
    random.dispose();
  }
}

function judge(playEpisode: PlayEpisodeFn, c: Case): string | null {
  const env = new RecordingAcrobot({ maxEpisodeSteps: c.maxEpisodeSteps });
  const where = `(on ${c.name}, seed ${c.seed})`;
  let kind: string | null = null, got = NaN;
  const out = attempt("playEpisode", () => tf.tidy(() => { // tidy: whatever tensors the answer makes are freed
    const v = playEpisode(c.net, env, c.seed) as unknown;
    kind = wrongKind(v, "number");
    if (kind === null) got = v as number;
  }));
  if (env.stepsAfterEnd > 0) {
    const end = env.last!.terminated ? "terminated (the tip reached the line)" : "truncated (the time limit)";
    return `your loop stepped again after the episode ended: it was ${end} after ${env.actions.length} steps ${where}. Hint: stop as soon as step.terminated || step.truncated; a loop on terminated alone runs past the time limit.`;
  }
  if ("problem" in out) return out.problem.replace(/^Not yet: /, "");
  if (env.resets.length === 0 && env.actions.length === 0) {
    return `your playEpisode never used the env it was given ${where}. Hint: play on the argument env (env.reset, env.step), not on an environment of your own.`;
  }
  if (env.resets.length === 0) return `your loop never reset the env ${where}. Hint: start with const obs = env.reset({ seed }).`;
  if (env.resets.length > 1) return `your loop reset the env ${env.resets.length} times in one episode ${where}. Hint: reset once, at the start; after that only step.`;
  if (env.resets[0] === undefined) return `your loop reset without a seed ${where}. Hint: env.reset({ seed }): the episode must start from the seed it is given, so that its result can be compared and repeated.`;
  if (env.resets[0] !== c.seed) return `your loop reset with seed ${env.resets[0]}, not the seed it was given (${c.seed}) ${where}. Hint: env.reset({ seed }) with the function's own seed argument.`;

  if (env.actions.length === 0) return `your loop reset the env but never stepped ${where}. Hint: after the reset, step with the best action until step.terminated || step.truncated.`;
  const problem = judgeActions(env, c.net, where);
  if (problem !== null) return problem;
  const last = env.last!;
  if (!last.terminated && !last.truncated) {
    return `your loop stopped after ${env.actions.length} steps while the episode was still going (neither terminated nor truncated) ${where}. Hint: loop until step.terminated || step.truncated, with no step count of your own.`;
  }
  if (kind !== null) return `your playEpisode ${kind} Hint: the loop itself is right; return the total as a number.`;
  return judgeReturn(got, env, where);
}

/** Whether each action was the highest-Q one for the observation it was taken in; if not, what it was instead. */
function judgeActions(env: RecordingAcrobot, net: tf.LayersModel, where: string): string | null {
  const n = env.actions.length;
  const qs = env.observations.map((o) => qValues(net, o));
  const greedy = qs.map(argmax);
  const wrong = env.actions.filter((a, i) => a !== greedy[i]).length;
  if (wrong === 0) return null;
  const lowest = qs.map((q) => argmax(Array.from(q, (x) => -x)));
  if (env.actions.every((a, i) => a === lowest[i])) return `your loop picked the action with the LOWEST Q value at every step ${where}. Hint: greedy means the highest: dqn.agent.argmax(q), or dqn.agent.greedyAction(model, obs).`;
  const first = argmax(qs[0]);
  if (n > 1 && env.actions.every((a) => a === env.actions[0]) && env.actions[0] === first && greedy.some((g) => g !== first)) {
    return `your loop chose action ${first} at every step ${where}: the best action for the FIRST observation only, as if it kept acting on that observation (or always played ${first}). Hint: after each step, continue from step.observation (obs = step.observation) and pick the best action for it.`;
  }
  const firstWrong = env.actions.findIndex((a, i) => a !== greedy[i]);
  const q = qs[firstWrong];
  const at = `at step ${firstWrong + 1} it played ${env.actions[firstWrong]} where Q = [${Array.from(q, fmt).join(", ")}]`;
  if (env.actions.every((a) => a === env.actions[0])) return `your loop always played action ${env.actions[0]}; ${at} ${where}. Hint: compute the Q values of the current observation and take the best action each step.`;
  if (wrong <= n / 4) return `your loop explored: ${wrong} of ${n} actions were not the highest-Q one (${at}) ${where}. Hint: play greedily, with no epsilon: the trained agent is judged on what it knows.`;
  return `${wrong} of ${n} actions were not the highest-Q action of the model it was given (${at}) ${where}. Hint: use the model argument (not another network), and take the argmax of its Q values for the current observation.`;
}

function judgeReturn(got: number, env: RecordingAcrobot, where: string): string | null {
  const want = env.rewards.reduce((a, b) => a + b, 0);
  if (got === want) return null;
  const n = env.rewards.length;
  const about = `${where}: the ${n} rewards add up to ${want}`;
  if (got === n) return `your playEpisode returned ${got}, the number of steps ${about}. Hint: return the sum of step.reward.`;
  if (got === -n && want === -(n - 1)) return `your playEpisode returned ${got}: -1 for every step, also the last ${about}, because the step that reaches the line pays 0. Hint: add up step.reward rather than counting steps.`;
  if (got === -want) return `your playEpisode returned ${got}, the sum with its sign flipped ${about}. Hint: add step.reward as it is; the rewards are already negative.`;
  if (got === env.rewards[n - 1]) return `your playEpisode returned ${got}, the last step's reward only ${about}. Hint: keep a running total (total += step.reward) and return it.`;
  if (got === want - env.rewards[n - 1] || got === want - env.rewards[0]) return `your playEpisode returned ${got}, the sum of all but one step ${about}. Hint: add every step's reward, the first and the last too.`;
  if (got === 0) return `your playEpisode returned 0 ${about}. Hint: add each step.reward to a total and return the total.`;
  return `your playEpisode returned ${fmt(got)} ${about}. Hint: return the sum of step.reward over the episode.`;
}
