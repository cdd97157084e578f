/**
 * WORKAROUND (fenced off here; nothing else depends on how it works): the
 * wasm backend's slow transposed matrix products. It needs only
 * TensorFlow.js, so the command line, the notebooks and the web page
 * (lib/page/) all install it.
 *
 * Upstream: the wasm BatchMatMul / _FusedMatMul kernels call XNNPACK only
 * when neither operand is transposed, as chosen when XNNPACK was first wired
 * in (https://github.com/tensorflow/tfjs/pull/2532: "For now we only call
 * XNNPack when transpose_a = transpose_b = false ... In the future we will
 * support transposed bits"), still so in tfjs 4.22.0
 * (https://github.com/tensorflow/tfjs/blob/tfjs-v4.22.0/tfjs-backend-wasm/src/cc/batch_mat_mul_impl.cc).
 * No upstream issue tracks it yet.
 *
 * When to remove it: once a tfjs release passes transposed operands to
 * XNNPACK. `npx tsx bench/dqn-step.ts` times the update with and without the
 * fix; when the two agree, delete this file and its install call in lib/tf.ts
 * (loadWasm) and lib/page/tf-browser.ts. `wasmMatMulFixInstalled()` shows
 * whether it is on (describeBackend prints it).
 */
import * as tf from "@tensorflow/tfjs";

// --- WORKAROUND START: the wasm transposed-matMul fix ----------------------
//
// The wasm BatchMatMul and _FusedMatMul kernels use XNNPACK only when neither
// operand is transposed; otherwise they run a scalar loop about 10x slower.
// tfjs-core's matMul gradients always transpose, so backprop crawls. The fix
// re-registers both kernels with a wrapper that materialises the transposed
// operand with the wasm Transpose kernel and calls the original untransposed.

const MATMUL_KERNELS = [tf.BatchMatMul, tf._FusedMatMul];

/** Our wrapper config remembers the config it replaced, in the global kernel
 * registry itself, so a second copy of this module (tslab reloads) sees it. */
interface FixedKernelConfig extends tf.KernelConfig {
  acrobotDqnOriginal: tf.KernelConfig;
}

function originalOf(config: tf.KernelConfig | undefined): tf.KernelConfig | undefined {
  return config === undefined ? undefined : (config as Partial<FixedKernelConfig>).acrobotDqnOriginal;
}

/** Installs the fix (idempotent). False when the wasm backend is not registered. */
export function installWasmMatMulFix(): boolean {
  const transpose = tf.getKernel(tf.Transpose, "wasm");
  const configs = MATMUL_KERNELS.map((k) => tf.getKernel(k, "wasm"));
  if (transpose === undefined || configs.some((c) => c === undefined)) return false;
  configs.forEach((config) => {
    if (config === undefined || originalOf(config) !== undefined) return;
    tf.unregisterKernel(config.kernelName, "wasm"); // registering over it would warn
    tf.registerKernel(withMaterialisedTranspose(config, transpose.kernelFunc));
  });
  return true;
}

/** Restores the original wasm kernels. */
export function uninstallWasmMatMulFix(): void {
  for (const kernelName of MATMUL_KERNELS) {
    const original = originalOf(tf.getKernel(kernelName, "wasm"));
    if (original === undefined) continue;
    tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel(original);
  }
}

export function wasmMatMulFixInstalled(): boolean {
  return MATMUL_KERNELS.every((k) => originalOf(tf.getKernel(k, "wasm")) !== undefined);
}

/** Same config (setupFunc, disposeFunc kept), kernelFunc wrapped. */
function withMaterialisedTranspose(
  original: tf.KernelConfig,
  transposeFunc: tf.KernelFunc,
): FixedKernelConfig {
  const run = original.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
    const attrs = args.attrs ?? {};
    const transposeA = attrs.transposeA === true;
    const transposeB = attrs.transposeB === true;
    const { a, b } = args.inputs;
    // Nothing to fix, or shapes the original will reject with its own message.
    if ((!transposeA && !transposeB) || !a || !b || !innerDimsMatch(a, b, transposeA, transposeB)) {
      return run(args);
    }
    const backend = args.backend as tf.KernelBackend;
    const temporaries: tf.TensorInfo[] = [];
    const materialise = (x: tf.TensorInfo): tf.TensorInfo => {
      const t = transposeLastTwo(x, args.backend, transposeFunc);
      temporaries.push(t);
      return t;
    };
    try {
      return run({
        inputs: { ...args.inputs, a: transposeA ? materialise(a) : a, b: transposeB ? materialise(b) : b },
        backend: args.backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      // Kernel-internal intermediates are not tracked by the engine: free them
      // the way wasm kernels do (the returned output is the engine's to own).
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
  return { ...original, kernelFunc, acrobotDqnOriginal: original };
}

function innerDimsMatch(a: tf.TensorInfo, b: tf.TensorInfo, tA: boolean, tB: boolean): boolean {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return false;
  const innerA = tA ? a.shape[ra - 2] : a.shape[ra - 1];
  const innerB = tB ? b.shape[rb - 1] : b.shape[rb - 2];
  return innerA === innerB;
}

/** x with its last two axes swapped, as a new wasm buffer (any rank >= 2). */
function transposeLastTwo(x: tf.TensorInfo, backend: {}, transposeFunc: tf.KernelFunc): tf.TensorInfo {
  const rank = x.shape.length;
  const perm: number[] = [];
  for (let i = 0; i < rank; i++) perm.push(i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transposeFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}
// --- WORKAROUND END -----------------------------------------------------
