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
import type { MemorySnapshot } from "../agent/replay-memory";
import type { Memory } from "../agent/memory";
import { configToJson, defaultConfig, SNAPSHOT_FIELDS, type TrainConfig } from "./config";
import type { EpisodeRecord } from "./trainer";
import type { Evaluation } from "./periodic-eval";

export interface TensorList {
  names: string[];
  shapes: number[][];
  values: Float32Array[];
}

export interface TrainerSnapshot {
  config: Record<string, unknown>;
  records: EpisodeRecord[];
  /** The periodic evaluations so far; missing in snapshots from before they existed (none then). */
  evaluations?: Evaluation[];
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
  evaluations: Evaluation[];
  envSteps: number;
  seconds: number;
  online: tf.LayersModel;
  target: tf.LayersModel;
  optimizer: tf.Optimizer;
  rng: Rng;
  env: Task;
  memory: Memory;
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
    evaluations: s.evaluations.map((e) => ({ ...e, returns: [...e.returns], lengths: [...e.lengths] })),
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

/** Puts a snapshot's state into freshly built networks, optimizer and env; returns the generator to use (the memory is rebuilt from `s.memory` by its kind). */
export async function restoreSnapshot(
  s: TrainerSnapshot,
  config: TrainConfig,
  live: { online: tf.LayersModel; target: tf.LayersModel; optimizer: tf.Optimizer; env: Task },
): Promise<Rng> {
  if (s.memory.stateSize !== live.online.inputs[0].shape[1]) {
    throw new Error(`cannot resume: the snapshot's replay memory holds observations of ${s.memory.stateSize} numbers, but ${config.env} gives ${live.online.inputs[0].shape[1]}`);
  }
  for (const key of SNAPSHOT_FIELDS) {
    const then = Object.hasOwn(s.config, key) ? s.config[key] : defaultConfig[key]; // a field newer than the snapshot had its default
    if (JSON.stringify(then) !== JSON.stringify(config[key])) {
      throw new Error(`cannot resume: the snapshot was taken with ${key} = ${JSON.stringify(then)}, but the config now says ${JSON.stringify(config[key])}`);
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
  return makeRng(config.seed, s.rng);
}
