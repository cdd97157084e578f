/**
 * `acrobot-dqn page`: a static folder that plays a saved agent in any
 * browser (index.html, the bundled script, the model, TensorFlow.js's wasm
 * files and facts.json). Served by any web server it needs nothing else: no
 * CDN, no Node.
 *
 * The model is loaded and checked here (loadModel's checks), then written
 * anew from the loaded weights: nothing from the user's folder is copied
 * byte for byte. The output folder is replaced whole, and only when it is
 * new, empty, or a page this command wrote (its marker file lists what it
 * holds); anything else in it is named and refused.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { build } from "esbuild";
import { loadModel, modelFiles, readModelMetadata, writeModelFiles } from "../agent/model-io";
import { replaceFolder, writeFileChecked } from "../files";
import { isRunFolder, readRun } from "../runs/read";
import { FILES } from "../runs/format";
import { MAX_EPISODE_STEPS_LIMIT } from "../train/config";
import type { PageFacts } from "./app";
import { subfolderOf } from "../folder-read";

/** The marker a page folder carries; its content lists the names the page wrote. */
export const PAGE_MARKER = ".acrobot-dqn-page";
const WASM_FILES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"];
const PAGE_NAMES = [PAGE_MARKER, "index.html", "style.css", "app.js", "facts.json", "model", "wasm"];

export interface PageOptions {
  /** A model folder (model.json + weights.bin) or a run folder. */
  model: string;
  /** The folder to write. */
  out: string;
  /** Minify the script (default true). */
  minify?: boolean;
}

export interface PageResult {
  out: string;
  facts: PageFacts;
  /** Bytes of the bundled script. */
  scriptBytes: number;
}

/** The output folder may be replaced: new, empty, or a page we wrote with nothing else in it. Throws naming what is in the way. */
export function checkPageFolder(out: string): void {
  if (!existsSync(out)) return;
  const st = lstatSync(out);
  if (!st.isDirectory()) throw new Error(`cannot write the page into ${out}: it is ${st.isSymbolicLink() ? "a symbolic link" : "a file"}, not a folder; give a new folder`);
  const names = readdirSync(out);
  if (names.length === 0) return;
  if (!names.includes(PAGE_MARKER)) {
    throw new Error(`refusing to write the page into ${out}: the folder holds files acrobot-dqn did not write (${names.slice(0, 3).join(", ")}${names.length > 3 ? ", ..." : ""}); give a new or empty folder`);
  }
  const foreign = names.filter((n) => !PAGE_NAMES.includes(n));
  if (foreign.length > 0) throw new Error(`refusing to replace the page in ${out}: ${join(out, foreign[0])} was not written by acrobot-dqn page; move it away first`);
}

/** A run folder stands for its model/ (as `play` takes it). */
function modelFolder(dir: string): { modelDir: string; runDir: string | null } {
  if (isRunFolder(dir) && !existsSync(join(dir, "model.json"))) return { modelDir: subfolderOf(dir, join(dir, FILES.model)), runDir: dir };
  const parent = dirname(resolve(dir));
  return { modelDir: dir, runDir: basename(resolve(dir)) === FILES.model && isRunFolder(parent) ? parent : null };
}

/** The run's facts for the page: from the run folder when there is one, else from the model's own metadata. */
function pageFacts(modelDir: string, runDir: string | null): PageFacts {
  const meta = readModelMetadata(modelDir);
  const config = (meta.config && typeof meta.config === "object" ? meta.config : {}) as { dynamics?: unknown; maxEpisodeSteps?: unknown };
  const dynamics = config.dynamics === "nips" ? "nips" : "book";
  const steps = config.maxEpisodeSteps;
  const maxEpisodeSteps = Number.isSafeInteger(steps) && (steps as number) >= 1 && (steps as number) <= MAX_EPISODE_STEPS_LIMIT ? (steps as number) : 500;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const str = (v: unknown) => (typeof v === "string" && v.length <= 200 ? v : null);
  const facts: PageFacts = {
    format: "acrobot-dqn page 1",
    run: { label: null, preset: str(meta.preset), seed: num(meta.seed), solvedAtEpisode: num(meta.solvedAtEpisode), greedy: null },
    env: { id: "Acrobot-v1", dynamics, maxEpisodeSteps },
  };
  if (runDir !== null) {
    const run = readRun(runDir);
    facts.run.label = str(run.meta.label) ?? null;
    facts.run.preset = str(run.meta.preset) ?? facts.run.preset;
    facts.run.seed = num(run.meta.seed) ?? facts.run.seed;
    facts.run.solvedAtEpisode = run.summary ? num(run.summary.solvedAtEpisode) : facts.run.solvedAtEpisode;
    const ev = run.summary?.evaluation;
    if (ev && Array.isArray(ev.returns) && ev.returns.length > 0 && ev.returns.every((r) => typeof r === "number" && Number.isFinite(r))) {
      const m = ev.returns.reduce((a, b) => a + b, 0) / ev.returns.length;
      const std = Math.sqrt(ev.returns.reduce((a, r) => a + (r - m) ** 2, 0) / ev.returns.length);
      facts.run.greedy = { episodes: ev.returns.length, mean: m, std };
    }
  }
  return facts;
}

