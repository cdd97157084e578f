/**
 * The one place that loads TensorFlow.js and picks a backend.
 *
 * Everyone imports `tf` from here (never from "@tensorflow/tfjs" directly) and
 * awaits `initBackend()` once before the first tensor op.
 *
 * Backends, best first:
 *  - "tensorflow": @tensorflow/tfjs-node, native libtensorflow. An optional
 *    dependency: its install downloads libtensorflow, which needs internet.
 *    Chosen automatically only when it loads and passes a self-check (a small
 *    forward and backward pass agreeing with cpu, lib/tf-self-check.ts);
 *    otherwise one line says why and wasm is used.
 *  - "wasm": @tensorflow/tfjs-backend-wasm (XNNPACK). Always installed. Its
 *    transposed matMuls are slow, so we install a workaround (lib/wasm-matmul-fix.ts,
 *    with when it can go). One thread,
 *    unless ACROBOT_DQN_WASM_THREADS asks for more: then the threaded build,
 *    started by lib/tf-wasm-threads.ts (tfjs turns it off under Node).
 *  - "cpu": plain JavaScript, the last resort.
 *
 * Written for both the strict project tsconfig and tslab (TypeScript 5.0,
 * CommonJS): no newer syntax, optional packages loaded with `require`.
 */
import * as tf from "@tensorflow/tfjs";
import { backendSelfCheck } from "./tf-self-check";
import { installWasmMatMulFix, uninstallWasmMatMulFix, wasmMatMulFixInstalled } from "./wasm-matmul-fix";
import { startWasmThreads, stopWasmThreads as stopThreadedBuild, wasmThreadsRunning, wasmThreadsWanted } from "./tf-wasm-threads";

export { tf };
// The wasm kernel fix is its own module (it needs only tfjs, so the web page uses it too).
export { installWasmMatMulFix, uninstallWasmMatMulFix, wasmMatMulFixInstalled };

export type BackendName = "tensorflow" | "wasm" | "cpu";

const BACKENDS: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];
const ALLOWED = BACKENDS.map((b) => `"${b}"`).join(", ");

// Held in variables so neither tsc nor tslab tries to resolve the optional package.
const TFJS_NODE = "@tensorflow/tfjs-node";
const TFJS_WASM = "@tensorflow/tfjs-backend-wasm";

// ---------------------------------------------------------------------------
// Backend choice

/** What the latest request asked for ("auto" until resolved), and its promise. */
let requested: BackendName | "auto" | null = null;
let ready: Promise<BackendName> | null = null;
/** The backend the last successful initBackend activated. */
let active: BackendName | null = null;
/** Why automatic choice skipped a better backend (shown by describeBackend). */
let autoNote = "";

/**
 * Loads TensorFlow.js on a backend and resolves with its name.
 *
 * Choice: `name`, else the TFJS_BACKEND environment variable, else automatic
 * ("tensorflow" if tfjs-node loads, else "wasm", else "cpu"). Idempotent and
 * safe to call concurrently: calls share one promise. Without `name`, a later
 * call keeps whatever was chosen; with a different `name`, it switches.
 */
export function initBackend(name?: string): Promise<BackendName> {
  if (name === undefined && ready !== null) return ready;
  let wanted: BackendName | "auto";
  try {
    wanted = name !== undefined ? parseBackendName(name, "initBackend()") : backendFromEnv();
  } catch (err) {
    return Promise.reject(err);
  }
  if (ready !== null && wanted === requested && !changedBehindOurBack(wanted)) return ready;

  const previous = ready;
  // Serialise switches: tf.setBackend calls must not interleave.
  const attempt = (previous ?? Promise.resolve(null))
    .catch(() => null)
    .then(() => activate(wanted));
  requested = wanted;
  ready = attempt;
  attempt.then(
    (chosen) => {
      if (ready === attempt) requested = chosen;
    },
    () => {
      // A failed request must not poison later calls: fall back to what works.
      if (ready !== attempt) return;
      requested = active;
      ready = active === null ? null : Promise.resolve(active);
    },
  );
  return attempt;
}

