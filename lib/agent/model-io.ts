/**
 * Saving and loading a Q-network in TensorFlow.js's standard layers format:
 * `model.json` plus `weights.bin`, the same files tfjs-node's `file://` writes,
 * loadable by `tf.loadLayersModel` in a browser. Needs no tfjs-node.
 * The folder is replaced whole (a crash while saving leaves the previous
 * model), and a model whose weights are not all finite numbers is refused.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { tf } from "../tf";
import { committedFolder, isLeftover, recoverFolder, replaceFolder, writeFileChecked } from "../files";
import { fileSizeInFolder, isMissing, readFileInFolder, readTextInFolder, relativeNameProblem } from "../folder-read";

const MODEL_JSON = "model.json";
const WEIGHTS_BIN = "weights.bin";

/** A model as the two files of the layers format, ready to write (see writeModelFiles). */
export interface ModelFiles {
  json: string;
  weights: Uint8Array;
}

/** The layers-format files of `model`; `metadata` goes into model.json. */
export async function modelFiles(model: tf.LayersModel, metadata?: { [key: string]: {} }): Promise<ModelFiles> {
  let files: ModelFiles | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON["modelTopology"],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        ...(metadata ? { userDefinedMetadata: metadata } : {}),
      };
      files = { json: JSON.stringify(json), weights: new Uint8Array(weights) };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return files as unknown as ModelFiles;
}

/**
 * Writes a model's files as `dir/model.json` and `dir/weights.bin`, replacing
 * an earlier model there whole. Refuses a folder that holds anything else
 * (it is not ours to replace).
 */
export function writeModelFiles(files: ModelFiles, dir: string): string {
  if (typeof dir !== "string" || dir === "") throw new RangeError("a model needs a folder name");
  recoverFolder(dir); // what an earlier save killed half way left beside it
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new Error(`cannot save a model at ${dir}: it is a file, not a folder`);
    const other = readdirSync(dir).filter((n) => n !== MODEL_JSON && n !== WEIGHTS_BIN && !isLeftover(n));
    if (other.length > 0) {
      throw new Error(`refusing to save a model into ${dir}: it holds other files (${other.slice(0, 3).join(", ")}${other.length > 3 ? ", ..." : ""}); choose an empty or new folder`);
    }
  }
  replaceFolder(dir, (tmp) => {
    writeFileChecked(join(tmp, WEIGHTS_BIN), files.weights);
    writeFileChecked(join(tmp, MODEL_JSON), files.json);
  });
  return dir;
}

/** Saves `model` into `dir` (model.json + weights.bin), replacing an earlier model there whole; `metadata` goes into model.json. */
export async function saveModel(model: tf.LayersModel, dir: string, metadata?: { [key: string]: {} }): Promise<string> {
  return writeModelFiles(await modelFiles(model, metadata), dir);
}

export interface LoadModelOptions {
  /** Input and output sizes the network must have (default Acrobot's: 6 and 3; `taskInfo(id)` gives a task's). */
  inputSize?: number;
  actions?: number;
  /** The task's name for the error message (default "Acrobot"). */
  task?: string;
}

/**
 * Bounds on what a model folder may ask for: a model someone shares must not
 * make us read a huge file or build a network that eats the memory. Far above
 * any Acrobot Q-network (the lesson's is 3 x 512 units, 2.1 MB of weights).
 */
export const MODEL_LIMITS = {
  /** model.json, in bytes. */
  jsonBytes: 4 * 1024 * 1024,
  /** All weight files together, in bytes. */
  weightsBytes: 256 * 1024 * 1024,
  /** Weight files named by weightsManifest[].paths. */
  weightFiles: 64,
  /** Weight entries in weightsManifest[].weights. */
  weights: 1024,
  /** Dimensions of one weight's shape. */
  rank: 4,
  /** One dimension of a shape, and a layer's units (or filters, input_dim, ...). */
  units: 65536,
  /** Layers (entries of any `layers` list in modelTopology). */
  layers: 256,
  /** Nesting depth of modelTopology. */
  depth: 64,
} as const;

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
const UNIT_KEYS = new Set(["units", "filters", "input_dim", "output_dim", "inputDim", "outputDim"]);
const SHAPE_KEYS = new Set(["batch_input_shape", "batchInputShape", "batch_shape", "batchShape", "input_shape", "inputShape", "target_shape", "targetShape"]);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const unitOk = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= MODEL_LIMITS.units;