/** The browser bundle: lib/page/app.ts with lib/tf.ts swapped for tf-browser.ts and node:os for a stub. */
export async function bundleApp(minify = true): Promise<string> {
  const here = __dirname;
  const libTf = resolve(here, "..", "tf.ts");
  const result = await build({
    entryPoints: [join(here, "app.ts")],
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2020",
    minify,
    write: false,
    logLevel: "silent",
    inject: [join(here, "browser-globals.ts")],
    plugins: [{
      name: "acrobot-dqn-browser",
      setup(b) {
        // The library imports "../tf" (Node's backend choice); the page gets its browser twin.
        b.onResolve({ filter: /(^|\/)tf$/ }, (args) => {
          const target = resolve(args.resolveDir, args.path + ".ts");
          return target === libTf ? { path: join(here, "tf-browser.ts") } : undefined;
        });
        b.onResolve({ filter: /^node:os$/ }, () => ({ path: join(here, "node-os.ts") }));
        b.onResolve({ filter: /^node:/ }, (args) => ({ errors: [{ text: `${args.path} (imported by ${args.importer}) cannot run in a browser` }] }));
        // The wasm backend's Emscripten glue requires these only on its Node branch: the page gets empty stand-ins, so no require is left.
        b.onResolve({ filter: /^(fs|path|worker_threads|crypto|perf_hooks)$/ }, (args) => ({ path: args.path, namespace: "node-stub" }));
        b.onLoad({ filter: /.*/, namespace: "node-stub" }, () => ({ contents: "module.exports = {};", loader: "js" }));
      },
    }],
  });
  return result.outputFiles[0].text;
}

/** Writes the page folder. */
export async function buildPage(options: PageOptions): Promise<PageResult> {
  const out = resolve(options.out);
  checkPageFolder(out);
  const { modelDir, runDir } = modelFolder(options.model);
  const model = await loadModel(modelDir); // every check a model folder gets
  let files: Awaited<ReturnType<typeof modelFiles>>;
  try {
    files = await modelFiles(model, readModelMetadata(modelDir) as { [key: string]: {} });
  } finally {
    model.dispose();
  }
  const facts = pageFacts(modelDir, runDir);
  const script = await bundleApp(options.minify ?? true);
  const here = __dirname;
  const wasmDir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
  checkPageFolder(out); // again: the bundling took a moment
  replaceFolder(out, (tmp) => {
    writeFileChecked(join(tmp, "index.html"), readFileSync(join(here, "index.html")));
    writeFileChecked(join(tmp, "style.css"), readFileSync(join(here, "style.css")));
    writeFileChecked(join(tmp, "app.js"), script);
    writeFileChecked(join(tmp, "facts.json"), JSON.stringify(facts, null, 2) + "\n");
    writeModelFiles(files, join(tmp, "model"));
    mkdirSync(join(tmp, "wasm"));
    for (const w of WASM_FILES) writeFileChecked(join(tmp, "wasm", w), readFileSync(join(wasmDir, "dist", w)));
    writeFileChecked(join(tmp, PAGE_MARKER), PAGE_NAMES.join("\n") + "\n");
  });
  return { out, facts, scriptBytes: Buffer.byteLength(script) };
}
