/** `report RUN_DIR...`: the compare report from runs already on disk. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { isRunFolder, readRuns } from "../runs/read";
import { presetTableMarkdown, writeReport } from "./report";
import { commandLine } from "./meta";
import { shown } from "./train-command";
import { EXIT } from "./errors";
import type { PlotlyMode } from "./options";

export interface ReportFlags {
  out?: string;
  plotly: PlotlyMode;
}

function defaultOut(dirs: readonly string[]): string {
  // A compare folder (or runs/) holds its own report; loose runs get one under runs/.
  if (dirs.length === 1 && !isRunFolder(dirs[0])) return join(dirs[0], "report.html");
  const d = new Date(), two = (n: number) => String(n).padStart(2, "0");
  const base = join("runs", `report-${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`);
  let out = `${base}.html`;
  for (let i = 2; existsSync(out); i++) out = `${base}-${i}.html`;
  return out;
}

export async function reportCommand(dirs: string[], flags: ReportFlags): Promise<number> {
  const runs = readRuns(dirs);
  const html = flags.out ?? defaultOut(dirs);
  const svg = `${html.replace(/\.html?$/i, "")}.svg`;
  const backends = [...new Set(runs.map((r) => r.meta.backend))];
  const r = writeReport(runs, { html, svg }, {
    title: `Report: ${runs.length} run${runs.length === 1 ? "" : "s"}`,
    notes: [`${backends.join("; ")}`, commandLine()],
    plotly: flags.plotly,
  });
  console.log(`${runs.length} run(s) from ${dirs.join(", ")}\n\n${presetTableMarkdown(r.presetRows)}\n`);
  console.log(`report: ${shown(r.html)} (chart also in ${shown(r.svg)})`);
  return EXIT.ok;
}
