/**
 * The threaded wasm build under Node: a workaround, fenced off in this module.
 *
 * Why: tfjs 4.22 switches wasm multithreading off under Node
 * (https://github.com/tensorflow/tfjs/issues/3830). Forcing its flag on fails at start-up:
 * tfjs hands Emscripten the pthread worker script as a `blob:` URL, which Node's Worker
 * refuses (ERR_WORKER_PATH), and the worker would load the main script, also a Blob, with
 * `importScripts`, which under Node reads a file path. The Emscripten glue itself supports
 * Node (worker_threads). So we start the package's own threaded SIMD build
 * (wasm-out/tfjs-backend-wasm-threaded-simd.js, the same factory tfjs inlines) with real
 * files: the worker script written once to a cache folder, the main script and the .wasm
 * where the package ships them. Then we hand tfjs a ready BackendWasm under the name "wasm",
 * so every wasm kernel (and lib/tf.ts's transposed-matMul fix) runs on it unchanged.
 *
 * Two more things the glue does not do for us under Node:
 *  - The C side caps the thread pool at "logical cores / 2" (it assumes hyper-threading),
 *    which is 1 on a 2-core machine: we answer its `emscripten_num_logical_cores` import
 *    with twice the threads asked for, so the pool gets exactly that many.
 *  - A running pthread keeps Node alive (the glue `ref()`s it) and the pool's threads never
 *    end: we `unref()` them, so a script exits when its work is done. Emscripten also
 *    pre-starts 8 workers (its PTHREAD_POOL_SIZE); we end the ones the pool does not use.
 *
 * Fenced: before it is used, the threaded backend must give the one-thread backend's
 * results on a forward and backward pass of a Q-network loss big enough to be split between
 * threads (lib/tf-self-check.ts). Any failure: a one-line note, and one thread as before.
 * Disposable: `stopWasmThreads()` ends the workers and restores the one-thread factory
 * (tf.removeBackend("wasm") ends them too).
 *
 * Remove this module when tfjs-backend-wasm enables threads under Node itself (issue 3830
 * closed, `WASM_HAS_MULTITHREAD_SUPPORT` no longer false under IS_NODE) and loads its worker
 * from a file: then `setThreadsCount(n)` before `tf.setBackend("wasm")` is all it takes.
 */
import * as tf from "@tensorflow/tfjs";
import { createHash } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { compareQLossPasses, qLossPass, type PassSizes } from "./tf-self-check";

/** The environment variable that sets the thread count: a whole number 1-8, or "auto". */
export const WASM_THREADS_ENV = "ACROBOT_DQN_WASM_THREADS";
/** What an unset ACROBOT_DQN_WASM_THREADS means. */
const DEFAULT_THREADS = "1";
/** The build pre-creates 8 workers and its C side caps the pool there. */
const MAX_THREADS = 8;
/** "auto" stops here: the update's matrices are too small to gain from more. */
const AUTO_MAX = 4;

const TFJS_WASM = "@tensorflow/tfjs-backend-wasm";
const BUILD = "tfjs-backend-wasm-threaded-simd";
/** Big enough that XNNPACK splits its matrix products between threads. */
const CHECK_SIZES: PassSizes = { batch: 256, inputs: 6, hidden: 512, actions: 3 };
/** Starting the module means starting 8 workers; on a busy machine that takes seconds, not minutes. */
const START_TIMEOUT_MS = 120_000;
/** Where the one-thread factory is kept while ours is registered; global, so a reloaded copy of this module (tslab) finds it. */
const ONE_THREAD_FACTORY = Symbol.for("acrobot-dqn.wasm-one-thread-factory");

// ---------------------------------------------------------------------------
// How many threads

/** The thread count ACROBOT_DQN_WASM_THREADS asks for (unset: 1; "auto": threadsForJobs(1)). Throws on a bad value. */
export function wasmThreadsWanted(env: NodeJS.ProcessEnv = process.env): number {
  const raw = (env[WASM_THREADS_ENV] ?? "").trim() || DEFAULT_THREADS;
  if (raw.toLowerCase() === "auto") return threadsForJobs(1);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_THREADS) {
    throw new Error(
      `${WASM_THREADS_ENV}="${env[WASM_THREADS_ENV]}" is not a thread count: allowed are whole numbers 1-${MAX_THREADS}, or "auto" (this machine has ${availableParallelism()} cores).`,
    );
  }
  return n;
}

/** Threads per training when `trainings` run at once: trainings x threads <= cores, at most AUTO_MAX each. */
export function threadsForJobs(trainings: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(AUTO_MAX, Math.floor(cores / Math.max(1, trainings))));
}

/**
 * The environment for a child training when `trainings` run at once: ACROBOT_DQN_WASM_THREADS
 * set so that trainings x threads <= cores, and never above what this process's environment
 * asks for (a bad value there is the child's to report).
 */
