/**
 * `npm run dev`: nodemon re-runs this whenever a file under lib/ or test/
 * changes. It runs only the test files that import (directly or through other
 * modules) something changed since the previous run; the first run runs all.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const root = resolve(__dirname, "..");
const stamp = join(root, "node_modules", ".cache", "acrobot-dqn", "dev-stamp");

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** Relative imports of a module, resolved to .ts files. */
function importsOf(file: string): string[] {
  const src = readFileSync(file, "utf8");
  const specs = [...src.matchAll(/(?:from\s+|require\(\s*|import\(\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
  return specs.flatMap((spec) => {
    const base = resolve(dirname(file), spec);
    return [`${base}.ts`, join(base, "index.ts"), base].filter((p) => existsSync(p) && statSync(p).isFile());
  });
}

function dependsOn(file: string, changed: Set<string>, seen = new Set<string>()): boolean {
  if (changed.has(file)) return true;
  if (seen.has(file)) return false;
  seen.add(file);
  return importsOf(file).some((dep) => dependsOn(dep, changed, seen));
}

const since = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const startedAt = Date.now();
const all = [...tsFiles(join(root, "lib")), ...tsFiles(join(root, "test"))];
const changed = new Set(all.filter((f) => statSync(f).mtimeMs > since));
const tests = all.filter((f) => f.endsWith(".test.ts") && dependsOn(f, changed));

mkdirSync(dirname(stamp), { recursive: true });
writeFileSync(stamp, String(startedAt));

if (tests.length === 0) {
  console.log(`[dev] ${changed.size} file(s) changed, no test depends on them`);
} else {
  console.log(`[dev] running ${tests.length} affected test file(s): ${tests.map((t) => t.slice(root.length + 1)).join(", ")}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...tests], { stdio: "inherit", cwd: root });
  process.exitCode = r.status ?? 1;
}