/** Refuses a topology asking for more units, layers or nesting than MODEL_LIMITS allows (tfjs would allocate it before any weight is read). */
function checkTopology(topology: unknown, jsonPath: string): void {
  let layers = 0;
  const bad = (field: string, what: string): never => {
    throw new Error(`corrupt model file ${jsonPath}: ${field} ${what}`);
  };
  const walk = (v: unknown, field: string, depth: number): void => {
    if (depth > MODEL_LIMITS.depth) bad(field, `is nested more than ${MODEL_LIMITS.depth} levels deep`);
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${field}[${i}]`, depth + 1));
      return;
    }
    if (!isObj(v)) return;
    for (const [k, x] of Object.entries(v)) {
      const at = `${field}.${k}`;
      if (UNIT_KEYS.has(k) && x !== null && !unitOk(x)) bad(at, `must be a whole number from 1 to ${MODEL_LIMITS.units}, got ${JSON.stringify(x)}`);
      if (SHAPE_KEYS.has(k) && x !== null) {
        if (!Array.isArray(x) || x.length > MODEL_LIMITS.rank + 1 || !x.every((d) => d === null || unitOk(d))) {
          bad(at, `must be a list of at most ${MODEL_LIMITS.rank + 1} sizes, each null or a whole number from 1 to ${MODEL_LIMITS.units}, got ${JSON.stringify(x).slice(0, 80)}`);
        }
      }
      if (k === "layers" && Array.isArray(x)) {
        layers += x.length;
        if (layers > MODEL_LIMITS.layers) bad(at, `holds more than ${MODEL_LIMITS.layers} layers`);
      }
      walk(x, at, depth + 1);
    }
  };
  walk(topology, "modelTopology", 0);
  // The shape tfjs walks before anything else: a class name, and a config whose layers are a list of {class_name, config}.
  const t = topology as Record<string, unknown>;
  const [top, at] = isObj(t.model_config) ? [t.model_config, "modelTopology.model_config"] : [t, "modelTopology"];
  if (typeof top.class_name !== "string") bad(`${at}.class_name`, `must be a layer or model class name such as "Sequential", got ${JSON.stringify(top.class_name) ?? "nothing"}`);
  if (!isObj(top.config)) bad(`${at}.config`, "must be an object");
  const config = top.config as Record<string, unknown>;
  if (config.layers !== undefined) {
    if (!Array.isArray(config.layers)) bad(`${at}.config.layers`, "must be a list of layers");
    (config.layers as unknown[]).forEach((l, i) => {
      if (!isObj(l) || typeof l.class_name !== "string" || !isObj(l.config)) bad(`${at}.config.layers[${i}]`, "must be {class_name, config}");
    });
  }
}

/** The weight entries and files of a manifest, every field checked against MODEL_LIMITS; and the bytes they need. */
function checkManifest(manifest: unknown[], jsonPath: string): { specs: tf.io.WeightsManifestEntry[]; paths: string[]; bytes: number } {
  const bad = (field: string, what: string): never => {
    throw new Error(`corrupt model file ${jsonPath}: ${field} ${what}`);
  };
  const specs: tf.io.WeightsManifestEntry[] = [], paths: string[] = [];
  let bytes = 0;
  manifest.forEach((group, g) => {
    const at = `weightsManifest[${g}]`;
    if (!isObj(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) return bad(at, "must be an object with lists paths and weights");
    group.paths.forEach((p, i) => {
      const problem = relativeNameProblem(p);
      if (problem !== null) bad(`${at}.paths[${i}]`, `${problem}, got ${JSON.stringify(p).slice(0, 80)}`);
      paths.push(p as string);
    });
    if (paths.length > MODEL_LIMITS.weightFiles) bad(`${at}.paths`, `names more than ${MODEL_LIMITS.weightFiles} weight files`);
    group.weights.forEach((w, i) => {
      const wat = `${at}.weights[${i}]`;
      if (!isObj(w) || typeof w.name !== "string") return bad(wat, "must be an object with a name, a shape and a dtype");
      if (w.quantization !== undefined) bad(`${wat}.quantization`, "is not supported (a Q-network saves float32 weights)");
      if (!(typeof w.dtype === "string" && w.dtype in DTYPE_BYTES)) bad(`${wat}.dtype`, `must be float32, int32 or bool, got ${JSON.stringify(w.dtype)}`);
      const shape = w.shape;
      if (!Array.isArray(shape) || shape.length > MODEL_LIMITS.rank || !shape.every((d) => Number.isSafeInteger(d) && d >= 0 && d <= MODEL_LIMITS.units)) {
        return bad(`${wat}.shape`, `must be a list of at most ${MODEL_LIMITS.rank} whole numbers from 0 to ${MODEL_LIMITS.units}, got ${JSON.stringify(shape).slice(0, 80)}`);
      }
      bytes += (shape as number[]).reduce((a, b) => a * b, 1) * DTYPE_BYTES[w.dtype as string];
      if (bytes > MODEL_LIMITS.weightsBytes) bad(`${wat}.shape`, `brings the weights past ${MODEL_LIMITS.weightsBytes / 1024 / 1024} MiB, the most a model may hold`);
      specs.push(w as unknown as tf.io.WeightsManifestEntry);
    });
    if (specs.length > MODEL_LIMITS.weights) bad(`${at}.weights`, `holds more than ${MODEL_LIMITS.weights} weights`);
  });
  return { specs, paths, bytes };
}

/** Reads a model saved by `saveModel` (or tfjs-node's `file://`), checking it has the sizes asked for (default: Acrobot's). Reads only regular files inside `dir`, each bounded (MODEL_LIMITS). */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<tf.LayersModel> {
  const { inputSize = 6, actions = 3, task = "Acrobot" } = options;
  dir = committedFolder(dir); // a save killed between its two renames left the previous model set aside
  const jsonPath = join(dir, MODEL_JSON);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`no saved model at ${dir}: the directory does not exist (train and save a model first)`);
  }
  let text: string;
  try {
    text = readTextInFolder(dir, MODEL_JSON, MODEL_LIMITS.jsonBytes);
  } catch (e) {
    throw isMissing(e) ? new Error(`no saved model at ${dir}: ${MODEL_JSON} is missing`) : e;
  }
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`corrupt model file ${jsonPath}: not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(json) || !isObj(json.modelTopology) || !Array.isArray(json.weightsManifest)) {
    throw new Error(`corrupt model file ${jsonPath}: expected a TensorFlow.js layers model with modelTopology and weightsManifest`);
  }
  checkTopology(json.modelTopology, jsonPath);
  const { specs, paths, bytes } = checkManifest(json.weightsManifest, jsonPath);
  // Every file's size, checked against what the shapes need, before a byte of it is read.
  let held = 0;
  for (const p of paths) {
    try {
      held += fileSizeInFolder(dir, p, MODEL_LIMITS.weightsBytes);
    } catch (e) {
      throw isMissing(e) ? new Error(`corrupt saved model in ${dir}: weights file ${p} is missing`) : e;
    }
  }
  if (held !== bytes) throw new Error(`corrupt saved model in ${dir}: the weights hold ${held} bytes but model.json describes ${bytes}`);
  const buffers = paths.map((p) => {
    const b = readFileInFolder(dir, p, bytes);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  });
  const data = tf.io.CompositeArrayBuffer.join(buffers);
  if (data.byteLength !== bytes) throw new Error(`corrupt saved model in ${dir}: the weights hold ${data.byteLength} bytes but model.json describes ${bytes}`);
  checkFinite(data, specs, dir);
  const model = await buildWithoutLeaks(json, specs, data, dir);
  const inShape = model.inputs[0].shape, outShape = model.outputs[0].shape;
  if (model.inputs.length !== 1 || inShape.length !== 2 || inShape[1] !== inputSize || outShape.length !== 2 || outShape[1] !== actions) {
    model.dispose();
    throw new Error(
      `the model in ${dir} maps ${JSON.stringify(inShape.slice(1))} inputs to ${JSON.stringify(outShape.slice(1))} outputs; ` +
        `${/^[AEIOU]/i.test(task) ? "an" : "a"} ${task} Q-network takes ${inputSize} observations and gives ${actions} action values`,
    );
  }
  return model;
}

/**
 * What tf.loadLayersModel does (build from the topology, then set the
 * weights), done here so that when it fails part way (a topology and weights
 * that do not fit) every tensor and variable it made is disposed: tfjs's own
 * leaves the decoded weights and the half-built layers behind.
 */
async function buildWithoutLeaks(json: tf.io.ModelJSON, specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer, dir: string): Promise<tf.LayersModel> {
  const engine = tf.engine();
  const before = new Set(Object.keys(engine.registeredVariables));
  let weights: tf.NamedTensorMap = {};
  try {
    const model = await tf.models.modelFromJSON({ modelTopology: json.modelTopology } as tf.io.ModelJSON);
    try {
      weights = tf.io.decodeWeights(data, specs);
      model.loadWeights(weights);
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  } catch (e) {
    for (const [name, v] of Object.entries(engine.registeredVariables)) if (!before.has(name) && !v.isDisposed) v.dispose();
    throw new Error(`corrupt saved model in ${dir}: TensorFlow.js could not rebuild it (${String((e as Error)?.message ?? e).split("\n")[0]})`);
  } finally {
    tf.dispose(weights);
  }
}

/** The metadata `saveModel` stored with a model, or {} if none. */
export function readModelMetadata(dir: string): Record<string, unknown> {
  const folder = committedFolder(dir);
  const path = join(folder, MODEL_JSON);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(readTextInFolder(folder, MODEL_JSON, MODEL_LIMITS.jsonBytes)) as tf.io.ModelJSON;
  } catch (e) {
    throw new Error(`cannot read the model's metadata in ${path}: ${(e as Error).message}`);
  }
  const meta = isObj(json) ? json.userDefinedMetadata : undefined;
  if (meta === undefined) return {};
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) throw new Error(`corrupt model file ${path}: userDefinedMetadata must be an object`);
  return meta as Record<string, unknown>;
}

/** Refuses weights that are NaN or infinite: such a network plays nonsense (it was saved after it diverged, or the file is damaged). */
function checkFinite(data: ArrayBuffer, specs: readonly tf.io.WeightsManifestEntry[], dir: string): void {
  let offset = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.dtype === "float32") {
      const values = new Float32Array(data, offset, n);
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(values[i])) {
          throw new Error(`corrupt saved model in ${dir}: weight ${s.name} holds ${values[i]} at index ${i} (a network saved after training diverged, or a damaged ${WEIGHTS_BIN}); it cannot be played`);
        }
      }
    }
    offset += n * bytesPer(s.dtype);
  }
}

function bytesPer(dtype: string): number {
  return DTYPE_BYTES[dtype];
}
