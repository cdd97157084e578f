import * as tf from "@tensorflow/tfjs";
const wasmPkg = require("@tensorflow/tfjs-backend-wasm");
const path = require("path"); const fs = require("fs");
const dir = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "wasm-out");
const factory = require(path.join(dir, "tfjs-backend-wasm-threaded-simd.js"));
const T = Number(process.env.T ?? 2);
function cwraps(module: any) { module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number','number','number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    }; return module; }
async function main() {
  tf.removeBackend("wasm");
  wasmPkg.setThreadsCount(T);
  tf.registerBackend("wasm", async () => {
    const keep = setInterval(() => {}, 1000);
    const module = await factory({
      locateFile: (p: string, prefix: string) => p.endsWith(".worker.js") ? path.resolve("wk.tmp.js") : prefix + p,
      instantiateWasm: (info: any, receive: any) => {
        info.env.emscripten_num_logical_cores = () => 2 * T;
        WebAssembly.instantiate(fs.readFileSync(path.join(dir, "tfjs-backend-wasm-threaded-simd.wasm")), info).then((r) => receive(r.instance, r.module));
        return {};
      },
    });
    clearInterval(keep);
    return new wasmPkg.BackendWasm(cwraps(module));
  }, 2);
  const ok = await tf.setBackend("wasm");
  const m = (tf.backend() as any).wasm;
  console.log("ok", ok, wasmPkg.getThreadsCount(), "running", m.PThread.runningWorkers.length, "unused", m.PThread.unusedWorkers.length);
  for (const w of m.PThread.unusedWorkers) w.terminate(); m.PThread.unusedWorkers = [];
  for (const w of m.PThread.runningWorkers) w.unref();
  const a = tf.randomNormal([1000, 512]); const b = tf.randomNormal([512, 512]);
  for (let r = 0; r < 3; r++) { const t0 = Date.now(); for (let i = 0; i < 20; i++) tf.matMul(a, b).dataSync(); console.log("ms/matmul", (Date.now() - t0) / 20); }
  console.log(Array.from(tf.matMul(a, b).dataSync().slice(0, 3)));
}
main().then(() => console.log("main done"));
