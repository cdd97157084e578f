/**
 * A trainer snapshot on disk: `snapshot.json` plus `snapshot.bin`, one binary
 * file of all the arrays. The folder is replaced whole (a crash at any
 * instant leaves the previous snapshot or the new one), and reading checks
 * every field and every number, so a damaged or hand-edited snapshot is
 * refused with the file and the field named, never resumed into NaNs.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { committedFolder, recoverFolder, replaceFolder, writeFileChecked } from "../files";
import { FILE_LIMITS, fileSizeInFolder, readFileInFolder, readTextInFolder, subfolderOf } from "../folder-read";
import type { TensorList, TrainerSnapshot } from "./snapshot";
import type { EpisodeRecord } from "./trainer";
import { evaluationProblem, type Evaluation } from "./periodic-eval";

const JSON_FILE = "snapshot.json";
const BIN_FILE = "snapshot.bin";
type ArrayKind = "f32" | "i32";
interface ArrayRef { kind: ArrayKind; offset: number; length: number }

/** Writes the snapshot into `dir`, replacing an older one whole. */
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
    evaluations: s.evaluations ?? [],
    envSteps: s.envSteps,
    seconds: s.seconds,
    online: list(s.online),
    target: s.target && list(s.target),
    optimizer: list(s.optimizer),
    rng: s.rng,
    envRng: s.envRng,
    memory: { capacity: m.capacity, stateSize: m.stateSize, next: m.next, count: m.count, states: put(m.states), actions: put(m.actions), rewards: put(m.rewards), nextStates: put(m.nextStates), dones: put(m.dones) },
  };
  recoverFolder(dir); // what an earlier write killed half way left beside it
  replaceFolder(dir, (tmp) => {
    writeFileChecked(join(tmp, BIN_FILE), Buffer.concat(chunks));
    writeFileChecked(join(tmp, JSON_FILE), JSON.stringify(json));
  });
}

/** What is wrong with a field, or null; `at` names it ("memory.count", "records[3].return"). */
type Problem = string | null;
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const wholeAtLeast = (v: unknown, min: number): boolean => Number.isSafeInteger(v) && (v as number) >= min;

function recordProblem(r: unknown, i: number): Problem {
  if (!isObj(r)) return "is not an object";
  if (r.episode !== i + 1) return `episode is ${JSON.stringify(r.episode)}, expected ${i + 1}`;
  for (const k of ["steps", "envSteps"]) if (!wholeAtLeast(r[k], k === "steps" ? 0 : 1)) return `${k} must be a whole number, got ${JSON.stringify(r[k])}`;
  for (const k of ["return", "average100", "envReturn", "epsilon", "seconds"]) if (typeof r[k] !== "number" || !Number.isFinite(r[k])) return `${k} must be a finite number, got ${JSON.stringify(r[k])}`;
  if (r.loss !== null && (typeof r.loss !== "number" || !Number.isFinite(r.loss))) return `loss must be a finite number or null, got ${JSON.stringify(r.loss)}`;
  if (typeof r.terminated !== "boolean") return "terminated must be true or false";
  if (r.cut !== undefined && typeof r.cut !== "boolean") return "cut must be true or false";
  return null;
}

/** The bytes snapshot.bin must hold: the end of the furthest array reference in snapshot.json; null for a reference that is not one or past the limit. */
function describedBytes(j: Record<string, unknown>): number | null {
  const refs: unknown[] = [];
  for (const k of ["online", "target", "optimizer"]) {
    const l = j[k];
    if (isObj(l) && Array.isArray(l.values)) for (const v of l.values) refs.push(v);
  }
  if (isObj(j.memory)) for (const k of ["states", "actions", "rewards", "nextStates", "dones"]) refs.push(j.memory[k]);
  let end = 0;
  for (const r of refs) {
    if (!isObj(r) || !wholeAtLeast(r.offset, 0) || !wholeAtLeast(r.length, 0)) return null;
    const e = (r.offset as number) + (r.length as number) * 4;
    if (e > FILE_LIMITS.snapshotBin) return null;
    if (e > end) end = e;
  }
  return end;
}

