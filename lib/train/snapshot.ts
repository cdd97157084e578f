/**
 * A training run frozen mid-way: both networks, Adam's moments, the replay
 * memory, the random generators and the records, so `train(config, hooks,
 * { resume })` continues exactly where it stopped. snapshot-file.ts writes one
 * to a folder and reads it back. With the trainer's Adam (agent/adam.ts, which
 * keeps beta^t as it goes) a resumed run continues bit for bit.
 */
import { tf } from "../tf";
import { makeRng, type Rng } from "../random";
import type { Task } from "../env/task";
import { ReplayMemory, type MemorySnapshot } from "../agent/replay-memory";
import { configToJson, type TrainConfig } from "./config";
import type { EpisodeRecord } from "./trainer";

export interface TensorList {
  names: string[];
  shapes: number[][];
  values: Float32Array[];
}

export interface TrainerSnapshot {
  config: Record<string, unknown>;
  records: EpisodeRecord[];
  envSteps: number;
  seconds: number;
  online: TensorList;
  /** Null in snapshots from before the target network was always a separate copy: then it equals `online`. */
  target: TensorList | null;
  optimizer: TensorList;
  rng: number[];
  envRng: [string, string] | null;
  memory: MemorySnapshot;
}

interface Live {
  config: TrainConfig;
  records: EpisodeRecord[];
  envSteps: number;
  seconds: number;
  online: tf.LayersModel;
  target: tf.LayersModel;
  optimizer: tf.Optimizer;
  rng: Rng;
  env: Task;
  memory: ReplayMemory;
}

const weightsOf = (m: tf.LayersModel): TensorList => {
  const ws = m.getWeights();
  return { names: m.weights.map((w) => w.name), shapes: ws.map((w) => w.shape), values: ws.map((w) => w.dataSync().slice() as Float32Array) };
};

export async function takeSnapshot(s: Live): Promise<TrainerSnapshot> {
  const opt = await s.optimizer.getWeights();
  const optimizer: TensorList = { names: opt.map((w) => w.name), shapes: opt.map((w) => w.tensor.shape), values: opt.map((w) => w.tensor.dataSync().slice() as Float32Array) };
  // Adam's getWeights makes a fresh "iter" scalar each call (its moments are its own variables): free it.
  opt.filter((w) => w.name === "iter").forEach((w) => w.tensor.dispose());
  return {
    config: configToJson(s.config),
    records: s.records.map((r) => ({ ...r })),
    envSteps: s.envSteps,
    seconds: s.seconds,
    online: weightsOf(s.online),
    target: weightsOf(s.target),
    optimizer,
    rng: s.rng.state(),
    envRng: s.env.getRngState(),
    memory: s.memory.snapshot(),
  };
}

/** Puts a snapshot's state into freshly built networks, optimizer and env; returns the generator and memory to use. */
export async function restoreSnapshot(
  s: TrainerSnapshot,
  config: TrainConfig,
  live: { online: tf.LayersModel; target: tf.LayersModel; optimizer: tf.Optimizer; env: Task },
): Promise<{ rng: Rng; memory: ReplayMemory }> {
  const taskOf = (v: unknown) => v ?? "Acrobot-v1"; // snapshots from before other tasks are Acrobot's
  if (taskOf(s.config.env) !== config.env) {
    throw new Error(`cannot resume: the snapshot was taken on ${JSON.stringify(taskOf(s.config.env))}, but the config now says env = ${JSON.stringify(config.env)}`);
  }
  if (s.memory.stateSize !== live.online.inputs[0].shape[1]) {
    throw new Error(`cannot resume: the snapshot's replay memory holds observations of ${s.memory.stateSize} numbers, but ${config.env} gives ${live.online.inputs[0].shape[1]}`);
  }
  for (const key of ["hiddenLayers", "memory", "memoryCapacity", "targetSyncEvery", "maxEpisodeSteps", "maxStepsPerEpisode"] as const) {
    if (JSON.stringify(s.config[key]) !== JSON.stringify(config[key])) {
      throw new Error(`cannot resume: the snapshot was taken with ${key} = ${JSON.stringify(s.config[key])}, but the config now says ${JSON.stringify(config[key])}`);
    }
  }
  const setWeights = (m: tf.LayersModel, list: TensorList, what: string) => {
    const shapes = m.getWeights().map((w) => w.shape);
    if (JSON.stringify(shapes) !== JSON.stringify(list.shapes)) throw new Error(`cannot resume: the ${what} network's shapes in the snapshot do not match`);
    const ts = list.values.map((v, i) => tf.tensor(v, list.shapes[i]));
    m.setWeights(ts);
    ts.forEach((t) => t.dispose());
  };
  setWeights(live.online, s.online, "online");
  setWeights(live.target, s.target ?? s.online, "target");
  if (s.optimizer.values.length > 0) {
    // Adam matches its moment slots to the variables by position and makes its own variables from these.
    const named = s.optimizer.values.map((v, i) => ({ name: s.optimizer.names[i], tensor: tf.tensor(v, s.optimizer.shapes[i]) }));
    await live.optimizer.setWeights(named);
    named.forEach((n) => n.tensor.dispose());
  }
  live.env.setRngState(s.envRng);
  return { rng: makeRng(config.seed, s.rng), memory: ReplayMemory.restore(s.memory) };
}