/** True when `wanted` is active by our records but someone called tf.setBackend since. */
function changedBehindOurBack(wanted: BackendName | "auto"): boolean {
  return wanted === active && tf.engine().backendName !== wanted;
}

/** The active backend; throws if initBackend has not completed. */
export function backendName(): BackendName {
  if (active === null) {
    throw new Error(
      "TensorFlow.js backend not initialised: call `await initBackend()` (from lib/tf) first.",
    );
  }
  // Someone may have called tf.setBackend directly since; report the truth.
  const engineName = tf.engine().backendName;
  return isBackendName(engineName) ? engineName : active;
}

/** One line for reports, e.g. "TensorFlow.js 4.22.0, backend wasm (XNNPACK, SIMD, ...)". */
export function describeBackend(): string {
  const head = `TensorFlow.js ${tf.version_core}`;
  if (active === null) return `${head}, backend not initialised (call initBackend first)`;
  const name = backendName();
  const details: string[] = [];
  if (name === "tensorflow") {
    details.push(`tfjs-node ${tfjsNodeVersion()}`, "native libtensorflow");
  } else if (name === "wasm") {
    const flags = tf.env().getFlags();
    details.push("XNNPACK");
    details.push(flags.WASM_HAS_SIMD_SUPPORT === true ? "SIMD" : "no SIMD");
    const threads = wasmThreadsRunning();
    details.push(threads > 1 ? `${threads} threads` : "1 thread");
    if (wasmThreadsNote !== "") details.push(wasmThreadsNote);
    details.push(`transposed-matMul fix ${wasmMatMulFixInstalled() ? "on" : "off"}`);
  } else {
    details.push("plain JavaScript, slowest");
  }
  if (autoNote !== "") details.push(autoNote);
  return `${head}, backend ${name} (${details.join(", ")})`;
}

function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).indexOf(name) >= 0;
}

function parseBackendName(raw: string, source: string): BackendName {
  const name = raw.trim().toLowerCase();
  if (isBackendName(name)) return name;
  throw new Error(
    `Unknown TensorFlow.js backend "${raw}" (from ${source}); allowed values: ${ALLOWED}.`,
  );
}

function backendFromEnv(): BackendName | "auto" {
  const raw = typeof process !== "undefined" ? process.env.TFJS_BACKEND : undefined;
  if (raw === undefined || raw.trim() === "") return "auto";
  return parseBackendName(raw, "the TFJS_BACKEND environment variable");
}

async function activate(wanted: BackendName | "auto"): Promise<BackendName> {
  silenceCpuBanner();
  const chosen = wanted === "auto" ? await activateBest() : await activateForced(wanted);
  if (wanted !== "auto") autoNote = "";
  active = chosen;
  return chosen;
}

/** Automatic choice: the first backend that loads (and, for tfjs-node, passes its self-check), best first. */
async function activateBest(): Promise<BackendName> {
  const skipped: string[] = [];
  const native = await tryTfjsNode();
  if (native.ok) {
    autoNote = `auto-selected; self-check passed`;
    return "tensorflow";
  }
  skipped.push(native.why);
  // Installed but unusable is worth one line; not installed is the usual case on machines without internet.
  if (native.installed) console.warn(`acrobot-dqn: not using ${TFJS_NODE}: ${native.why}; falling back to wasm.`);
  const wasmError = loadWasm();
  if (wasmError === null && (await setWasmBackend())) return done("wasm");
  skipped.push(`wasm unavailable${wasmError ? `: ${wasmError.message}` : ""}`);
  await setBackendOrThrow("cpu");
  return done("cpu");

  function done(chosen: BackendName): BackendName {
    autoNote = `auto-selected; ${skipped.join("; ")}`;
    return chosen;
  }
}

