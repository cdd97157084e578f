/**
 * The web page `acrobot-dqn page` writes, in a real browser: built from a
 * solved run (test/fixtures/page-run, the fast preset, seed 1), served from
 * 127.0.0.1 by a plain static server, opened in Debian's Chromium through
 * playwright-core with every request off this machine refused (the page
 * must work offline). Checks: no console error; greedy episodes play to
 * their end one after another and reach the line; the Q bars change; the
 * keyboard drives the arm; the training mode trains and draws its curve,
 * and its stop button stops it. Screenshots at a laptop's and a phone's size
 * go to artifacts/page/.
 *
 * `npm run test:page`; `npx tsx test/e2e/page.ts --time-to-bar` trains the
 * fast preset in the page until the bar and prints how long it took.
 */
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { chromium, type Page } from "playwright-core";
import type { Dynamics } from "../../lib/env/acrobot";

interface Trajectory {
  id: string; kind: string; dynamics: Dynamics; reset_seed: number | null; initial_state: number[]; initial_observation: number[];
  steps: { action: number; state: number[]; obs: number[]; reward: number; terminated: boolean; truncated: boolean }[];
}
interface Replayed { id: string; kind: string; resetExact: boolean; oneStep: number; rollout: number; obsOff: number; flagsOff: number }
/**
 * A golden trajectory on an Acrobot class, measured as test/acrobot.golden.test.ts measures it: the
 * seeded reset's state, each step from the recorded state (worst state error), and the whole rollout
 * (worst state error, observations that are not the recorded float32 values, rewards and flags that differ).
 */
// Plain JavaScript in a string: it runs inside the page (a function's own source would carry tsx's helpers).
const REPLAY = `(A, t) => {
  const env = new A({ dynamics: t.dynamics });
  const diff = (a, b) => { let m = 0; for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };
  let resetExact = true;
  if (t.reset_seed !== null) {
    env.reset({ seed: t.reset_seed });
    resetExact = Array.from(env.state).every((v, i) => v === t.initial_state[i]);
  }
  let oneStep = 0, prev = t.initial_state;
  for (const s of t.steps) {
    env.reset({ state: prev });
    env.step(s.action);
    oneStep = Math.max(oneStep, diff(env.state, s.state));
    prev = s.state;
  }
  env.reset({ state: t.initial_state });
  let rollout = 0, obsOff = 0, flagsOff = 0;
  for (const s of t.steps) {
    const r = env.step(s.action);
    rollout = Math.max(rollout, diff(env.state, s.state));
    if (Array.from(r.observation).some((v, i) => v !== Math.fround(s.obs[i]))) obsOff++;
    if (r.reward !== s.reward || r.terminated !== s.terminated || r.truncated !== s.truncated) flagsOff++;
  }
  return { id: t.id, kind: t.kind, resetExact, oneStep, rollout, obsOff, flagsOff };
}`;

const REPO = resolve(__dirname, "..", "..");
const ARTIFACTS = join(REPO, "artifacts", "page");
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm", ".bin": "application/octet-stream" };

/** A static file server for `root` on 127.0.0.1 (what any web server would do). */
function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    let file = join(root, path);
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      const body = readFileSync(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end("not found");
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => {
    const addr = server.address() as { port: number };
    ok({ server, url: `http://127.0.0.1:${addr.port}/` });
  }));
}

