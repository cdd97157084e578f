/**
 * The task interface (issue 19): the registry, the clear errors every task gives, the config's
 * `env` and its task-dependent defaults, and the DQN taking its sizes from the task's spaces.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend, tf } from "../lib/tf";
import { makeTask, taskInfo, TASK_IDS, TASKS, type Task } from "../lib/env/task";
import { CartPole } from "../lib/env/cartpole";
import { MountainCar } from "../lib/env/mountain-car";
import { Acrobot } from "../lib/env/acrobot";
import { resolveConfig } from "../lib/train/config";
import { presets } from "../lib/train/presets";
import { rewardFunctions, carEnergy, CAR_GOAL_ENERGY } from "../lib/train/rewards";
import { tally } from "../lib/train/tally";
import { train } from "../lib/train/trainer";
import { evaluate } from "../lib/train/evaluate";
import { buildQNetwork } from "../lib/agent/q-network";
import { saveModel, loadModel } from "../lib/agent/model-io";
import { withEnv } from "../lib/cli/options";

before(async () => {
  await initBackend();
});

test("the registry builds each task with the spaces, time limit and threshold it lists", () => {
  for (const id of TASK_IDS) {
    const env: Task = makeTask(id);
    const info = taskInfo(id);
    assert.equal(env.id, id);
    assert.equal(env.observationSpace.shape[0], info.observationSize);
    assert.equal(env.reset({ seed: 1 }).length, info.observationSize);
    assert.equal(env.actionSpace.n, info.actions);
    assert.equal(env.maxEpisodeSteps, info.maxEpisodeSteps);
    assert.equal(env.rewardThreshold, info.rewardThreshold);
  }
  assert.deepEqual([TASKS["CartPole-v1"].maxEpisodeSteps, TASKS["CartPole-v1"].rewardThreshold], [500, 475]);
  assert.deepEqual([TASKS["MountainCar-v0"].maxEpisodeSteps, TASKS["MountainCar-v0"].rewardThreshold], [200, -110]);
  assert.throws(() => makeTask("CartPole-v0"), /unknown task "CartPole-v0"; the tasks are: Acrobot-v1, CartPole-v1, MountainCar-v0/);
  assert.throws(() => makeTask("CartPole-v1", { dynamics: "nips" }), /applies to Acrobot-v1 only/);
  assert.equal(makeTask("Acrobot-v1", { maxEpisodeSteps: 7 }).maxEpisodeSteps, 7);
});

test("every task refuses a bad action, a step before reset and a bad seed in one clear line", () => {
  const cases: [Task, number, RegExp][] = [
    [new CartPole(), 2, /CartPole action must be the integer 0 or 1 \(push left, push right\), got 2/],
    [new MountainCar(), 3, /MountainCar action must be the integer 0, 1 or 2 \(accelerate left, none, right\), got 3/],
    [new Acrobot(), 3, /Acrobot action must be the integer 0, 1 or 2/],
  ];
  for (const [env, bad, message] of cases) {
    assert.throws(() => env.step(0), /step called before reset\(\): call env.reset\(\)/);
    env.reset({ seed: 0 });
    assert.throws(() => env.step(bad), message);
    assert.throws(() => env.step(0.5), /action must be the integer/);
    assert.throws(() => env.step("1" as unknown as number), /got "1" \(string\)/);
    assert.throws(() => env.reset({ seed: -1 }), /seed must be a non-negative integer, got -1/);
    assert.throws(() => env.reset({ seed: 1.5 }), /seed must be a non-negative integer, got 1.5/);
    assert.throws(() => env.reset({ seed: 2 ** 60 }), /above 2\^53 pass a bigint/);
    assert.throws(() => env.reset({ seed: -1n }), /non-negative integer, got -1n/);
    // A bigint seed below 2^53 is the same seed as the number.
    const a = Array.from(env.reset({ seed: 42n })), b = Array.from(env.reset({ seed: 42 }));
    assert.deepEqual(a, b);
  }
});

test("CartPole and MountainCar refuse a set state they cannot step, naming the field and its range", () => {
  assert.throws(() => new CartPole().reset({ state: [0, 0, 0] }), /4 finite numbers \[x, x_dot, theta, theta_dot\]/);
  assert.throws(() => new CartPole().reset({ state: [0, NaN, 0, 0] }), /finite numbers/);
  assert.throws(() => new CartPole().reset({ state: [0, 0, 3, 0] }), /state theta must be from/);
  assert.throws(() => new MountainCar().reset({ state: [-1.3, 0] }), /state position must be from -1.2 to 0.6, got -1.3/);
  assert.throws(() => new MountainCar().reset({ state: [0, 0.08] }), /state velocity must be from -0.07 to 0.07/);
  assert.throws(() => new CartPole({ maxEpisodeSteps: 0 }), /at least 1/);
});

test("CartPole and MountainCar: unseeded resets continue the seeded stream; the time limit truncates", () => {
  for (const make of [() => new CartPole({ maxEpisodeSteps: 3 }), () => new MountainCar({ maxEpisodeSteps: 3 })]) {
    const a = make(), b = make();
    a.reset({ seed: 5 });
    b.reset({ seed: 5 });
    assert.deepEqual(Array.from(a.reset()), Array.from(b.reset()));
    const flags = [0, 1, 2].map(() => a.step(0)).map((r) => r.truncated || r.terminated);
    assert.equal(flags[2], true, "the third step hits the time limit (or ends the task)");
    // A run resumed from the generator's state continues the same starts.
    const c = make();
    c.setRngState(a.getRngState());
    assert.deepEqual(Array.from(c.reset()), Array.from(a.reset()));
  }
});

test("config.env: Acrobot by default, the task's time limit and threshold for the others, and fields that do not fit the task refused", () => {
  assert.equal(resolveConfig({}).env, "Acrobot-v1");
  for (const name of ["naive", "replay", "target", "improved", "fast", "tipHeight"] as const) {
    assert.equal(resolveConfig(presets[name]).env, "Acrobot-v1", `${name} stays Acrobot's`);
    assert.equal(resolveConfig(presets[name]).maxEpisodeSteps, 500);
  }
  const cp = resolveConfig({ env: "CartPole-v1" });
  assert.deepEqual([cp.maxEpisodeSteps, cp.solvedAt], [500, 475]);
  const mc = resolveConfig({ env: "MountainCar-v0" });
  assert.deepEqual([mc.maxEpisodeSteps, mc.solvedAt], [200, -110]);
  assert.equal(resolveConfig({ env: "MountainCar-v0", solvedAt: -150 }).solvedAt, -150, "a field given wins over the task's default");
  assert.throws(() => resolveConfig({ env: "Pendulum-v1" as "CartPole-v1" }), /config.env must be one of "Acrobot-v1", "CartPole-v1", "MountainCar-v0"/);
  assert.throws(() => resolveConfig({ env: "CartPole-v1", dynamics: "nips" }), /dynamics "nips" applies to Acrobot-v1 only/);
  assert.throws(() => resolveConfig({ env: "MountainCar-v0", reward: "tipHeight" }), /config.reward "tipHeight" is for Acrobot-v1 only; for MountainCar-v0 use one of "env", "carEnergy"/);
  assert.throws(() => resolveConfig({ reward: "carEnergy" }), /"carEnergy" is for MountainCar-v0 only/);
  assert.throws(() => resolveConfig({ solvedOn: "both" as "env" }), /config.solvedOn must be one of "reward", "env"/);
  for (const name of ["cartpole", "mountaincar", "mountaincarPlain"] as const) resolveConfig(presets[name]);
});

test("carEnergy: -1 at rest on the valley floor, -0.5 with the energy to reach the flag, never above", () => {
  const step = { observation: new Float32Array(2), reward: -1, terminated: false, truncated: false };
  const floor = -Math.PI / 6; // sin(3 x) = -1
  assert.ok(Math.abs(carEnergy([floor, 0])) < 1e-15);
  assert.ok(Math.abs(rewardFunctions.carEnergy(step, Float64Array.of(floor, 0)) - -1) < 1e-12);
  assert.equal(rewardFunctions.carEnergy(step, Float64Array.of(0.5, 0)), -0.5);
  assert.equal(rewardFunctions.carEnergy(step, Float64Array.of(0.55, 0.07)), -0.5, "capped: more energy than the flag needs pays no more");
  assert.ok(CAR_GOAL_ENERGY > 0);
});

test("solvedOn env: a shaped run clears the bar on the task's own return, not on what it was paid", () => {
  const end = (episode: number) => ({ episode, steps: 100, return: -50, envReturn: -100, terminated: true, cut: false, epsilon: 0, loss: null, envSteps: episode * 100, seconds: 0 });
  const onReward = tally({ solvedAt: -60, solvedWindow: 2 });
  const onEnv = tally({ solvedAt: -60, solvedWindow: 2, solvedOn: "env" });
  for (const e of [1, 2]) { onReward.add(end(e)); onEnv.add(end(e)); }
  assert.equal(onReward.solvedAtEpisode, 2);
  assert.equal(onEnv.solvedAtEpisode, null);
  assert.equal(onEnv.records[0].envReturn, -100);
});

test("train() on CartPole and MountainCar: networks and memory sized by the task, the task's own return recorded, nothing leaked", async () => {
  for (const env of ["CartPole-v1", "MountainCar-v0"] as const) {
    const before = tf.memory().numTensors;
    const r = await train({ ...presets[env === "CartPole-v1" ? "cartpole" : "mountaincar"], hiddenLayers: [8], trainEvery: 16, gradientSteps: 2, learningStarts: 50, batchSize: 16, seed: 3, maxEnvSteps: 400 }, { handleSignals: false });
    assert.deepEqual(r.model.inputs[0].shape, [null, TASKS[env].observationSize]);
    assert.deepEqual(r.model.outputs[0].shape, [null, TASKS[env].actions]);
    for (const rec of r.records) {
      // The task's own pay: CartPole +1 per step (the trainer resets at termination), MountainCar -1.
      if (!rec.cut) assert.equal(rec.envReturn, env === "CartPole-v1" ? rec.steps : -rec.steps, `envReturn of episode ${rec.episode}`);
    }
    if (env === "MountainCar-v0") assert.ok(r.records.some((x) => x.return !== x.envReturn), "the shaped return differs from the task's");
    const ev = evaluate(r.model, { env, episodes: 2, seed: 9 });
    assert.equal(ev.returns.length, 2);
    assert.throws(() => evaluate(r.model, { env: "Acrobot-v1" }), new RegExp(`maps ${TASKS[env].observationSize} inputs to ${TASKS[env].actions} action values; Acrobot-v1 needs 6 and 3`));
    r.model.dispose();
    assert.equal(tf.memory().numTensors, before, `${env}: tensors left behind`);
  }
});

test("a saved CartPole model loads with CartPole's sizes and is refused, with the task named, as an Acrobot one", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tasks-model-"));
  try {
    const model = buildQNetwork({ inputSize: 4, actions: 2, hiddenLayers: [4], seed: 1 });
    await saveModel(model, join(dir, "m"));
    model.dispose();
    const ok = await loadModel(join(dir, "m"), { inputSize: 4, actions: 2, task: "CartPole-v1" });
    ok.dispose();
    await assert.rejects(loadModel(join(dir, "m")), /maps \[4\] inputs to \[2\] outputs; an Acrobot Q-network takes 6 observations and gives 3 action values/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--env: another task than the preset's brings its time limit and threshold; --set has the last word; a clash is an error", () => {
  assert.deepEqual(withEnv(undefined, "fast", { learningRate: 1 }), { learningRate: 1 });
  assert.deepEqual(withEnv("Acrobot-v1", "fast"), { env: "Acrobot-v1" });
  const cp = resolveConfig({ ...presets.fast, ...withEnv("CartPole-v1", "fast") });
  assert.deepEqual([cp.env, cp.maxEpisodeSteps, cp.solvedAt], ["CartPole-v1", 500, 475]);
  const tip = resolveConfig({ ...presets.tipHeight, ...withEnv("MountainCar-v0", "tipHeight", { solvedAt: -150 }) });
  assert.deepEqual([tip.reward, tip.maxEpisodeSteps, tip.solvedAt], ["env", 200, -150]);
  assert.throws(() => withEnv("CartPole-v1", "fast", { env: "MountainCar-v0" }), /--env CartPole-v1 and --set env=MountainCar-v0 disagree/);
});
