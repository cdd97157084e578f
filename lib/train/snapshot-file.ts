/**
 * A trainer snapshot on disk: `snapshot.json` plus `snapshot.bin`, one binary
 * file of all the arrays.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TensorList, TrainerSnapshot } from "./snapshot";

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
