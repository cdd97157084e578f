/** `page --model DIR --out FOLDER`: a static web page that plays the model (lib/page/). */
import { existsSync, lstatSync } from "node:fs";
import { join } from "node:path";
import { initBackend } from "../tf";
import { buildPage, checkPageFolder } from "../page/build";
import { EXIT, UsageError } from "./errors";
import { shown } from "./train-command";

export interface PageFlags {
  model: string;
  out: string;
}

export async function pageCommand(flags: PageFlags): Promise<number> {
  if (!existsSync(flags.model)) throw new UsageError(`--model ${flags.model}: no such folder; give a model folder (model.json + weights.bin) or a run folder`);
  if (!lstatSync(flags.model).isDirectory()) throw new UsageError(`--model ${flags.model}: not a folder; give a model folder (model.json + weights.bin) or a run folder`);
  try {
    checkPageFolder(flags.out);
  } catch (e) {
    throw new UsageError(`--out ${(e as Error).message}`);
  }
  await initBackend();
  const r = await buildPage({ model: flags.model, out: flags.out });
  const about = [r.facts.run.label ?? r.facts.run.preset, r.facts.run.seed !== null ? `seed ${r.facts.run.seed}` : null].filter(Boolean).join(", ");
  console.log(`page: ${shown(r.out)}${about ? ` (${about})` : ""}`);
  console.log(`  ${shown(join(r.out, "index.html"))}, app.js (${(r.scriptBytes / 1e6).toFixed(1)} MB), model/, wasm/, facts.json`);
  console.log(`serve the folder with any web server, e.g.: npx http-server ${shown(r.out)}  (or: python3 -m http.server -d ${shown(r.out)})`);
  return EXIT.ok;
}