export function readSnapshot(dir: string): TrainerSnapshot {
  // A write killed between its two renames left the previous snapshot set aside; and a
  // checkpoint folder that is a symlink out of its run folder is not read.
  dir = subfolderOf(dirname(dir), committedFolder(dir));
  const jsonPath = join(dir, JSON_FILE), binPath = join(dir, BIN_FILE);
  if (!existsSync(jsonPath) || !existsSync(binPath)) throw new Error(`no training snapshot in ${dir} (expected ${JSON_FILE} and ${BIN_FILE})`);
  const text = readTextInFolder(dir, JSON_FILE, FILE_LIMITS.snapshotJson);
  let j;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`corrupt snapshot ${jsonPath}: ${(e as Error).message}`);
  }
  if (!isObj(j as unknown)) throw new Error(`${jsonPath} is not an acrobot-dqn snapshot (version 1)`);
  if (j.format !== "acrobot-dqn-snapshot" || j.version !== 1) throw new Error(`${jsonPath} is not an acrobot-dqn snapshot (version 1)`);
  const bad = (field: string, problem: string): never => {
    throw new Error(`corrupt snapshot ${jsonPath}: ${field} ${problem}`);
  };
  // snapshot.bin is the arrays back to back: its size must be what snapshot.json's references add up to, checked before reading it.
  const need = describedBytes(j);
  if (need === null) bad("(the array references)", `must each be {kind, offset, length} with whole numbers, together at most ${FILE_LIMITS.snapshotBin} bytes`);
  const held = fileSizeInFolder(dir, BIN_FILE, FILE_LIMITS.snapshotBin);
  if (held !== need) throw new Error(`corrupt snapshot in ${dir}: ${BIN_FILE} holds ${held} bytes but ${JSON_FILE} describes ${need}`);
  const bin = readFileInFolder(dir, BIN_FILE, need as number);
  const buf = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);

  /** An array from the binary file, its reference checked and (for floats) every value finite. */
  const get = (r: unknown, field: string, kind: ArrayKind, length?: number): Float32Array | Int32Array => {
    if (!isObj(r) || r.kind !== kind || !wholeAtLeast(r.offset, 0) || !wholeAtLeast(r.length, 0) || (r.offset as number) % 4 !== 0) {
      return bad(field, `must be a reference to ${kind} data in ${BIN_FILE}, got ${JSON.stringify(r)}`);
    }
    const ref = r as unknown as ArrayRef;
    if (length !== undefined && ref.length !== length) bad(field, `holds ${ref.length} values, expected ${length}`);
    if (ref.offset + ref.length * 4 > buf.byteLength) throw new Error(`corrupt snapshot in ${dir}: ${BIN_FILE} is shorter than ${JSON_FILE} says (${field})`);
    if (kind === "i32") return new Int32Array(buf, ref.offset, ref.length);
    const a = new Float32Array(buf, ref.offset, ref.length);
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) {
        throw new Error(`corrupt snapshot in ${dir}: ${field} holds ${a[i]} at index ${i} in ${BIN_FILE} (the file is damaged, or was written from a network that had already diverged); resume from an earlier run folder or start again`);
      }
    }
    return a;
  };
  const list = (l: unknown, field: string, withIntScalars = false): TensorList => {
    if (!isObj(l) || !Array.isArray(l.names) || !Array.isArray(l.shapes) || !Array.isArray(l.values) || l.names.length !== l.values.length || l.shapes.length !== l.values.length) {
      return bad(field, "must hold names, shapes and values of one length");
    }
    const names = l.names as unknown[], shapes = l.shapes as unknown[];
    names.forEach((n, i) => typeof n !== "string" && bad(`${field}.names[${i}]`, "must be a string"));
    shapes.forEach((s, i) => (!Array.isArray(s) || !s.every((d) => wholeAtLeast(d, 1))) && bad(`${field}.shapes[${i}]`, `must be a list of whole numbers >= 1, got ${JSON.stringify(s)}`));
    const values = (l.values as unknown[]).map((r, i) => {
      const n = (shapes[i] as number[]).reduce((a, b) => a * b, 1);
      // Adam's step count is an int32 scalar; everything else is float32.
      const kind: ArrayKind = withIntScalars && isObj(r) && r.kind === "i32" ? "i32" : "f32";
      return get(r, `${field}.values[${i}] (${String(names[i])})`, kind, n) as Float32Array;
    });
    return { names: names as string[], shapes: shapes as number[][], values };
  };

  if (!isObj(j.config)) bad("config", "must be an object");
  if (!Array.isArray(j.records)) bad("records", "must be a list");
  (j.records as unknown[]).forEach((r, i) => {
    const p = recordProblem(r, i);
    if (p !== null) bad(`records[${i}]`, p);
  });
  // Missing in snapshots from before periodic evaluation existed: none were made then.
  if (j.evaluations !== undefined && !Array.isArray(j.evaluations)) bad("evaluations", "must be a list");
  const evaluations = (j.evaluations ?? []) as Evaluation[];
  const envStepsAt = j.envSteps as number;
  evaluations.forEach((e, i) => {
    const p = evaluationProblem(e);
    if (p !== null) bad(`evaluations[${i}]`, p);
    if (e.envSteps > envStepsAt) bad(`evaluations[${i}]`, `was made at env step ${e.envSteps}, after the snapshot's ${envStepsAt}`);
  });
  if (!wholeAtLeast(j.envSteps, 0)) bad("envSteps", `must be a whole number >= 0, got ${JSON.stringify(j.envSteps)}`);
  const records = j.records as EpisodeRecord[];
  const last = records[records.length - 1];
  if (last !== undefined && last.envSteps !== j.envSteps) bad("envSteps", `is ${j.envSteps} but the last record says ${last.envSteps}`);
  if (typeof j.seconds !== "number" || !Number.isFinite(j.seconds) || j.seconds < 0) bad("seconds", `must be a number >= 0, got ${JSON.stringify(j.seconds)}`);
  if (!Array.isArray(j.rng) || j.rng.length === 0 || !j.rng.every((x: unknown) => Number.isSafeInteger(x))) bad("rng", "must be a list of whole numbers (the generator's state)");
  if (j.envRng !== null && !(Array.isArray(j.envRng) && j.envRng.length === 2 && j.envRng.every((x: unknown) => typeof x === "string" && /^\d+$/.test(x)))) {
    bad("envRng", "must be null or two decimal strings (the environment generator's state)");
  }
  const m = j.memory;
  if (!isObj(m)) return bad("memory", "must be an object");
  if (!wholeAtLeast(m.capacity, 1)) bad("memory.capacity", `must be a whole number >= 1, got ${JSON.stringify(m.capacity)}`);
  if (!wholeAtLeast(m.stateSize, 1)) bad("memory.stateSize", `must be a whole number >= 1, got ${JSON.stringify(m.stateSize)}`);
  const cap = m.capacity as number, size = m.stateSize as number;
  if (!wholeAtLeast(m.count, 0) || (m.count as number) > cap) bad("memory.count", `must be a whole number from 0 to ${cap}, got ${JSON.stringify(m.count)}`);
  if (!wholeAtLeast(m.next, 0) || (m.next as number) >= cap) bad("memory.next", `must be a whole number from 0 to ${cap - 1}, got ${JSON.stringify(m.next)}`);
  const actions = get(m.actions, "memory.actions", "i32", cap) as Int32Array;
  for (let i = 0; i < (m.count as number); i++) if (actions[i] < 0 || actions[i] > 2) bad("memory.actions", `holds action ${actions[i]} at index ${i}; actions are 0, 1 or 2`);
  return {
    config: j.config,
    records,
    evaluations,
    envSteps: j.envSteps,
    seconds: j.seconds,
    online: list(j.online, "online"),
    target: j.target === null ? null : list(j.target, "target"),
    optimizer: list(j.optimizer, "optimizer", true),
    rng: j.rng,
    envRng: j.envRng,
    memory: {
      capacity: cap, stateSize: size, next: m.next as number, count: m.count as number,
      states: get(m.states, "memory.states", "f32", cap * size) as Float32Array, actions, rewards: get(m.rewards, "memory.rewards", "f32", cap) as Float32Array,
      nextStates: get(m.nextStates, "memory.nextStates", "f32", cap * size) as Float32Array, dones: get(m.dones, "memory.dones", "f32", cap) as Float32Array,
    },
  };
}
