/**
 * The layers of lib/ (docs/CONTRIBUTING.md's table, read here as the source):
 * every relative import in lib/ stays in its own layer or points down. Also:
 * no module in lib/runs/ starts the command line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");
const LIB = join(ROOT, "lib");

interface Layer {
  name: string;
  rank: number;
  /** `lib/x/` folders, `lib/x.ts` files, or `lib/*.ts` (any other file directly in lib/). */
  paths: string[];
}

/** The table under "`lib/` is layered": its rows from the bottom up, each with the backticked paths of its second column. */
export function layersFromDoc(markdown: string): Layer[] {
  const rows = markdown.split("\n").filter((l) => /^\|[^|]+\|\s*`lib\//.test(l));
  return rows.map((row, rank) => {
    const cells = row.split("|").map((c) => c.trim());
    return { name: cells[1], rank, paths: [...cells[2].matchAll(/`([^`]+)`/g)].map((m) => m[1]) };
  });
}

/** The layer a file of lib/ (a path relative to the repository) belongs to: the most specific path that names it. */
export function layerOf(file: string, layers: readonly Layer[]): Layer | null {
  let best: { layer: Layer; score: number } | null = null;
  for (const layer of layers) {
    for (const p of layer.paths) {
      const score = p === file ? 3 : p.endsWith("/") && file.startsWith(p) ? 2 : p === "lib/*.ts" && dirname(file) === "lib" ? 1 : 0;
      if (score > 0 && (best === null || score > best.score)) best = { layer, score };
    }
  }
  return best?.layer ?? null;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** Relative module specifiers a file imports: import/export ... from, import("..."), require("..."). */
export function relativeImports(source: string): string[] {
  const found = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm)].map((m) => m[1]);
  return [...new Set(found)];
}

/** The file a relative import names (`../runs/jobs` -> lib/runs/jobs.ts, a folder -> its index.ts). */
function target(from: string, spec: string, files: ReadonlySet<string>): string {
  const base = join(dirname(from), spec);
  for (const c of [base, `${base}.ts`, join(base, "index.ts")]) if (files.has(c)) return c;
  return base;
}

const layers = layersFromDoc(readFileSync(join(ROOT, "docs", "CONTRIBUTING.md"), "utf8"));

test("docs/CONTRIBUTING.md's layer table: the layers from env up to the entry points, in order", () => {
  const order = ["lib/env/", "lib/agent/", "lib/train/", "lib/runs/", "lib/viz/", "lib/cli/"].map((p) => layers.find((l) => l.paths.includes(p))?.rank);
  assert.ok(order.every((r) => r !== undefined), `every layer is in the table: ${JSON.stringify(layers)}`);
  assert.deepEqual([...order].sort((a, b) => a! - b!), order, "env < agent < train < runs < viz < cli");
  const api = layers.find((l) => l.paths.includes("lib/api/")), page = layers.find((l) => l.paths.includes("lib/page/"));
  assert.equal(api?.rank, order[5]);
  assert.equal(page?.rank, order[5]);
});

test("every file of lib/ is in a layer, and no import points up a layer", () => {
  const files = tsFiles(LIB);
  const known = new Set(files);
  const upward: string[] = [];
  for (const file of files) {
    const rel = relative(ROOT, file);
    const own = layerOf(rel, layers);
    assert.ok(own !== null, `${rel} is in no layer of docs/CONTRIBUTING.md's table`);
    for (const spec of relativeImports(readFileSync(file, "utf8"))) {
      const to = relative(ROOT, target(file, spec, known));
      if (!to.startsWith("lib/")) continue; // package.json and the like
      const theirs = layerOf(to, layers);
      if (theirs !== null && theirs.rank > own.rank) upward.push(`${rel} (${own.name}) imports ${to} (${theirs.name})`);
    }
  }
  assert.deepEqual(upward, [], "imports that point up a layer");
});

test("the checker itself: it finds imports of every form, and ranks an upward one as such", () => {
  const src = `import { a } from "../viz/figures";\nimport type { B } from './b';\nexport { c } from "../cli/errors";\nconst d = require("../api/runs");\nimport "./side-effect";\nconst e = await import("../page/app");\nimport x from "node:fs";`;
  assert.deepEqual(relativeImports(src), ["../viz/figures", "./b", "../cli/errors", "../api/runs", "./side-effect", "../page/app"]);
  const runs = layerOf("lib/runs/jobs.ts", layers)!, viz = layerOf("lib/viz/figures.ts", layers)!;
  assert.ok(viz.rank > runs.rank, "runs/ importing viz/ would be upward");
  assert.equal(layerOf("lib/files.ts", layers)?.paths.includes("lib/*.ts"), true);
  assert.equal(layerOf("lib/index.ts", layers)?.rank, layerOf("lib/cli/program.ts", layers)?.rank);
});

test("no module in lib/runs/ starts the command line: no spawn of lib/cli.ts, no import of lib/cli/", () => {
  for (const file of tsFiles(join(LIB, "runs"))) {
    const src = readFileSync(file, "utf8");
    assert.doesNotMatch(src, /["'`][^"'`]*\bcli(\.ts|\/|["'`])/, `${relative(ROOT, file)} names the command line`);
    assert.doesNotMatch(src, /\bspawn\(|\bexecFile\(|\bexec\(/, `${relative(ROOT, file)} starts a process other than a job's worker (fork)`);
  }
});

/** The "Where the tests are" table: each row's backticked lib/ modules (`lib/x/*` for a folder's remaining modules) and test files. */
export function testMapFromDoc(markdown: string): { modules: string[]; tests: string[] }[] {
  const section = markdown.split(/^## Where the tests are$/m)[1] ?? "";
  return section
    .split("\n")
    .filter((l) => /^\|\s*`lib\//.test(l))
    .map((row) => {
      const cells = row.split("|").map((c) => c.trim());
      const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      return { modules: ticked(cells[1]), tests: ticked(cells[2]) };
    });
}

test("every module of lib/ has its tests where a contributor finds them: test/<module>.test.ts, or a row of CONTRIBUTING's 'Where the tests are'", () => {
  const rows = testMapFromDoc(readFileSync(join(ROOT, "docs", "CONTRIBUTING.md"), "utf8"));
  assert.ok(rows.length > 10, "the table is there");
  const testFiles = new Set(readdirSync(join(ROOT, "test")));
  const missing: string[] = [];
  for (const row of rows) for (const t of row.tests) if (!statOk(join(ROOT, t))) missing.push(t);
  assert.deepEqual(missing, [], "test files the table names that do not exist");
  const untested: string[] = [];
  for (const file of tsFiles(LIB)) {
    const rel = relative(ROOT, file), base = rel.split("/").pop()!.replace(/\.ts$/, "");
    const named = testFiles.has(`${base}.test.ts`) || testFiles.has(`exercise-${base}.test.ts`) || [...testFiles].some((n) => n.startsWith(`${base}.`) && n.endsWith(".test.ts"));
    const listed = rows.some((r) => r.modules.some((m) => m === rel || (m.endsWith("/*") && dirname(rel) === m.slice(0, -2))));
    if (!named && !listed) untested.push(rel);
  }
  assert.deepEqual(untested, [], "modules with neither a test file named after them nor a row in the table");
});

function statOk(path: string): boolean {
  try {
    return readFileSync(path).length > 0;
  } catch {
    return false;
  }
}
