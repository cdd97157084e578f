/**
 * A training run frozen mid-way: both networks, Adam's moments, the replay
 * memory, the random generators and the records, so `train(config, hooks,
 * { resume })` continues exactly where it stopped. snapshot-file.ts writes one
 * to a folder and reads it back.
 *
 * Exact up to float32 rounding: tfjs's Adam recomputes beta^t from its step
 * count on restore rather than keeping its running products, so losses after
 * a resume agree with an uninterrupted run to about 1e-7, not bit for bit.
 */
import { tf } from "../tf";
import { makeRng, type Rng } from "../random";
import type { Acrobot } from "../env/acrobot";
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
  env: Acrobot;
  memory: ReplayMemory;
}

const weightsOf = (m: tf.LayersModel): TensorList => {
  const ws = m.getWeights();
  return { names: m.weights.map((w) => w.name), shapes: ws.map((w) => w.shape), values: ws.map((w) => w.dataSync().slice() as Float32Array) };
};

/** A copy of the values; getWeights() makes a fresh tensor for Adam's step count (not a variable), so free that one. */
const readAndFree = (t: tf.Tensor): Float32Array => {
  const values = t.dataSync().slice() as Float32Array;
  if (!(t instanceof tf.Variable)) t.dispose();
  return values;
};

export async function takeSnapshot(s: Live): Promise<TrainerSnapshot> {
  const opt = await s.optimizer.getWeights();
  return {
    config: configToJson(s.config),
    records: s.records.map((r) => ({ ...r })),
    envSteps: s.envSteps,
    seconds: s.seconds,
    online: weightsOf(s.online),
    target: s.target === s.online ? null : weightsOf(s.target),
    optimizer: { names: opt.map((w) => w.name), shapes: opt.map((w) => w.tensor.shape), values: opt.map((w) => readAndFree(w.tensor)) },
    rng: s.rng.state(),
    envRng: s.env.getRngState(),
    memory: s.memory.snapshot(),
  };
}

/** Puts a snapshot's state into freshly built networks, optimizer and env; returns the generator and memory to use. */
export async function restoreSnapshot(
  s: TrainerSnapshot,
  config: TrainConfig,
  live: { online: tf.LayersModel; target: tf.LayersModel; optimizer: tf.Optimizer; env: Acrobot },
): Promise<{ rng: Rng; memory: ReplayMemory }> {
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
  if (live.target !== live.online) setWeights(live.target, s.target ?? s.online, "target");
  if (s.optimizer.values.length > 0) {
    // Adam matches its moment slots to the variables by position and makes its own variables from these.
    const named = s.optimizer.values.map((v, i) => ({ name: s.optimizer.names[i], tensor: tf.tensor(v, s.optimizer.shapes[i]) }));
    await live.optimizer.setWeights(named);
    named.forEach((n) => n.tensor.dispose());
  }
  live.env.setRngState(s.envRng);
  return { rng: makeRng(config.seed, s.rng), memory: ReplayMemory.restore(s.memory) };
}
