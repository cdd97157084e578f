/** `report RUN_DIR...`: the compare report from runs already on disk. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { isRunFolder, readRun, runFoldersIn, type Run } from "../runs/read";
import { checkPageTarget } from "../viz/run-pages";
import { presetTableMarkdown, writeReport } from "./report";
import { commandLine } from "../runs/meta";
import { shown } from "./train-command";
import { EXIT } from "./errors";
import { StopRequests } from "./signals";
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

/** Every run at or below each of `dirs`, read one at a time so a Ctrl-C is seen between them; null if stopped. */
async function readRunsStoppable(dirs: readonly string[], stops: StopRequests): Promise<Run[] | null> {
  const runs: Run[] = [];
  for (const d of runFoldersIn(dirs)) {
    await new Promise((r) => setImmediate(r));
    if (stops.received !== null) return null;
    runs.push(readRun(d));
  }
  return runs;
}

export async function reportCommand(dirs: string[], flags: ReportFlags): Promise<number> {
  const html = flags.out ?? defaultOut(dirs);
  const svg = `${html.replace(/\.html?$/i, "")}.svg`;
  // Refuse a target that is not ours before reading anything.
  checkPageTarget(html);
  checkPageTarget(svg);
  const stops = new StopRequests();
  try {
    const runs = await readRunsStoppable(dirs, stops);
    if (runs === null) {
      console.error(`${stops.received}: stopped before the report was written; nothing was written`);
      return stops.exitCode() ?? EXIT.SIGINT;
    }
    const backends = [...new Set(runs.map((r) => r.meta.backend))];
    const r = writeReport(runs, { html, svg }, {
      title: `Report: ${runs.length} run${runs.length === 1 ? "" : "s"}`,
      notes: [`${backends.join("; ")}`, commandLine()],
      plotly: flags.plotly,
    });
    console.log(`${runs.length} run(s) from ${dirs.join(", ")}\n\n${presetTableMarkdown(r.presetRows)}\n`);
    console.log(`report: ${shown(r.html)} (chart also in ${shown(r.svg)})`);
    return stops.exitCode() ?? EXIT.ok;
  } finally {
    stops.dispose();
  }
}
