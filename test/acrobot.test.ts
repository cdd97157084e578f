import { test } from "node:test";
import assert from "node:assert/strict";
import { Acrobot, tipHeight, linkPositions, MAX_VEL_1, MAX_VEL_2 } from "../lib/env/acrobot";

test("spaces are Gymnasium's: Box(6,) float32 with velocity bounds, Discrete(3)", () => {
  const env = new Acrobot();
  assert.deepEqual(env.observationSpace.shape, [6]);
  assert.deepEqual(Array.from(env.observationSpace.high), [1, 1, 1, 1, MAX_VEL_1, MAX_VEL_2].map(Math.fround));
  assert.deepEqual(Array.from(env.observationSpace.low), [-1, -1, -1, -1, -MAX_VEL_1, -MAX_VEL_2].map(Math.fround));
  assert.equal(env.actionSpace.n, 3);
  assert.equal(env.maxEpisodeSteps, 500);
  assert.equal(env.dynamics, "book");
});

test("the same seed gives the same start; no seed gives a fresh one; later resets continue the stream", () => {
  const a = new Acrobot(), b = new Acrobot();
  assert.deepEqual(a.reset({ seed: 7 }), b.reset({ seed: 7 }));
  assert.deepEqual(a.reset(), b.reset(), "unseeded resets after a seeded one follow the seeded stream");
  assert.notDeepEqual(Array.from(new Acrobot().reset()), Array.from(new Acrobot().reset()));
  const s = Array.from(a.reset({ seed: 8 }));
  assert.notDeepEqual(s, Array.from(b.reset({ seed: 7 })));
});

test("reset bounds: low/high options, all four values inside them and float32", () => {
  const env = new Acrobot();
  env.reset({ seed: 1, low: -0.5, high: 0.5 });
  for (const v of env.state) {
    assert.ok(v >= -0.5 && v <= 0.5);
    assert.equal(v, Math.fround(v));
  }
  assert.throws(() => env.reset({ low: 1, high: -1 }), /low <= high/);
  assert.throws(() => env.reset({ low: NaN }), /finite/);
});

test("reset from an explicit state; bad states are refused", () => {
  const env = new Acrobot();
  const obs = env.reset({ state: [Math.PI / 2, 0, 0, 0] });
  assert.ok(Math.abs(obs[0]) < 1e-7 && obs[1] === 1);
  for (const bad of [[0, 0, 0], [0, 0, 0, NaN], [0, 0, Infinity, 0], [0, 0, 0, 0, 0]]) {
    assert.throws(() => env.reset({ state: bad }), /four finite numbers/);
  }
  assert.throws(() => env.reset({ state: [0, 0, 0, 0], low: -1 }), /not both/);
  assert.throws(() => env.reset({ seed: -1 }), /non-negative integer/);
  assert.throws(() => env.reset({ seed: 1.5 }), /non-negative integer/);
});

test("actions other than 0, 1, 2 throw a RangeError that names the allowed values", () => {
  const env = new Acrobot();
  env.reset({ seed: 0 });
  for (const bad of [-1, 3, 1.5, NaN, "1", null, undefined]) {
    assert.throws(
      () => env.step(bad as number),
      (e: unknown) => e instanceof RangeError && /0, 1 or 2/.test(e.message) && /-1\/0\/1/.test(e.message),
    );
  }
  // A refused action leaves the episode untouched.
  assert.equal(env.elapsedSteps, 0);
  env.step(1);
  assert.equal(env.elapsedSteps, 1);
});

test("step before reset and after the end of an episode throws until the next reset", () => {
  const env = new Acrobot({ maxEpisodeSteps: 3 });
  assert.throws(() => env.step(0), /before reset/);
  env.reset({ seed: 0 });
  const flags = [env.step(0), env.step(0), env.step(0)].map((r) => r.truncated);
  assert.deepEqual(flags, [false, false, true]);
  assert.throws(() => env.step(0), /after the episode ended/);
  env.reset();
  assert.doesNotThrow(() => env.step(0));
});

test("the TimeLimit: 500 steps by default, the lesson's 1000 one option away", () => {
  for (const limit of [500, 1000]) {
    const env = new Acrobot({ maxEpisodeSteps: limit });
    env.reset({ seed: 3 });
    let steps = 0, total = 0;
    for (;;) {
      const r = env.step(1); // no torque: it never reaches the line
      steps++;
      total += r.reward;
      assert.equal(r.terminated, false);
      if (r.truncated) break;
    }
    assert.equal(steps, limit);
    assert.equal(total, -limit);
  }
  assert.throws(() => new Acrobot({ maxEpisodeSteps: 0 }), /at least 1/);
  assert.throws(() => new Acrobot({ dynamics: "paper" as "book" }), /"book" or "nips"/);
});

test("tip height: -cos t1 - cos(t1 + t2); hanging down is -2, straight up is 2; reaching above 1 terminates with reward 0", () => {
  assert.equal(tipHeight([0, 0, 0, 0]), -2);
  assert.ok(Math.abs(tipHeight([Math.PI, 0, 0, 0]) - 2) < 1e-12);
  const { elbow, tip } = linkPositions([Math.PI / 2, 0, 0, 0]);
  assert.ok(Math.abs(elbow[0] - 1) < 1e-12 && Math.abs(tip[0] - 2) < 1e-12 && Math.abs(tip[1]) < 1e-12);
  assert.ok(Math.abs(linkPositions([0.3, -1.1, 0, 0]).tip[1] - tipHeight([0.3, -1.1, 0, 0])) < 1e-12);
  const env = new Acrobot();
  env.reset({ state: [Math.PI, 0, 0, 0] }); // balanced upright: the first step is already above the line
  const r = env.step(1);
  assert.equal(r.terminated, true);
  assert.equal(r.reward, 0);
  assert.ok(tipHeight(env.state) > 1);
});

test("angles stay wrapped to [-pi, pi] and velocities bounded on long random runs", () => {
  const env = new Acrobot({ maxEpisodeSteps: 5000 });
  env.reset({ seed: 11, low: -3, high: 3 });
  let seed = 1;
  for (let i = 0; i < 5000; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const r = env.step(seed % 3);
    const [t1, t2, d1, d2] = env.state;
    assert.ok(Math.abs(t1) <= Math.PI && Math.abs(t2) <= Math.PI);
    assert.ok(Math.abs(d1) <= MAX_VEL_1 && Math.abs(d2) <= MAX_VEL_2);
    assert.ok(r.observation.every(Number.isFinite));
    if (r.terminated || r.truncated) env.reset();
  }
});