export function childEnvForJobs(trainings: number, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  let wanted: number;
  try {
    wanted = wasmThreadsWanted(env);
  } catch {
    return { ...env };
  }
  return { ...env, [WASM_THREADS_ENV]: String(Math.min(wanted, threadsForJobs(trainings))) };
}

// ---------------------------------------------------------------------------
// The Emscripten module, as far as we use it

interface NodeWorker {
  unref(): void;
  terminate(): unknown;
}
interface ThreadedModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  PThread: { runningWorkers: NodeWorker[]; unusedWorkers: NodeWorker[]; terminateAllThreads(): void };
  tfjs?: Record<string, unknown>;
}
interface WasmBackendLike {
  wasm: (ThreadedModule & { tfjs: { getThreadsCount(): number } }) | null;
}
type Factory = (config: Record<string, unknown>) => Promise<ThreadedModule>;
/** WebAssembly.instantiate on bytes, reached through globalThis: tslab's TypeScript declares no WebAssembly value. */
function instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: unknown; module: unknown }> {
  const wasm = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<{ instance: unknown; module: unknown }> } }).WebAssembly;
  return wasm.instantiate(bytes, imports);
}

/** The threads the registered "wasm" backend runs (1 when it is the ordinary build or not started). */
export function wasmThreadsRunning(): number {
  const registry = (tf.engine() as unknown as { registry: Record<string, WasmBackendLike | undefined> }).registry;
  const backend = registry.wasm;
  const wasm = backend?.wasm;
  if (wasm === null || wasm === undefined || wasm.PThread === undefined) return 1;
  return wasm.tfjs.getThreadsCount();
}

function wasmOutDir(): string {
  return join(dirname(require.resolve(`${TFJS_WASM}/package.json`)), "wasm-out");
}

/**
 * The pthread worker script as a file, written once per content to a cache folder (the
 * project's node_modules/.cache, else the system's temp folder): whole or not at all, never
 * over a file we did not write, and only in a folder this user owns, so nobody else's file
 * is run.
 */
function workerScriptFile(): string {
  const contents = (require(join(wasmOutDir(), `${BUILD}.worker.js`)) as { wasmWorkerContents: string }).wasmWorkerContents;
  // As tfjs does before making its Blob: the template string turned the "\n" escapes inside string literals into newlines.
  const source = contents.replace(/\n/g, "\\n");
  const name = `${BUILD}-${createHash("sha256").update(source).digest("hex").slice(0, 16)}.worker.cjs`;
  const uid = typeof process.getuid === "function" ? process.getuid() : null;
  const folders = [
    join(dirname(require.resolve(`${TFJS_WASM}/package.json`)), "..", "..", ".cache", "acrobot-dqn"),
    join(tmpdir(), `acrobot-dqn-${uid ?? "user"}`),
  ];
  const problems: string[] = [];
  for (const folder of folders) {
    const file = join(folder, name);
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      if (uid !== null && statSync(folder).uid !== uid) throw new Error("the folder belongs to another user");
      if (existsSync(file)) {
        if (readFileSync(file, "utf8") === source) return file;
        throw new Error(`${name} there has other content`);
      }
      writeFileSync(temporary, source, { mode: 0o600, flag: "wx" });
      try {
        linkSync(temporary, file); // fails if another process published it first: then use theirs if it is the same
      } catch (err) {
        if (!(existsSync(file) && readFileSync(file, "utf8") === source)) throw err;
      }
      return file;
    } catch (err) {
      problems.push(`${folder}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      rmSync(temporary, { force: true });
    }
  }
  throw new Error(`could not write the worker script (${problems.join("; ")})`);
}

/** Starts the threaded build with `threads` threads and wraps it as tfjs's wasm backend. */
async function createThreadedBackend(threads: number): Promise<tf.KernelBackend> {
  const pkg = require(TFJS_WASM) as {
    BackendWasm: new (module: ThreadedModule) => tf.KernelBackend;
    setThreadsCount(n: number): void;
  };
  const dir = wasmOutDir();
  const worker = workerScriptFile();
  const factory = require(join(dir, `${BUILD}.js`)) as Factory;
  const binary = readFileSync(join(dir, `${BUILD}.wasm`));
  let started = false;
  let abort: (why: Error) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => (abort = reject));
  aborted.catch(() => undefined); // a late abort must not become an unhandled rejection
  const config = {
    locateFile: (path: string, prefix: string) => (path.endsWith(".worker.js") ? worker : prefix + path),
    // Our own instantiation, to answer the core-count import (see the top of this file).
    instantiateWasm(info: { env: Record<string, unknown> }, receive: (instance: unknown, module: unknown) => void) {
      info.env.emscripten_num_logical_cores = () => 2 * threads;
      instantiate(binary, info).then(
        (r) => receive(r.instance, r.module),
        (err: unknown) => abort(err instanceof Error ? err : new Error(String(err))),
      );
      return {};
    },
    onAbort: (what: unknown) => abort(new Error(`the module aborted: ${String(what)}`)),
    print: () => undefined,
    printErr: (text: string) => (started ? console.error(text) : abort(new Error(`it reported: ${text}`))),
  };
  // The workers are unref()ed while they load: without a timer, Node would exit before they answer.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`its workers did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
  });
  let module: ThreadedModule;
  try {
    module = await Promise.race([factory(config), aborted, timeout]);
  } finally {
    clearTimeout(timer);
  }
  started = true;
  module.tfjs = {
    init: module.cwrap("init", null, []),
    initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
    getThreadsCount: module.cwrap("get_threads_count", "number", []),
    registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
    disposeData: module.cwrap("dispose_data", null, ["number"]),
    dispose: module.cwrap("dispose", null, []),
  };
  pkg.setThreadsCount(threads);
  let backend: tf.KernelBackend;
  try {
    backend = new pkg.BackendWasm(module); // creates the thread pool
  } catch (err) {
    module.PThread.terminateAllThreads();
    throw err;
  } finally {
    pkg.setThreadsCount(-1); // the package default again, for a later one-thread start
  }
  for (const w of module.PThread.unusedWorkers) void w.terminate();
  module.PThread.unusedWorkers = [];
  for (const w of module.PThread.runningWorkers) w.unref();
  return backend;
}

