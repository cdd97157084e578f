/**
 * Saving and loading a Q-network in TensorFlow.js's standard layers format:
 * `model.json` plus `weights.bin`, the same files tfjs-node's `file://` writes,
 * loadable by `tf.loadLayersModel` in a browser. Needs no tfjs-node.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tf } from "../tf";

const MODEL_JSON = "model.json";
const WEIGHTS_BIN = "weights.bin";

/** Writes `dir/model.json` and `dir/weights.bin` (creating `dir`); `metadata` goes into model.json. */
export async function saveModel(model: tf.LayersModel, dir: string, metadata?: { [key: string]: {} }): Promise<string> {
  mkdirSync(dir, { recursive: true });
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
      writeFileSync(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      writeFileSync(join(dir, MODEL_JSON), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return dir;
}

export interface LoadModelOptions {
  /** Input and output sizes the network must have (Acrobot: 6 and 3). */
  inputSize?: number;
  actions?: number;
}

/** Reads a model saved by `saveModel` (or tfjs-node's `file://`), checking it fits Acrobot. */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<tf.LayersModel> {
  const { inputSize = 6, actions = 3 } = options;
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
        `an Acrobot Q-network takes ${inputSize} observations and gives ${actions} action values`,
    );
  }
  return model;
}

/** The metadata `saveModel` stored with a model, or {} if none. */
export function readModelMetadata(dir: string): Record<string, unknown> {
  const json = JSON.parse(readFileSync(join(dir, MODEL_JSON), "utf8")) as tf.io.ModelJSON;
  return (json.userDefinedMetadata as Record<string, unknown> | undefined) ?? {};
}

function bytesPer(dtype: string): number {
  return dtype === "bool" ? 1 : 4; // float32, int32 (the only dtypes a Q-network saves)
}