/** Loads tfjs-node and checks it against cpu; on success "tensorflow" is active. */
async function tryTfjsNode(): Promise<{ ok: boolean; installed: boolean; why: string }> {
  const err = loadTfjsNode();
  if (err !== null) {
    const missing = isModuleNotFound(err, TFJS_NODE);
    return { ok: false, installed: !missing, why: missing ? "tfjs-node not installed" : `tfjs-node failed to load (${firstLine(err.message)})` };
  }
  const check = await backendSelfCheck("tensorflow");
  if (check.ok) return { ok: true, installed: true, why: "" };
  // Leave a working backend behind whatever the check did.
  if (active !== null) await tf.setBackend(active).catch(() => false);
  return { ok: false, installed: true, why: `tfjs-node failed its self-check (${check.detail})` };
}

function firstLine(s: string): string {
  const line = s.split("\n")[0];
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

async function activateForced(name: BackendName): Promise<BackendName> {
  if (name === "tensorflow") {
    const err = loadTfjsNode();
    if (err !== null) throw tfjsNodeUnavailable(err);
    const check = await backendSelfCheck("tensorflow");
    if (!check.ok) {
      if (active !== null) await tf.setBackend(active).catch(() => false);
      throw new Error(
        `TensorFlow.js backend "tensorflow" failed its self-check: ${check.detail}. ` +
          `Its native library may not fit this machine; reinstall ${TFJS_NODE}, or choose "wasm" or "cpu".`,
      );
    }
    return name;
  } else if (name === "wasm") {
    const err = loadWasm();
    if (err !== null) {
      throw new Error(
        `TensorFlow.js backend "wasm" is unavailable: ${TFJS_WASM} failed to load (${err.message}). ` +
          `Reinstall the project's dependencies (npm ci), or choose "cpu".`,
      );
    }
  }
  await setBackendOrThrow(name);
  return name;
}

async function setBackendOrThrow(name: BackendName): Promise<void> {
  const ok = name === "wasm" ? await setWasmBackend() : await trySetBackend(name);
  if (!ok) {
    throw new Error(`TensorFlow.js backend "${name}" failed to initialise (see the warnings above).`);
  }
}

function tfjsNodeUnavailable(err: Error): Error {
  const missing = isModuleNotFound(err, TFJS_NODE);
  const why = missing
    ? `${TFJS_NODE} is not installed`
    : `${TFJS_NODE} is installed but failed to load (${err.message})`;
  return new Error(
    `TensorFlow.js backend "tensorflow" is unavailable: ${why}. ` +
      `To use it, install ${TFJS_NODE}@${tf.version_core} (npm install ${TFJS_NODE}@${tf.version_core}); ` +
      `its install script downloads libtensorflow, so it needs internet access. ` +
      `Otherwise choose "wasm" or "cpu" (initBackend("wasm") or TFJS_BACKEND=wasm).`,
  );
}

function isModuleNotFound(err: Error, pkg: string): boolean {
  const code = (err as Error & { code?: unknown }).code;
  return code === "MODULE_NOT_FOUND" && err.message.indexOf(`'${pkg}'`) >= 0;
}

/** Loading a backend package registers it with tfjs; cached, errors included. */
const loaded = new Map<string, Error | null>();
function requireOnce(pkg: string): Error | null {
  const cached = loaded.get(pkg);
  if (cached !== undefined) return cached;
  let result: Error | null = null;
  try {
    require(pkg);
  } catch (err) {
    result = err instanceof Error ? err : new Error(String(err));
  }
  loaded.set(pkg, result);
  return result;
}

function loadTfjsNode(): Error | null {
  return requireOnce(TFJS_NODE);
}

function loadWasm(): Error | null {
  const err = requireOnce(TFJS_WASM);
  if (err === null) installWasmMatMulFix();
  return err;
}

function tfjsNodeVersion(): string {
  try {
    return String(require(`${TFJS_NODE}/package.json`).version);
  } catch {
    return "(version unknown)";
  }
}

/** tf.setBackend, restoring the previous backend when initialisation fails. */
async function trySetBackend(name: BackendName): Promise<boolean> {
  const before = active;
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch {
    ok = false;
  }
  if (!ok && before !== null) await tf.setBackend(before);
  return ok;
}

/** Activates "wasm"; the first time, with the threads ACROBOT_DQN_WASM_THREADS asks for (or one thread, with a note why not). */
async function setWasmBackend(): Promise<boolean> {
  const threads = wasmThreadsWanted(); // a bad ACROBOT_DQN_WASM_THREADS is an error, before anything starts
  const ok = await withoutEmscriptenRethrow(() => trySetBackend("wasm"));
  if (!ok || wasmThreadsTried || threads <= 1) return ok;
  wasmThreadsTried = true;
  const outcome = await startWasmThreads(threads, () => withoutEmscriptenRethrow(() => trySetBackend("wasm")), withoutEmscriptenRethrow);
  wasmThreadsNote = outcome.note;
  return tf.getBackend() === "wasm";
}

/** Threads are tried once per process: a failure is noted, not retried on every switch. */
let wasmThreadsTried = false;
let wasmThreadsNote = "";

/**
 * The wasm backend's Emscripten glue, when it starts under Node, adds process
 * listeners that rethrow every uncaught exception and unhandled rejection.
 * They defeat host handlers (tslab's kernel logs an error thrown from a timer
 * and carries on; with them it dies) and make every crash print a 100 kB
 * minified source line. Remove exactly those two, restoring Node's defaults.
 */
async function withoutEmscriptenRethrow<T>(start: () => Promise<T>): Promise<T> {
  const before = processListeners();
  try {
    return await start();
  } finally {
    removeEmscriptenListeners(before);
  }
}

/**
 * Ends the threaded wasm build's worker threads (see lib/tf-wasm-threads.ts); "wasm" runs
 * one thread from then on (re-initialised now if it is the active backend). Tensors held on
 * the threaded backend become invalid. No-op when no threads run.
 */
export async function stopWasmThreads(): Promise<void> {
  if (wasmThreadsRunning() <= 1) return;
  const wasWasm = tf.getBackend() === "wasm";
  stopThreadedBuild();
  wasmThreadsTried = true;
  wasmThreadsNote = "";
  if (wasWasm) await setBackendOrThrow("wasm");
}

type Listener = (...args: unknown[]) => void;
/** The part of `process` we use, typed loosely (its overloads are per event). */
interface ListenerHost {
  listeners(event: string): Listener[];
  removeListener(event: string, listener: Listener): unknown;
}
const CRASH_EVENTS = ["uncaughtException", "unhandledRejection"] as const;
const EMSCRIPTEN_RETHROW = {
  uncaughtException: /ExitStatus\)\)\s*\{?\s*throw ex/,
  unhandledRejection: /^function\s*\(reason\)\s*\{\s*throw reason;?\s*\}$/,
};