// ---------------------------------------------------------------------------
// Switching the "wasm" backend between the builds

type BackendFactory = () => tf.KernelBackend | Promise<tf.KernelBackend>;

function keptOneThreadFactory(): BackendFactory | undefined {
  return (globalThis as Record<symbol, BackendFactory | undefined>)[ONE_THREAD_FACTORY];
}

function registerWasm(factory: BackendFactory): void {
  if (tf.findBackendFactory("wasm") !== null) tf.removeBackend("wasm"); // disposes the old instance and its threads
  tf.registerBackend("wasm", factory, 2 /* tfjs-backend-wasm's own priority */);
}

/** Ends the threaded build's workers and registers the one-thread build again; the caller sets "wasm" again if it was active. */
export function stopWasmThreads(): void {
  const oneThread = keptOneThreadFactory();
  if (oneThread === undefined) return;
  registerWasm(oneThread);
  delete (globalThis as Record<symbol, unknown>)[ONE_THREAD_FACTORY];
}

export interface ThreadsOutcome {
  /** Threads the wasm backend now runs. */
  threads: number;
  /** One line: how the threaded build did, or why it is not used ("" for one thread as asked). */
  note: string;
}

/**
 * Makes "wasm" (already the active backend, one thread) run `threads` threads, if the threaded
 * build starts and passes its self-check; otherwise leaves the one-thread backend active and
 * says why. `guard` wraps the start (lib/tf.ts removes the glue's process listeners in it);
 * `setWasm` activates "wasm" as lib/tf.ts does. Never throws.
 */
export async function startWasmThreads(
  threads: number,
  setWasm: () => Promise<boolean>,
  guard: <T>(start: () => Promise<T>) => Promise<T>,
): Promise<ThreadsOutcome> {
  const running = wasmThreadsRunning();
  if (running > 1) return { threads: running, note: "" }; // started earlier (e.g. by a reloaded copy of lib/tf)
  if (threads <= 1) return { threads: 1, note: "" };
  const oneThread = tf.findBackendFactory("wasm");
  if (oneThread === null || tf.getBackend() !== "wasm") return { threads: 1, note: "wasm threads off: the one-thread wasm backend is not active" };
  let step = "start";
  try {
    const reference = qLossPass(CHECK_SIZES);
    const backend = await guard(() => createThreadedBackend(threads));
    (globalThis as Record<symbol, unknown>)[ONE_THREAD_FACTORY] = oneThread;
    registerWasm(() => backend);
    step = "activate";
    if (!(await setWasm())) throw new Error("tf.setBackend(\"wasm\") failed");
    const got = wasmThreadsRunning();
    if (got !== threads) throw new Error(`its pool has ${got} threads, not ${threads}`);
    step = "self-check";
    const { mismatch, worst } = compareQLossPasses(qLossPass(CHECK_SIZES), reference, `${threads} threads`, "1 thread");
    if (mismatch !== null) throw new Error(mismatch);
    return { threads, note: `self-check passed (${worst === 0 ? "the same bits as 1 thread" : `worst relative difference from 1 thread ${worst.toExponential(1)}`})` };
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    try {
      stopWasmThreads();
      await setWasm();
    } catch {
      // setWasm reports its own failure to the caller through the active backend
    }
    const note = `wasm threads off (the threaded build failed its ${step}: ${why}); using 1 thread`;
    console.warn(`acrobot-dqn: ${note}`);
    return { threads: 1, note };
  }
}
