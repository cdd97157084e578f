/**
 * lib/tf.ts for the web page: the page's bundle (lib/page/build.ts) puts this
 * module wherever the library imports "../tf". Same exports the library uses,
 * no Node: the wasm backend with its .wasm files served beside the page, the
 * transposed-matMul fix, and plain JavaScript if wasm cannot start.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { installWasmMatMulFix, wasmMatMulFixInstalled } from "../wasm-matmul-fix";

export { tf };
export type BackendName = "tensorflow" | "wasm" | "cpu";

let ready: Promise<BackendName> | null = null;

/** Starts wasm (files under ./wasm/ beside index.html), else cpu; once. */
export function initBackend(): Promise<BackendName> {
  ready ??= (async () => {
    setWasmPaths("wasm/");
    // Threads need a cross-origin-isolated page, which a plain static server does not give.
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    try {
      if (await tf.setBackend("wasm")) {
        installWasmMatMulFix();
        return "wasm";
      }
    } catch {
      // falls through to cpu
    }
    await tf.setBackend("cpu");
    return "cpu";
  })();
  return ready;
}

export function backendName(): BackendName {
  const name = tf.getBackend();
  return name === "wasm" ? "wasm" : "cpu";
}

export function describeBackend(): string {
  const name = backendName();
  if (name === "cpu") return `TensorFlow.js ${tf.version_core}, backend cpu (plain JavaScript)`;
  const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "SIMD" : "no SIMD";
  return `TensorFlow.js ${tf.version_core}, backend wasm (XNNPACK, ${simd}, 1 thread, transposed-matMul fix ${wasmMatMulFixInstalled() ? "on" : "off"})`;
}
