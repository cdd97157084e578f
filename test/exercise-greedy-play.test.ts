/**
 * Notebook 06's check, the greedy play loop: right loops pass however they
 * are written; each wrong one is refused with a hint that names what it did
 * (explored, lowest Q, a stale observation, stopped early, ran past the end,
 * another seed, a Promise, a wrong sum...); no tensor is left behind.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { checkGreedyPlay, libraryPlayEpisode, type PlayEpisodeFn } from "../lib/exercises/greedy-play";
import { argmax, greedyAction, qValues } from "../lib/agent/q-network";
import { makeRng } from "../lib/random";
import { Acrobot } from "../lib/env/acrobot";

before(async () => {
  await initBackend();
});

/** The Q values of one observation, as the learner might compute them with predict. */
const predictQ = (m: tf.LayersModel, obs: Float32Array) => tf.tidy(() => Array.from((m.predict(tf.tensor2d(obs, [1, 6])) as tf.Tensor).dataSync()));

/** A loop skeleton with one part swapped, so each wrong answer differs from a right one in one place. */
function loop(o: {
  pick?: (m: tf.LayersModel, obs: Float32Array) => number;
  reset?: (env: Acrobot, seed: number) => Float32Array;
  ends?: (s: { terminated: boolean; truncated: boolean }, t: number) => boolean;
  add?: (total: number, r: number) => number;
  keepObs?: boolean;
  finish?: (total: number, steps: number) => number;
} = {}): PlayEpisodeFn {
  return (model, env, seed) => {
    let obs = (o.reset ?? ((e, s) => e.reset({ seed: s })))(env, seed);
    let total = 0, t = 0;
    for (;;) {
      const step = env.step((o.pick ?? greedyAction)(model, obs));
      total = (o.add ?? ((a, r) => a + r))(total, step.reward);
      t++;
      if (!o.keepObs) obs = step.observation;
      if ((o.ends ?? ((s) => s.terminated || s.truncated))(step, t)) break;
    }
    return (o.finish ?? ((x) => x))(total, t);
  };
}

test("06, greedy play: right loops pass however they are written, leaving no tensor behind", () => {
  const right: [string, PlayEpisodeFn][] = [
    ["the library's", libraryPlayEpisode],
    ["argmax of qValues", loop({ pick: (m, o) => argmax(qValues(m, o)) })],
    ["predict and indexOf(max)", loop({ pick: (m, o) => { const q = predictQ(m, o); return q.indexOf(Math.max(...q)); } })],
    ["tf.argMax on the output tensor", loop({ pick: (m, o) => tf.tidy(() => (tf.argMax(m.predict(tf.tensor2d(o, [1, 6])) as tf.Tensor, 1).dataSync()[0])) })],
    ["a while loop over a done flag", (model, env, seed) => {
      let obs = env.reset({ seed }); let done = false; let ret = 0;
      while (!done) { const s = env.step(greedyAction(model, obs)); ret += s.reward; obs = s.observation; done = s.terminated || s.truncated; }
      return ret;
    }],
    ["rewards collected in an array, then summed", (model, env, seed) => {
      const rs: number[] = []; let obs = env.reset({ seed });
      for (;;) { const s = env.step(greedyAction(model, obs)); rs.push(s.reward); obs = s.observation; if (s.terminated || s.truncated) break; }
      return rs.reduce((a, b) => a + b, 0);
    }],
  ];
  const before = tf.memory().numTensors;
  for (const [name, f] of right) {
    const c = checkGreedyPlay(f);
    assert.equal(c.ok, true, `${name}: ${c.message}`);
    assert.match(c.message, /^Correct/);
  }
  assert.equal(tf.memory().numTensors, before, "no tensors left");
});

