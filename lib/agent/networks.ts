/**
 * The Q-network architectures a config can choose (`config.network`). Each
 * builds a tf.layers model from a state size, an action count, the hidden
 * widths and a seed; two networks built with one seed must be identical (the
 * target network starts as a copy, and runs repeat exactly).
 *
 * Another architecture (a Dueling head, say) is one more entry here, in a
 * file of its own (docs/CONTRIBUTING.md). model-io saves and loads any
 * tf.layers model; the fast update (fast-update.ts) handles chains of Dense
 * layers and steps aside, with a note, for anything else.
 */
import type { tf } from "../tf";
import { buildQNetwork } from "./q-network";

export interface NetworkShape {
  inputSize: number;
  actions: number;
  hiddenLayers: number[];
  seed?: number;
}

export const networkKinds = {
  /** The lesson's: hidden ReLU layers, then one linear output per action (q-network.ts). */
  mlp: (s: NetworkShape): tf.LayersModel => buildQNetwork(s),
};

export type NetworkKind = keyof typeof networkKinds;
