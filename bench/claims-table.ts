/**
 * The table behind the claims notebooks 01-03 and 07 make (issue 16 §4): one run folder per chapter
 * and seed, trained by the command line at the notebooks' budget, summarised per run and over
 * prefixes (07 trains the first EPISODES_07 episodes of the same runs: a run's episodes do not
 * depend on its budget).
 *
 *   npx tsx bench/claims-table.ts DIR [--prefix 300]
 *
 * DIR holds `<preset>-seed<N>/` run folders and, beside each, `<preset>-seed<N>.time` with
 * `/usr/bin/time -f "%U %S %e"`'s line (user, system and wall seconds), if it was timed.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readRun } from "../lib/runs/read";
import { movingAverages } from "../lib/train/moving-average";
import { maxOf, minOf } from "../lib/extent";
import { median } from "./stats";

interface Row { preset: string; seed: number; episodes: number; reached: number; meanReturn: number; best: number | null; final: number | null; qLow: number; qHigh: number; qLast: number; qLowAt: number; cpu: number | null; wall: number | null }

function summarise(dir: string, name: string, prefix: number | null): Row {
  const m = /^(\w+)-seed(\d+)$/.exec(name)!;
  const run = readRun(join(dir, name));
  const recs = prefix === null ? run.records : run.records.slice(0, prefix);
  const returns = recs.map((r) => r.envReturn);
  const avg = movingAverages(returns);
  const full = avg.slice(99); // averages over 100 complete episodes
  const q = recs.map((r) => r.meanMaxQ ?? NaN);
  const qLow = minOf(q);
  let cpu: number | null = null, wall: number | null = null;
  const tf = join(dir, `${name}.time`);
  if (prefix === null && existsSync(tf)) {
    const [u, s, e] = readFileSync(tf, "utf8").trim().split("\n").pop()!.split(/\s+/).map(Number);
    cpu = u + s; wall = e;
  }
  return {
    preset: m[1], seed: Number(m[2]), episodes: recs.length, reached: recs.filter((r) => r.terminated).length,
    meanReturn: returns.reduce((a, b) => a + b, 0) / returns.length,
    best: full.length > 0 ? maxOf(full) : null, final: full.length > 0 ? full[full.length - 1] : null,
    qLow, qHigh: maxOf(q), qLast: q[q.length - 1], qLowAt: q.indexOf(qLow) + 1, cpu, wall,
  };
}

const f = (x: number | null, d = 1) => (x === null ? "-" : x.toFixed(d));
const { values, positionals } = parseArgs({ allowPositionals: true, options: { prefix: { type: "string" } } });
const dir = positionals[0];
if (dir === undefined) throw new Error("usage: npx tsx bench/claims-table.ts DIR [--prefix EPISODES]");
const prefix = values.prefix === undefined ? null : Number(values.prefix);
const order = ["naive", "replay", "target", "improved", "fast"];
const finished = (n: string) => existsSync(join(dir, n, "summary.json")) && readRun(join(dir, n)).summary?.status !== "running";
const rows = readdirSync(dir).filter((n) => /^\w+-seed\d+$/.test(n) && finished(n))
  .map((n) => summarise(dir, n, prefix))
  .sort((a, b) => order.indexOf(a.preset) - order.indexOf(b.preset) || a.seed - b.seed);
console.log(`| preset | seed | episodes | reached the line | mean return | best 100-episode average | final 100-episode average | mean max Q: lowest (episode) / highest / last | CPU s | wall s |`);
console.log(`|---|---:|---:|---:|---:|---:|---:|---|---:|---:|`);
for (const r of rows) console.log(`| ${r.preset} | ${r.seed} | ${r.episodes} | ${r.reached} | ${f(r.meanReturn)} | ${f(r.best)} | ${f(r.final)} | ${f(r.qLow)} (${r.qLowAt}) / ${f(r.qHigh)} / ${f(r.qLast)} | ${f(r.cpu, 0)} | ${f(r.wall, 0)} |`);
console.log();
console.log(`| preset | seeds | episodes that reached the line (all seeds) | best 100-episode average: median (lowest - highest) | CPU s per run: median (lowest - highest) |`);
console.log(`|---|---:|---:|---|---|`);
for (const p of order) {
  const rs = rows.filter((r) => r.preset === p);
  if (rs.length === 0) continue;
  const bests = rs.map((r) => r.best).filter((x): x is number => x !== null);
  const cpus = rs.map((r) => r.cpu).filter((x): x is number => x !== null);
  console.log(`| ${p} | ${rs.map((r) => r.seed).join(",")} | ${rs.reduce((a, r) => a + r.reached, 0)} | ${bests.length ? `${f(median(bests))} (${f(minOf(bests))} - ${f(maxOf(bests))})` : "-"} | ${cpus.length ? `${f(median(cpus), 0)} (${f(minOf(cpus), 0)} - ${f(maxOf(cpus), 0)})` : "-"} |`);
}