async function waitFor<T>(what: string, f: () => Promise<T | null | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v as T;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const text = (page: Page, id: string) => page.$eval(`#${id}`, (e) => e.textContent ?? "");

async function main(): Promise<number> {
  const timeToBar = process.argv.includes("--time-to-bar");
  const scratch = mkdtempSync(join(tmpdir(), "acrobot-dqn-page-"));
  const out = join(scratch, "page");
  const built = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "lib", "cli.ts"), "page", "--model", join(REPO, "test", "fixtures", "page-run"), "--out", out], { cwd: REPO, encoding: "utf8" });
  if (built.status !== 0) {
    console.error(`acrobot-dqn page failed (exit ${built.status}):\n${built.stdout}${built.stderr}`);
    return 1;
  }
  const { server, url } = await serve(out);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
  const results: { name: string; ok: boolean; detail: string }[] = [];
  const check = async (name: string, f: () => Promise<string | void>) => {
    try {
      const detail = (await f()) ?? "";
      results.push({ name, ok: true, detail });
      console.log(`ok    ${name}${detail ? `: ${detail}` : ""}`);
    } catch (e) {
      results.push({ name, ok: false, detail: (e as Error).message });
      console.log(`FAIL  ${name}: ${(e as Error).message}`);
    }
  };
  try {
    mkdirSync(ARTIFACTS, { recursive: true });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const offSite: string[] = [];
    await context.route("**/*", (route) => {
      const u = new URL(route.request().url());
      if (u.hostname === "127.0.0.1") return route.continue();
      offSite.push(u.href);
      return route.abort();
    });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
    page.on("pageerror", (e) => consoleErrors.push(e.message));
    await page.goto(url);

    if (timeToBar) {
      await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
      await page.click("#tab-train");
      const t0 = Date.now();
      await page.click("#train-start");
      const status = await waitFor("the bar", async () => {
        const s = await text(page, "train-status");
        return /solved|reached|failed|budget/.test(s) && !/^episode/.test(s) ? s : null;
      }, 30 * 60_000);
      console.log(`time to bar in the page: ${((Date.now() - t0) / 1000).toFixed(1)} s wall; ${status}`);
      return 0;
    }

    await check("the page loads the model and starts, with no console error", async () => {
      await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
      const facts = await text(page, "facts");
      if (!/fast/.test(facts) || !/seed 1/.test(facts)) throw new Error(`facts line: ${facts}`);
      return `${facts}; ${await text(page, "backend")}`;
    });
    await check("the page's Acrobot replays Gymnasium's golden trajectories within the golden test's tolerances", async () => {
      // The tolerances of test/acrobot.golden.test.ts (from test/golden/acrobot/README.md). Not bit for bit against Node:
      // the browser's Math.cos, exp and atan2 differ from Node's in the last bit (V8 versions differ), as Node's differ from glibc's.
      const golden = JSON.parse(readFileSync(join(REPO, "test", "golden", "acrobot", "trajectories.json"), "utf8")) as { trajectories: Trajectory[] };
      const results = await page.evaluate(
        ([src, trajectories]) => {
          const A = (window as unknown as { acrobotDqn: { Acrobot: unknown } }).acrobotDqn.Acrobot;
          const f = new Function(`return (${src});`)() as (a: unknown, t: unknown) => unknown;
          return trajectories.map((t) => f(A, t)) as Replayed[];
        },
        [REPLAY, golden.trajectories] as const,
      );
      let worstOne = 0, worstRoll = 0, tipped = 0;
      for (const r of results) {
        const rolloutTol = r.kind === "extreme" ? 1e-6 : 1e-9;
        if (!r.resetExact) throw new Error(`${r.id}: the seeded reset is not Gymnasium's initial state`);
        if (r.oneStep > 1e-12) throw new Error(`${r.id}: one-step state error ${r.oneStep} > 1e-12`);
        if (r.rollout > rolloutTol) throw new Error(`${r.id}: rollout state error ${r.rollout} > ${rolloutTol}`);
        if (r.flagsOff > 0) throw new Error(`${r.id}: ${r.flagsOff} steps with another reward or ending`);
        if (r.kind !== "extreme" && r.obsOff > 0) throw new Error(`${r.id}: ${r.obsOff} observations are not Gymnasium's float32 values`);
        worstOne = Math.max(worstOne, r.oneStep);
        worstRoll = Math.max(worstRoll, r.rollout);
        tipped += r.obsOff;
      }
      return `${results.length} trajectories; worst one-step error ${worstOne.toExponential(1)}, worst rollout error ${worstRoll.toExponential(1)}; ${tipped} float32 observations tipped (extreme starts only)`;
    });
    await check("the Q bars change as the agent plays", async () => {
      const seen = new Set<string>();
      await waitFor("10 different Q values", async () => {
        seen.add(await text(page, "q0-value"));
        return seen.size >= 10;
      }, 30_000);
      const chosen = await page.$$eval(".qbar.chosen", (els) => els.length);
      if (chosen !== 1) throw new Error(`${chosen} bars highlighted, expected 1`);
      return `${seen.size} values of Q(s, torque -1) seen`;
    });
    await check("greedy episodes play to their end, one after another, and the solved agent reaches the line", async () => {
      await page.selectOption("#speed", "1000");
      await waitFor("three finished episodes", async () => (await page.$$("#episodes li")).length >= 3, 60_000);
      const lines = await page.$$eval("#episodes li", (els) => els.map((e) => e.textContent ?? ""));
      const reached = lines.filter((l) => /reached the line/.test(l)).length;
      if (reached < 2) throw new Error(`only ${reached} of ${lines.length} episodes reached the line: ${lines.join("; ")}`);
      const mean = await text(page, "running-mean");
      if (!/over \d+ episode/.test(mean)) throw new Error(`running mean: ${mean}`);
      await page.selectOption("#speed", "1");
      await page.screenshot({ path: join(ARTIFACTS, "desktop-agent.png") });
      return `${lines.length} episodes; running mean ${mean}`;
    });
    await check("play/pause and step", async () => {
      await page.click("#play"); // pause
      const a = await text(page, "steps");
      await page.waitForTimeout(600);
      const b = await text(page, "steps");
      if (a !== b) throw new Error(`paused, yet the step count moved from ${a} to ${b}`);
      await page.click("#step");
      const c = await text(page, "steps");
      if (Number(c) !== Number(b) + 1 && Number(c) !== 1) throw new Error(`Step went from ${b} to ${c}`);
      await page.fill("#seed", "7");
      await page.click("#reset");
      if ((await text(page, "steps")) !== "0") throw new Error("reset did not start a new episode");
    });
    await check("your turn: the keyboard drives the arm", async () => {
      await page.click("#tab-you");
      await page.fill("#seed", "3");
      await page.click("#reset");
      const before = await text(page, "tip");
      await page.keyboard.down("ArrowRight");
      await waitFor("a few steps pushed right", async () => Number(await text(page, "steps")) >= 5, 10_000);
      const right = await page.evaluate(() => document.body.dataset.action);
      await page.keyboard.up("ArrowRight");
      await page.keyboard.down("ArrowLeft");
      const n = Number(await text(page, "steps"));
      await waitFor("a few steps pushed left", async () => Number(await text(page, "steps")) >= n + 5, 10_000);
      const left = await page.evaluate(() => document.body.dataset.action);
      await page.keyboard.up("ArrowLeft");
      const after = await text(page, "tip");
      if (right !== "2" || left !== "0") throw new Error(`actions while holding right / left: ${right} / ${left}, expected 2 / 0`);
      if (before === after) throw new Error("the tip did not move");
      await page.screenshot({ path: join(ARTIFACTS, "desktop-your-turn.png") });
      return `tip ${before} -> ${after}`;
    });
    await check("training mode trains, draws its curve, and stops", async () => {
      await page.click("#tab-train");
      await page.click("#train-start");
      await waitFor("5 episodes drawn", async () => Number((await page.$eval("#curve", (c) => (c as HTMLElement).dataset.points ?? "0"))) >= 5, 240_000);
      await page.screenshot({ path: join(ARTIFACTS, "desktop-train.png") });
      await page.click("#train-stop");
      const s = await waitFor("the stop", async () => {
        const t = await text(page, "train-status");
        return /stopped by request/.test(t) ? t : null;
      }, 30_000);
      return s;
    });
    await check("no console errors, no request off this machine", async () => {
      if (consoleErrors.length > 0) throw new Error(consoleErrors.slice(0, 5).join(" | "));
      if (offSite.length > 0) throw new Error(`requests off the machine: ${offSite.slice(0, 3).join(", ")}`);
    });
    await check("a phone-sized screen", async () => {
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
      const p = await phone.newPage();
      const errors: string[] = [];
      p.on("pageerror", (e) => errors.push(e.message));
      await p.goto(url);
      await p.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await p.waitForTimeout(1500);
      await p.screenshot({ path: join(ARTIFACTS, "phone-agent.png"), fullPage: true });
      await phone.close();
      if (overflow > 2) throw new Error(`the page is ${overflow} px wider than the phone's screen`);
      if (errors.length > 0) throw new Error(errors.join(" | "));
    });
  } finally {
    await browser.close();
    server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`page suite: screenshots in artifacts/page/`);
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then((code) => process.exit(code), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
