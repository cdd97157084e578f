/**
 * A training run frozen mid-way: both networks, Adam's moments, the replay
 * memory, the random generators and the records, so `train(config, hooks,
 * { resume })` continues exactly where it stopped. Written to a folder as
 * `snapshot.json` plus one binary file of all the arrays.
 *
 * Exact up to float32 rounding: tfjs's Adam recomputes beta^t from its step
 * count on restore rather than keeping its running products, so losses after
 * a resume agree with an uninterrupted run to about 1e-7, not bit for bit.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

export async function takeSnapshot(s: Live): Promise<TrainerSnapshot> {
  const opt = await s.optimizer.getWeights();
  return {
    config: configToJson(s.config),
    records: s.records.map((r) => ({ ...r })),
    envSteps: s.envSteps,
    seconds: s.seconds,
    online: weightsOf(s.online),
    target: s.target === s.online ? null : weightsOf(s.target),
    optimizer: { names: opt.map((w) => w.name), shapes: opt.map((w) => w.tensor.shape), values: opt.map((w) => w.tensor.dataSync().slice() as Float32Array) },
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

// On disk -------------------------------------------------------------------

const JSON_FILE = "snapshot.json";
const BIN_FILE = "snapshot.bin";
type ArrayKind = "f32" | "i32";
interface ArrayRef { kind: ArrayKind; offset: number; length: number }

/** Writes the snapshot into `dir` (replacing an older one whole: a crash mid-write leaves the previous snapshot). */
export function writeSnapshot(s: TrainerSnapshot, dir: string): void {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const put = (a: Float32Array | Int32Array): ArrayRef => {
    const ref: ArrayRef = { kind: a instanceof Int32Array ? "i32" : "f32", offset, length: a.length };
    chunks.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    offset += a.byteLength;
    return ref;
  };
  const list = (l: TensorList) => ({ names: l.names, shapes: l.shapes, values: l.values.map(put) });
  const m = s.memory;
  const json = {
    format: "acrobot-dqn-snapshot",
    version: 1,
    config: s.config,
    records: s.records,
    envSteps: s.envSteps,
    seconds: s.seconds,
    online: list(s.online),
    target: s.target && list(s.target),
    optimizer: list(s.optimizer),
    rng: s.rng,
    envRng: s.envRng,
    memory: { capacity: m.capacity, stateSize: m.stateSize, next: m.next, count: m.count, states: put(m.states), actions: put(m.actions), rewards: put(m.rewards), nextStates: put(m.nextStates), dones: put(m.dones) },
  };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, BIN_FILE), Buffer.concat(chunks));
  writeFileSync(join(tmp, JSON_FILE), JSON.stringify(json));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

export function readSnapshot(dir: string): TrainerSnapshot {
  const jsonPath = join(dir, JSON_FILE), binPath = join(dir, BIN_FILE);
  if (!existsSync(jsonPath) || !existsSync(binPath)) throw new Error(`no training snapshot in ${dir} (expected ${JSON_FILE} and ${BIN_FILE})`);
  let j;
  try {
    j = JSON.parse(readFileSync(jsonPath, "utf8"));
  } catch (e) {
    throw new Error(`corrupt snapshot ${jsonPath}: ${(e as Error).message}`);
  }
  if (j?.format !== "acrobot-dqn-snapshot" || j.version !== 1) throw new Error(`${jsonPath} is not an acrobot-dqn snapshot (version 1)`);
  const bin = readFileSync(binPath);
  const buf = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const get = (r: ArrayRef): Float32Array | Int32Array => {
    if (r.offset + r.length * 4 > buf.byteLength) throw new Error(`corrupt snapshot in ${dir}: ${BIN_FILE} is shorter than ${JSON_FILE} says`);
    return r.kind === "i32" ? new Int32Array(buf, r.offset, r.length) : new Float32Array(buf, r.offset, r.length);
  };
  const list = (l: { names: string[]; shapes: number[][]; values: ArrayRef[] }): TensorList => ({ names: l.names, shapes: l.shapes, values: l.values.map((r) => get(r) as Float32Array) });
  const m = j.memory;
  return {
    config: j.config,
    records: j.records,
    envSteps: j.envSteps,
    seconds: j.seconds,
    online: list(j.online),
    target: j.target && list(j.target),
    optimizer: list(j.optimizer),
    rng: j.rng,
    envRng: j.envRng,
    memory: {
      capacity: m.capacity, stateSize: m.stateSize, next: m.next, count: m.count,
      states: get(m.states) as Float32Array, actions: get(m.actions) as Int32Array, rewards: get(m.rewards) as Float32Array,
      nextStates: get(m.nextStates) as Float32Array, dones: get(m.dones) as Float32Array,
    },
  };
}
