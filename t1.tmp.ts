import { initBackend, describeBackend, tf, stopWasmThreads } from "./lib/tf";
(async () => {
  const t0 = Date.now();
  await initBackend("wasm");
  console.log(describeBackend(), Date.now() - t0, "ms");
  const a = tf.randomNormal([1000, 512]); const b = tf.randomNormal([512, 512]);
  const t1 = Date.now(); for (let i = 0; i < 20; i++) tf.matMul(a, b).dataSync(); console.log("ms/matmul", (Date.now() - t1) / 20);
  if (process.env.STOP) { await stopWasmThreads(); console.log(describeBackend()); console.log(tf.matMul(tf.ones([2,2]), tf.ones([2,2])).dataSync()); }
})();
