/**
 * Saving and loading a Q-network in TensorFlow.js's standard layers format:
 * `model.json` plus `weights.bin`, the same files tfjs-node's `file://` writes,
 * loadable by `tf.loadLayersModel` in a browser. Needs no tfjs-node.
 * The folder is replaced whole (a crash while saving leaves the previous
 * model), and a model whose weights are not all finite numbers is refused.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { tf } from "../tf";
import { committedFolder, isLeftover, recoverFolder, replaceFolder, writeFileChecked } from "../files";

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

/** Reads a model saved by `saveModel` (or tfjs-node's `file://`), checking it has the sizes asked for (default: Acrobot's). */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<tf.LayersModel> {
  const { inputSize = 6, actions = 3, task = "Acrobot" } = options;
  dir = committedFolder(dir); // a save killed between its two renames left the previous model set aside
  const jsonPath = join(dir, MODEL_JSON);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`no saved model at ${dir}: the directory does not exist (train and save a model first)`);
  }
  if (!existsSync(jsonPath)) throw new Error(`no saved model at ${dir}: ${MODEL_JSON} is missing`);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(readFileSync(jsonPath, "utf8"));
  } catch (e) {
    throw new Error(`corrupt model file ${jsonPath}: not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== "object" || json.modelTopology == null || !Array.isArray(json.weightsManifest)) {
    throw new Error(`corrupt model file ${jsonPath}: expected a TensorFlow.js layers model with modelTopology and weightsManifest`);
  }
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const buffers = manifest.flatMap((group) =>
      group.paths.map((p) => {
        const file = join(dir, p);
        if (!existsSync(file)) throw new Error(`corrupt saved model in ${dir}: weights file ${p} is missing`);
        const b = readFileSync(file);
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      }),
    );
    const data = tf.io.CompositeArrayBuffer.join(buffers);
    const expected = specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * bytesPer(s.dtype), 0);
    if (data.byteLength !== expected) {
      throw new Error(`corrupt saved model in ${dir}: the weights hold ${data.byteLength} bytes but model.json describes ${expected}`);
    }
    checkFinite(data, specs, dir);
    return [specs, data];
  });
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    throw new Error(`corrupt saved model in ${dir}: TensorFlow.js could not rebuild it (${(e as Error).message})`);
  }
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

/** The metadata `saveModel` stored with a model, or {} if none. */
export function readModelMetadata(dir: string): Record<string, unknown> {
  const path = join(committedFolder(dir), MODEL_JSON);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as tf.io.ModelJSON;
  } catch (e) {
    throw new Error(`cannot read the model's metadata in ${path}: ${(e as Error).message}`);
  }
  const meta = json?.userDefinedMetadata;
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
  return dtype === "bool" ? 1 : 4; // float32, int32 (the only dtypes a Q-network saves)
}