test("06, greedy play: each wrong loop is refused with a hint naming what it did", () => {
  const rng = makeRng(3);
  const wrong: [string, PlayEpisodeFn | unknown, RegExp][] = [
    ["not a function", 42, /must be a function/],
    ["explores with epsilon 0.1", loop({ pick: (m, o) => (rng.float() < 0.1 ? rng.int(3) : greedyAction(m, o)) }), /explored: \d+ of \d+ actions were not the highest-Q one/],
    ["explores with Math.random, epsilon 0.05", loop({ pick: (m, o) => (Math.random() < 0.05 ? Math.floor(Math.random() * 3) : greedyAction(m, o)) }), /explored/],
    ["random actions", loop({ pick: () => rng.int(3) }), /actions were not the highest-Q action of the model it was given|explored/],
    ["argmin", loop({ pick: (m, o) => { const q = predictQ(m, o); return q.indexOf(Math.min(...q)); } }), /LOWEST Q value at every step/],
    ["always action 2", loop({ pick: () => 2 }), /(always played action 2|chose action 2 at every step .*or always played 2)/],
    ["always action 0", loop({ pick: () => 0 }), /(always played action 0|chose action 0 at every step .*or always played 0)/],
    ["keeps acting on the first observation", loop({ keepObs: true }), /the best action for the FIRST observation only.*obs = step\.observation/],
    ["stops on terminated only", loop({ ends: (s) => s.terminated }), /stepped again after the episode ended: it was truncated.*a loop on terminated alone/],
    ["the lesson's 499-step loop", loop({ ends: (s, t) => s.terminated || s.truncated || t >= 499 }), /stopped after 499 steps while the episode was still going/],
    ["a fixed 100-step loop, not checking the end", loop({ ends: (_s, t) => t >= 100 }), /stepped again after the episode ended|stopped after 100 steps/],
    ["stops after 30 steps", loop({ ends: (s, t) => s.terminated || s.truncated || t >= 30 }), /stopped after 30 steps while the episode was still going/],
    ["resets without the seed", loop({ reset: (e) => e.reset() }), /reset without a seed/],
    ["resets with seed 0", loop({ reset: (e) => e.reset({ seed: 0 }) }), /reset with seed 0, not the seed it was given \(3\)/],
    ["resets with seed + 1", loop({ reset: (e, s) => e.reset({ seed: s + 1 }) }), /reset with seed 4, not the seed it was given \(3\)/],
    ["resets twice", loop({ reset: (e, s) => { e.reset({ seed: s }); return e.reset({ seed: s }); } }), /reset the env 2 times in one episode/],
    ["plays on its own env", (model: tf.LayersModel, _env: Acrobot, seed: number) => libraryPlayEpisode(model, new Acrobot(), seed), /never used the env it was given/],
    ["never resets", (model: tf.LayersModel, env: Acrobot) => { const s = env.step(1); return s.reward + 0 * greedyAction(model, s.observation); }, /threw: Acrobot\.step called before reset/],
    ["the notebook's stub: reset, return 0", (_m: tf.LayersModel, env: Acrobot, seed: number) => { env.reset({ seed }); return 0; }, /reset the env but never stepped/],
    ["async", (async (model: tf.LayersModel, env: Acrobot, seed: number) => libraryPlayEpisode(model, env, seed)) as unknown as PlayEpisodeFn, /returned a Promise/],
    ["returns the step count", loop({ finish: (_x, t) => t }), /the number of steps/],
    ["counts -1 per step, the last too", loop({ finish: (_x, t) => -t }), /-1 for every step, also the last.*pays 0/],
    ["sign flipped", loop({ add: (a, r) => a - r }), /sign flipped/],
    ["the last reward only", loop({ add: (_a, r) => r }), /the last step's reward only/],
    ["forgets to add", loop({ add: (a) => a }), /returned 0/],
    ["returns a string", loop({ finish: (x) => x.toFixed(1) as unknown as number }), /returned the string/],
    ["returns undefined", loop({ finish: () => undefined as unknown as number }), /returned undefined/],
    ["returns a tensor", loop({ finish: (x) => tf.scalar(x) as unknown as number }), /returned a tensor/],
  ];
  const before = tf.memory().numTensors;
  for (const [name, f, hint] of wrong) {
    const c = checkGreedyPlay(f as PlayEpisodeFn);
    assert.equal(c.ok, false, `${name} passed`);
    assert.match(c.message, hint, `${name}: ${c.message}`);
    if (typeof f === "function") assert.match(c.message, /^Not yet: .*Hint: /, `${name}: ${c.message}`);
  }
  assert.equal(tf.memory().numTensors, before, "no tensors left");
});
