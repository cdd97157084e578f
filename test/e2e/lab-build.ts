/**
 * The JupyterLab front end of the browser suite lives in its own package (test/e2e/lab, with its
 * own lockfile, about 500 MB of node_modules): a learner's `npm install` never installs it. The
 * suite installs it with `npm ci` when it is missing or older than the lockfile, and builds it
 * (a few seconds) when the bundle is older than its sources.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

const mtime = (f: string) => (existsSync(f) ? statSync(f).mtimeMs : 0);

function run(cmd: string, args: string[], cwd: string, what: string): void {
  const r = spawnSync(cmd, args, { cwd, stdio: ["ignore", "inherit", "inherit"], timeout: 15 * 60_000 });
  if (r.status !== 0) throw new Error(`${what} failed in ${cwd} (status ${r.status}${r.error ? `, ${r.error.message}` : ""})`);
}

/** Installs and builds test/e2e/lab as needed; returns what it did, for the log. */
export function ensureLabFrontEnd(repo: string): string {
  const dir = join(repo, "test", "e2e", "lab");
  const did: string[] = [];
  const lock = join(dir, "package-lock.json");
  const installed = join(dir, "node_modules", ".package-lock.json");
  if (!existsSync(lock)) throw new Error(`${lock} is missing`);
  if (mtime(installed) < mtime(lock)) {
    run("npm", ["ci", "--no-audit", "--no-fund"], dir, "npm ci (the JupyterLab front end)");
    did.push("installed (npm ci)");
  }
  const bundle = join(dir, "build", "bundle.js");
  const sources = ["index.js", "rspack.config.js", "package.json", "package-lock.json"].map((f) => mtime(join(dir, f)));
  if (mtime(bundle) < Math.max(...sources, mtime(installed))) {
    run(process.execPath, ["build.js"], dir, "building the JupyterLab front end");
    did.push("built");
  }
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing after the build`);
  return did.length > 0 ? did.join(", ") : "up to date";
}