function listenerHost(): ListenerHost | null {
  return typeof process === "undefined" ? null : (process as unknown as ListenerHost);
}

function processListeners(): Map<string, Listener[]> {
  const out = new Map<string, Listener[]>();
  const host = listenerHost();
  if (host !== null) for (const event of CRASH_EVENTS) out.set(event, host.listeners(event));
  return out;
}

function removeEmscriptenListeners(before: Map<string, Listener[]>): void {
  const host = listenerHost();
  if (host === null) return;
  for (const event of CRASH_EVENTS) {
    const old = before.get(event) ?? [];
    for (const listener of host.listeners(event)) {
      if (old.indexOf(listener) < 0 && EMSCRIPTEN_RETHROW[event].test(String(listener))) {
        host.removeListener(event, listener);
      }
    }
  }
}

/**
 * tfjs's cpu backend prints "Hi, looks like you are running TensorFlow.js in
 * Node.js ... install our node backend" on its first tensor write. We choose
 * our backend deliberately, so mark the cpu backend as already used. This
 * touches only that one message; other warnings still go through.
 */
function silenceCpuBanner(): void {
  const cpu = tf.findBackend("cpu") as unknown as { firstUse?: boolean } | null;
  if (cpu !== null && typeof cpu.firstUse === "boolean") cpu.firstUse = false;
}

// Also at load time: tf used before initBackend falls back to cpu.
silenceCpuBanner();
