/**
 * The browser suite's earlier front end, kept runnable but not in CI (JupyterLab, browser.ts,
 * is the tested one): classic Jupyter Notebook 6 in a real (headless) Chromium runs every
 * notebook of the course from the UI, and what a person would see is checked.
 *
 *   npx tsx test/e2e/classic.ts            every notebook in notebooks/, in course order
 *   npx tsx test/e2e/classic.ts 00 06      only notebooks whose file name contains "00" or "06"
 *   npx tsx test/e2e/classic.ts --notebooks=DIR   the notebooks of another folder (it needs a
 *                                          `lib` link to the library, as notebooks/ has)
 *
 * Needs Debian's `jupyter-notebook` (classic Notebook 6) and `chromium`, and the npm package
 * `playwright-core` (it drives /usr/bin/chromium; no browser is downloaded).
 *
 * The run: register the tslab kernel in a private Jupyter data folder (a temporary folder), start
 * `jupyter-notebook` on 127.0.0.1 with a free port, a random token and ACROBOT_DQN_SMOKE=1 (every
 * kernel inherits it, so each notebook's parameters cell picks its small budget), then for each
 * notebook: open it, wait for the kernel, Cell > Run All, wait until every cell has run and the
 * kernel is idle, and check that no cell shows an error, that each code cell got an execution
 * count, that every chart is an interactive Plotly chart, that each animation plays when its Play
 * button is clicked, and that a red check message appears only in the unsolved exercise. A
 * full-page screenshot of each notebook goes to artifacts/e2e-classic/. Then two executed notebooks (the
 * first with an animation, and the one with the most charts), saved as the page serialises them
 * (what File > Save sends) into a temporary folder, are reopened untrusted without running them:
 * their static chart pictures must show, and no script may have run. Finally the server, the
 * kernels and the browser are stopped (also on failure or a signal), no process of the run may be
 * left, and the committed notebooks must be unchanged.
 *
 * The page never saves: writes to the contents API are refused, and autosave is switched off.
 *
 * Environment: E2E_NOTEBOOK_TIMEOUT_S (default 300) per notebook, E2E_TOTAL_TIMEOUT_S (default
 * 900) for the whole suite.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { JupyterServer } from "./jupyter";
import {
  animationState,
  FULL_PAGE_CSS,
  pageState,
  readNotebookDom,
  readUntrustedDom,
  type AnimationState,
  type NotebookDom,
} from "./classic-checks";
import { claimRunFolder, cleanStaleRuns, describeProcesses, ProcessTracker } from "./processes";

const REPO = resolve(__dirname, "..", "..");
/**
 * The served folder whose notebooks run: the course's notebooks/, or another folder given with
 * --notebooks=DIR (to try the test itself on notebooks made to fail; DIR needs a `lib` link too).
 */
let NOTEBOOK_DIR = join(REPO, "notebooks");
const ARTIFACTS = join(REPO, "artifacts", "e2e-classic");
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const NOTEBOOK_TIMEOUT_MS = Number(process.env.E2E_NOTEBOOK_TIMEOUT_S ?? 300) * 1000;
const TOTAL_TIMEOUT_MS = Number(process.env.E2E_TOTAL_TIMEOUT_S ?? 900) * 1000;
const KERNEL_READY_TIMEOUT_MS = 90_000;
const CHARTS_TIMEOUT_MS = 30_000;
const ANIMATION_TIMEOUT_MS = 10_000;

const t0 = Date.now();
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (s: string) => console.log(`[${seconds(t0).padStart(6)} s] ${s}`);

interface TestResult {
  name: string;
  ok: boolean;
  seconds: number;
  /** One line: what was seen. */
  summary: string;
  problems: string[];
  notes: string[];
  /** Not run on purpose (only with a notebook filter). */
  skipped?: boolean;
}

class Failure extends Error {}

// ---------------------------------------------------------------------------------------------
// Notebooks: which, in which order, what to expect

/** Course order: by file name, but an exercise's solution before the exercise itself (06 needs the solution's model). */
export function courseOrder(names: readonly string[]): string[] {
  const key = (n: string) => {
    const solution = /-solution\.ipynb$/.test(n);
    return `${n.replace(/(-solution)?\.ipynb$/, "")}\u0000${solution ? 0 : 1}`;
  };
  return [...names].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

interface Expectations {
  /** The unsolved exercise: its check shows a red message, and nothing trains. */
  exerciseError: boolean;
  /** At least one chart. */
  charts: boolean;
  /** At least one animation (the notebook shows an episode). */
  animation: boolean;
}

function expectationsFor(file: string): Expectations {
  const nb = JSON.parse(readFileSync(file, "utf8")) as { cells: Array<{ cell_type: string; source: string | string[] }> };
  const code = nb.cells
    .filter((c) => c.cell_type === "code")
    .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source))
    .join("\n");
  const name = basename(file);
  const exerciseError = /exercise/.test(name) && !/solution/.test(name);
  return {
    exerciseError,
    charts: !exerciseError && /\b(showChart|showEpisode|liveTraining)\s*\(/.test(code),
    animation: /\bshowEpisode\s*\(/.test(code),
  };
}

/** Stderr text that is an error rather than a warning: stack frames, exceptions, TypeScript diagnostics. */
const ERROR_TEXT =
  /(^|\n)\s*at .+:\d+:\d+\)?\s*($|\n)|\b[A-Z]\w*(Error|Exception)\b|UnhandledPromiseRejection|Interrupted asynchronously|Script execution was interrupted|(^|\n)(\S.* )?\d+:\d+ - /;

// ---------------------------------------------------------------------------------------------
// The committed notebooks must come out unchanged

interface Snapshot {
  file: string;
  content: string;
  hash: string;
}
const hash = (s: string) => createHash("sha256").update(s).digest("hex");

function snapshotNotebooks(): Snapshot[] {
  return readdirSync(NOTEBOOK_DIR)
    .filter((n) => n.endsWith(".ipynb"))
    .map((n) => {
      const file = join(NOTEBOOK_DIR, n);
      const content = readFileSync(file, "utf8");
      return { file, content, hash: hash(content) };
    });
}

function hasOutputs(content: string): boolean {
  try {
    const nb = JSON.parse(content) as { cells: Array<{ outputs?: unknown[]; execution_count?: unknown }> };
    return nb.cells.some((c) => (c.outputs?.length ?? 0) > 0 || (c.execution_count !== null && c.execution_count !== undefined));
  } catch {
    return false;
  }
}

/** Problems if a committed notebook now holds outputs it did not have (then it is restored). */
function checkNotebooksUnchanged(before: readonly Snapshot[]): { problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  for (const s of before) {
    if (!existsSync(s.file)) continue;
    const now = readFileSync(s.file, "utf8");
    if (hash(now) === s.hash) continue;
    if (hasOutputs(now) && !hasOutputs(s.content)) {
      writeFileSync(s.file, s.content);
      problems.push(`${basename(s.file)} was saved with outputs during the run; restored it`);
    } else {
      notes.push(`${basename(s.file)} changed during the run without outputs (edited by someone else?); left as it is`);
    }
  }
  return { problems, notes };
}

// ---------------------------------------------------------------------------------------------
// One notebook in the browser

/** What a page reported besides its DOM: errors, failed requests, refused saves. */
class PageLog {
  pageErrors: string[] = [];
  consoleErrors: string[] = [];
  failedRequests: string[] = [];
  saves: string[] = [];

  /** Sorts what was seen into problems and notes. */
  judge(problems: string[], notes: string[]): void {
    for (const e of this.pageErrors) problems.push(`browser: uncaught ${e}`);
    for (const e of this.consoleErrors) {
      // Chart scripts log "acrobot-dqn chart: ..." when Plotly.newPlot fails.
      if (/acrobot|plotly/i.test(e)) problems.push(`browser console.error: ${e}`);
      else noteOnce(notes, `browser console.error: ${e}`);
    }
    for (const r of this.failedRequests) noteOnce(notes, `browser request failed: ${r}`);
    if (this.saves.length > 0) problems.push(`the page tried to save the notebook (refused): ${this.saves.join(", ")}`);
  }
}

/** Browser noise repeats on every page: each distinct message is noted once per run. */
const notedOnce = new Set<string>();
function noteOnce(notes: string[], text: string): void {
  const key = text.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT");
  if (notedOnce.has(key)) return;
  notedOnce.add(key);
  notes.push(`${text} (noted once per run)`);
}

async function newPage(context: BrowserContext, plog: PageLog): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on("pageerror", (e) => plog.pageErrors.push((e.stack || `${e.name}: ${e.message}` || String(e)).slice(0, 1500)));
  page.on("console", (m) => {
    // "Failed to load resource" names no URL: the requestfailed event below does.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) plog.consoleErrors.push(m.text().slice(0, 500));
  });
  page.on("requestfailed", (r) => {
    // Classic Notebook's MathJax probes a web font at about:blank, which Chromium refuses: harmless.
    if (r.url() !== "about:blank") plog.failedRequests.push(`${r.url().slice(0, 200)}: ${r.failure()?.errorText ?? "?"}`);
  });
  // The committed notebooks must never be saved with outputs: refuse every write to the contents API.
  await page.route("**/api/contents/**", async (route) => {
    const method = route.request().method();
    if (method === "GET") return route.continue();
    plog.saves.push(`${method} ${new URL(route.request().url()).pathname}`);
    return route.fulfill({ status: 403, contentType: "application/json", body: JSON.stringify({ message: "saving is disabled in the browser test" }) });
  });
  return page;
}

/** Opens a notebook and waits for the tslab kernel to be connected and idle. */
async function openNotebook(page: Page, url: string, what: string): Promise<void> {
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 });
  const end = Date.now() + KERNEL_READY_TIMEOUT_MS;
  for (;;) {
    const s = await pageState(page);
    if (s.modal) throw new Failure(`${what}: a dialog opened while the kernel started: ${s.modal}`);
    if (s.loaded && s.kernelConnected && s.indicator === "kernel_idle_icon") {
      if (s.kernelName !== "tslab") throw new Failure(`${what}: the kernel is "${s.kernelName}", not tslab`);
      // Autosave would write outputs into the committed notebook (the route above refuses it anyway).
      await page.evaluate(() => (window as Window & { Jupyter?: { notebook?: { set_autosave_interval(ms: number): void } } }).Jupyter?.notebook?.set_autosave_interval(0));
      return;
    }
    if (Date.now() > end) {
      throw new Failure(
        `${what}: the kernel was not ready within ${KERNEL_READY_TIMEOUT_MS / 1000} s (loaded ${s.loaded}, kernel ${s.kernelName}, connected ${s.kernelConnected}, indicator "${s.indicator}")`,
      );
    }
    await sleep(250);
  }
}

/** Cell > Run All from the menu bar, then wait until no cell is running and the kernel is idle. */
async function runAllFromMenu(page: Page, name: string, cellLine: (i: number) => string, deadline: number): Promise<void> {
  await page.click("#celllink");
  await page.click("#run_all_cells > a");
  const started = Date.now();
  let lastReport = Date.now();
  let quiet = 0;
  for (;;) {
    await sleep(500);
    const s = await pageState(page);
    if (s.modal) throw new Failure(`${name}: a dialog opened during Run All: ${s.modal}`);
    if (s.indicator === "kernel_dead_icon") throw new Failure(`${name}: the kernel died (cell ${s.runningCell}: ${cellLine(s.runningCell)})`);
    const running = s.prompts.some((p) => p === "*");
    quiet = !running && s.indicator === "kernel_idle_icon" ? quiet + 1 : 0;
    if (quiet >= 3) return; // 1.5 s with nothing running
    if (Date.now() > deadline) {
      const done = s.prompts.filter((p) => /^\d+$/.test(p)).length;
      throw new Failure(
        `${name}: still running after ${seconds(started)} s (${done} of ${s.prompts.length} code cells done; running: cell ${s.runningCell}: ${cellLine(s.runningCell)})`,
      );
    }
    if (Date.now() - lastReport > 20_000) {
      lastReport = Date.now();
      const done = s.prompts.filter((p) => /^\d+$/.test(p)).length;
      log(`  ${name}: ${done}/${s.prompts.length} code cells done, running cell ${s.runningCell}: ${cellLine(s.runningCell)}`);
    }
  }
}

/** Waits until every chart has become a Plotly chart (or the time is up), then reads the page. */
async function waitForCharts(page: Page): Promise<NotebookDom> {
  const end = Date.now() + CHARTS_TIMEOUT_MS;
  for (;;) {
    const dom = await readNotebookDom(page);
    const charts = dom.cells.flatMap((c) => c.charts);
    if (charts.every((c) => c.interactive) || Date.now() > end) return dom;
    await sleep(500);
  }
}

/** Clicks an animation's Play button; returns how the drawn frame changed, or throws. */
async function playAnimation(page: Page, chartId: string, label: string): Promise<string> {
  const before = await animationState(page, chartId);
  if (!before) throw new Failure(`${label}: the animation's plot is gone`);
  const play = page.locator(`[id="${chartId}"] .updatemenu-button`, { hasText: "Play" }).first();
  await play.scrollIntoViewIfNeeded();
  await play.click();
  const end = Date.now() + ANIMATION_TIMEOUT_MS;
  let after: AnimationState | null = before;
  while (Date.now() < end) {
    await sleep(300);
    after = await animationState(page, chartId);
    if (after && after.coords !== before.coords && (after.sliderActive !== before.sliderActive || before.sliderActive === null)) break;
  }
  if (!after || after.coords === before.coords) {
    throw new Failure(`${label}: clicking Play did not change the drawn frame within ${ANIMATION_TIMEOUT_MS / 1000} s`);
  }
  // Let it play on (no Pause click: Plotly rejects the interrupted animate() promise unhandled,
  // which the page reports as an "Uncaught (in promise) undefined" error).
  await sleep(700);
  const final = (await animationState(page, chartId)) ?? after;
  const slider =
    before.sliderActive !== null && final.sliderActive !== before.sliderActive
      ? `slider step ${before.sliderActive} -> ${final.sliderActive}`
      : `slider ${before.sliderActive === final.sliderActive ? "did not move" : "n/a"}`;
  return `the arm moved (${slider})`;
}

async function screenshot(page: Page, file: string): Promise<void> {
  await page.addStyleTag({ content: FULL_PAGE_CSS }).catch(() => undefined);
  await sleep(500); // Plotly's responsive charts relayout after the page resize
  await page.screenshot({ path: file, fullPage: true, timeout: 60_000 });
}

interface RunOneOutput {
  result: TestResult;
  /** Charts drawn (for choosing which notebooks to reopen untrusted). */
  charts: number;
  animations: number;
  /** The notebook as the page serialises it (what File > Save sends), when asked for. */
  savedJson: string | null;
}

async function runOne(
  context: BrowserContext,
  server: JupyterServer,
  tracker: ProcessTracker,
  file: string,
  deadline: number,
  keepJson: boolean,
): Promise<RunOneOutput> {
  const name = basename(file);
  const stem = name.replace(/\.ipynb$/, "");
  const started = Date.now();
  const problems: string[] = [];
  const notes: string[] = [];
  const plog = new PageLog();
  const expect = expectationsFor(file);
  const nbCells = (JSON.parse(readFileSync(file, "utf8")) as { cells: Array<{ source: string | string[] }> }).cells;
  const cellLine = (i: number) => {
    if (i < 0 || i >= nbCells.length) return "?";
    const src = nbCells[i].source;
    const text = Array.isArray(src) ? src.join("") : src;
    return JSON.stringify((text.split("\n").find((l) => l.trim() !== "") ?? "").trim().slice(0, 80));
  };
  let summary = "";
  let savedJson: string | null = null;
  let chartCount = 0;
  let animationCount = 0;
  let page: Page | null = null;
  try {
    page = await newPage(context, plog);
    await openNotebook(page, server.notebookUrl(name), name);
    tracker.scan(); // remember the kernel's process
    const kernelSeconds = seconds(started);
    const runStarted = Date.now();
    await runAllFromMenu(page, name, cellLine, Math.min(deadline, Date.now() + NOTEBOOK_TIMEOUT_MS));
    const runSeconds = seconds(runStarted);

    const dom = await waitForCharts(page);
    const code = dom.cells.filter((c) => c.type === "code" && !c.empty);
    for (const c of code) {
      const where = `cell ${c.index} (${JSON.stringify(c.firstLine)})`;
      if (!/^\d+$/.test(c.prompt)) problems.push(`${where} has no execution count (prompt "In [${c.prompt === "" ? " " : c.prompt}]")`);
      for (const e of c.errorOutputs) problems.push(`${where} shows an error output: ${e.slice(0, 800)}`);
      for (const e of c.stderr) {
        if (ERROR_TEXT.test(e)) problems.push(`${where} printed an error on stderr: ${e.slice(0, 800)}`);
        else notes.push(`${where} printed on stderr: ${e.slice(0, 300)}`);
      }
      // tslab prints a cell's last expression: a Promise there is an un-awaited async call.
      if (c.stdout.some((t) => /Promise \{ <pending> \}/.test(t))) {
        notes.push(`WARNING: ${where} prints "Promise { <pending> }": its last expression is an async call without await`);
      }
      if (c.redMessages.length > 0 && !expect.exerciseError) {
        problems.push(`${where} shows a red message: ${c.redMessages.join(" | ").slice(0, 500)}`);
      }
    }
    const charts = dom.cells.flatMap((c) => c.charts);
    chartCount = charts.length;
    for (const ch of charts) {
      if (!ch.interactive) {
        problems.push(
          `cell ${ch.cell} (${cellLine(ch.cell)}): chart "${ch.title || ch.id}" is not an interactive Plotly chart: ${ch.why}${ch.note ? ` (the page shows "${ch.note}")` : ""}`,
        );
      }
    }
    if (dom.strayCharts !== 0) problems.push(`${dom.strayCharts} chart(s) outside any cell`);
    if (expect.charts && charts.length === 0) problems.push("no chart was drawn");
    const red = dom.cells.flatMap((c) => c.redMessages);
    if (expect.exerciseError) {
      if (red.length === 0) problems.push("the unsolved exercise shows no red check message");
      else notes.push(`red check message shown as expected: "${red[0].slice(0, 120)}"`);
    }
    const animations = charts.filter((c) => c.frames > 0 || c.hasPlayButton);
    animationCount = animations.length;
    const played: string[] = [];
    if (expect.animation && animations.length === 0) problems.push("no animation was drawn (the notebook shows an episode)");
    for (const a of animations) {
      const label = `cell ${a.cell} (${cellLine(a.cell)}): animation "${a.title}"`;
      if (!a.interactive) continue; // already reported
      if (!a.hasPlayButton) {
        problems.push(`${label} has no Play button`);
        continue;
      }
      try {
        played.push(await playAnimation(page, a.id, label));
      } catch (e) {
        problems.push(e instanceof Error ? e.message : String(e));
      }
    }
    plog.judge(problems, notes);

    await screenshot(page, join(ARTIFACTS, `${stem}.png`));
    if (keepJson) {
      savedJson = await page.evaluate(() =>
        JSON.stringify((window as Window & { Jupyter?: { notebook?: { toJSON(): unknown } } }).Jupyter!.notebook!.toJSON(), null, 1),
      );
    }
    const interactive = charts.filter((c) => c.interactive).length;
    summary =
      `${code.filter((c) => /^\d+$/.test(c.prompt)).length}/${code.length} code cells executed (kernel ready in ${kernelSeconds} s, Run All ${runSeconds} s), ` +
      `${interactive}/${charts.length} charts interactive` +
      (animations.length > 0 ? `, ${played.length}/${animations.length} animation(s) played: ${played.join("; ")}` : "") +
      (expect.exerciseError ? `, red check message ${red.length > 0 ? "shown" : "MISSING"}` : "") +
      (savedJson !== null ? `, serialised as File > Save would send it: ${(Buffer.byteLength(savedJson) / 1024).toFixed(0)} kB` : "");
    if (savedJson !== null && Buffer.byteLength(savedJson) > 1_000_000) problems.push(`the executed notebook serialises to ${(Buffer.byteLength(savedJson) / 1024).toFixed(0)} kB, over the 1 MB bar`);
  } catch (e) {
    problems.push(e instanceof Failure ? e.message : `${name}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    plog.judge(problems, notes);
    if (page) {
      const shot = join(ARTIFACTS, `${stem}.failed.png`);
      await screenshot(page, shot).then(
        () => notes.push(`debug screenshot: ${shot}`),
        (err: unknown) => notes.push(`no debug screenshot: ${String(err)}`),
      );
    }
  } finally {
    if (page) await page.close({ runBeforeUnload: false }).catch(() => undefined);
    await server.shutdownAllKernels().catch((e: unknown) => problems.push(`shutting the kernel down: ${String(e)}`));
  }
  return {
    result: { name, ok: problems.length === 0, seconds: (Date.now() - started) / 1000, summary, problems, notes },
    charts: chartCount,
    animations: animationCount,
    savedJson,
  };
}

// ---------------------------------------------------------------------------------------------
// An executed notebook, reopened untrusted

async function untrustedCheck(context: BrowserContext, server: JupyterServer, source: string, json: string, tempDir: string): Promise<TestResult> {
  const started = Date.now();
  const stem = source.replace(/\.ipynb$/, "");
  const name = `${source}, executed and reopened untrusted`;
  const problems: string[] = [];
  const notes: string[] = [];
  const plog = new PageLog();
  let summary = "";
  let page: Page | null = null;
  try {
    // Written straight to disk, like a copy someone else saved: this server has no signature for it.
    mkdirSync(tempDir, { recursive: true });
    const rel = `${basename(tempDir)}/${stem}.executed.ipynb`;
    writeFileSync(join(NOTEBOOK_DIR, rel), json);
    const expected = (json.match(/class=\\"acrobot-static\\"/g) ?? []).length;
    if (expected === 0) throw new Failure(`${name}: the saved notebook holds no chart picture`);

    page = await newPage(context, plog);
    await page.goto(server.notebookUrl(rel), { waitUntil: "domcontentloaded", timeout: 60_000 });
    const end = Date.now() + KERNEL_READY_TIMEOUT_MS;
    for (;;) {
      const s = await pageState(page);
      if (s.modal) throw new Failure(`${name}: a dialog opened: ${s.modal}`);
      if (s.loaded && s.kernelConnected && s.indicator === "kernel_idle_icon") break;
      if (Date.now() > end) throw new Failure(`${name}: the notebook did not finish loading within ${KERNEL_READY_TIMEOUT_MS / 1000} s`);
      await sleep(250);
    }
    await sleep(1500); // would-be scripts (chart scripts retry for seconds) and image decoding get their chance
    const dom = await readUntrustedDom(page);
    if (dom.trusted) problems.push("the reopened notebook is trusted (it must not be: nobody signed it here)");
    if (!/not trusted/i.test(dom.trustText)) problems.push(`the trust indicator says "${dom.trustText}", not "Not Trusted"`);
    if (dom.plotlyOnPage) problems.push("window.Plotly exists: a script of the saved outputs ran");
    if (dom.interactivePlots > 0) problems.push(`${dom.interactivePlots} interactive plot(s) on the page: scripts ran`);
    if (dom.scriptNotes > 0) problems.push(`${dom.scriptNotes} chart note(s) on the page: chart scripts ran`);
    if (dom.scriptsInOutputs > 0) notes.push(`${dom.scriptsInOutputs} <script> element(s) left in outputs (not run)`);
    if (dom.pictures.length !== expected) problems.push(`${dom.pictures.length} static chart picture(s) on the page, ${expected} in the saved notebook`);
    for (const p of dom.pictures) {
      if (!p.visible) problems.push(`cell ${p.cell}: static picture "${p.alt}" is not visible: ${p.why}`);
    }
    plog.judge(problems, notes);
    await screenshot(page, join(ARTIFACTS, `${stem}.untrusted.png`));
    const visible = dom.pictures.filter((p) => p.visible);
    summary =
      `"${dom.trustText}", ${visible.length}/${dom.pictures.length} static chart pictures visible ` +
      `(${visible.map((p) => `${p.width}x${p.height}`).join(", ")}), no script ran (no Plotly, no interactive plot)`;
  } catch (e) {
    problems.push(e instanceof Failure ? e.message : `${name}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    plog.judge(problems, notes);
    if (page) await screenshot(page, join(ARTIFACTS, `${stem}.untrusted.failed.png`)).catch(() => undefined);
  } finally {
    if (page) await page.close({ runBeforeUnload: false }).catch(() => undefined);
    await server.shutdownAllKernels().catch((e: unknown) => problems.push(`shutting the kernel down: ${String(e)}`));
    rmSync(tempDir, { recursive: true, force: true });
  }
  return { name, ok: problems.length === 0, seconds: (Date.now() - started) / 1000, summary, problems, notes };
}

// ---------------------------------------------------------------------------------------------
// The run

function printResult(r: TestResult): void {
  const status = r.skipped ? "SKIP" : r.ok ? "PASS" : "FAIL";
  console.log(`${status} ${r.name} (${r.seconds.toFixed(1)} s)${r.summary ? `: ${r.summary}` : ""}`);
  for (const p of r.problems) console.log(`  - ${p.replace(/\n/g, "\n    ")}`);
  for (const n of r.notes) console.log(`  note: ${n.replace(/\n/g, "\n    ")}`);
}

function record(results: TestResult[], r: TestResult): void {
  results.push(r);
  printResult(r);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const dirArg = args.find((a) => a.startsWith("--notebooks="));
  if (dirArg) NOTEBOOK_DIR = resolve(dirArg.slice("--notebooks=".length));
  const filters = args.filter((a) => !a.startsWith("-"));
  const all = courseOrder(readdirSync(NOTEBOOK_DIR).filter((n) => n.endsWith(".ipynb")));
  const selected = filters.length > 0 ? all.filter((n) => filters.some((f) => n.includes(f))) : all;
  if (selected.length === 0) {
    console.error(`no notebook in ${NOTEBOOK_DIR} matches ${filters.join(" ")}`);
    return 1;
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of readdirSync(ARTIFACTS)) if (f.endsWith(".png") || f === "jupyter.log") rmSync(join(ARTIFACTS, f), { force: true });

  for (const line of await cleanStaleRuns(tmpdir(), "acrobot-e2e-")) log(`cleaned up after an earlier run: ${line}`);
  const tmpRoot = mkdtempSync(join(tmpdir(), "acrobot-e2e-"));
  claimRunFolder(tmpRoot);
  const tracker = new ProcessTracker(tmpRoot);
  // Named after the run's temporary folder, so that a later run knows when it is stale. Not
  // hidden: classic Notebook refuses to serve hidden folders.
  const tempNotebookDir = join(NOTEBOOK_DIR, `e2e-untrusted-${basename(tmpRoot).replace(/^acrobot-e2e-/, "")}`);
  for (const n of readdirSync(NOTEBOOK_DIR)) {
    const m = /^e2e-untrusted-(.+)$/.exec(n);
    if (m && !existsSync(join(tmpdir(), `acrobot-e2e-${m[1]}`))) {
      rmSync(join(NOTEBOOK_DIR, n), { recursive: true, force: true });
      log(`cleaned up after an earlier run: removed ${join(NOTEBOOK_DIR, n)}`);
    }
  }
  const checkpointsBefore = existsSync(join(NOTEBOOK_DIR, ".ipynb_checkpoints"));
  const before = snapshotNotebooks();
  const results: TestResult[] = [];
  const server = new JupyterServer({
    frontEnd: "classic",
    repo: REPO,
    notebookDir: NOTEBOOK_DIR,
    tmpRoot,
    // Runs and models in the temp folder: a test run never replaces a learner's model.
    env: { ACROBOT_DQN_SMOKE: "1", ACROBOT_DQN_RUNS: join(tmpRoot, "runs"), ACROBOT_DQN_MODELS: join(tmpRoot, "models") },
    logFile: join(ARTIFACTS, "jupyter.log"),
  });
  let context: BrowserContext | null = null;

  let cleaning: Promise<void> | null = null;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      const started = Date.now();
      const problems: string[] = [];
      const notes: string[] = [];
      if (context) await Promise.race([context.close().catch(() => undefined), sleep(15_000)]);
      await server.stop();
      // Everything should end with the server and the browser; give stragglers a moment.
      const straggling = await tracker.waitGone(5000);
      if (straggling.length > 0) {
        problems.push(`still running after the server and the browser stopped (now ended):\n${describeProcesses(straggling)}`);
        await tracker.endAll(5000);
      }
      const left = tracker.scan();
      if (left.length > 0) problems.push(`processes left behind:\n${describeProcesses(left)}`);
      // Chromium's helpers end after the browser and are reaped by init a moment later.
      const zombies = await tracker.waitZombiesReaped(10_000);
      if (zombies.length > 0) notes.push(`${zombies.length} ended Chromium helper(s) not yet reaped by init (zombies, not running)`);
      rmSync(tempNotebookDir, { recursive: true, force: true });
      if (!checkpointsBefore) rmSync(join(NOTEBOOK_DIR, ".ipynb_checkpoints"), { recursive: true, force: true });
      const unchanged = checkNotebooksUnchanged(before);
      problems.push(...unchanged.problems);
      notes.push(...unchanged.notes);
      const logFile = join(ARTIFACTS, "jupyter.log");
      if (existsSync(logFile) && /IOPub (data|message) rate exceeded/.test(readFileSync(logFile, "utf8"))) {
        problems.push("the server dropped outputs: IOPub rate exceeded (see artifacts/e2e-classic/jupyter.log)");
      }
      rmSync(tmpRoot, { recursive: true, force: true });
      record(results, {
        name: "shutdown: server, kernels and browser stopped, no process left, committed notebooks unchanged",
        ok: problems.length === 0,
        seconds: (Date.now() - started) / 1000,
        summary: "",
        problems,
        notes,
      });
    })());

  let interrupted: string | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = sig;
    console.log(`\n${sig}: stopping the server, the kernels and the browser...`);
    void cleanup().finally(() => {
      finish(results, `interrupted by ${sig}`);
      process.exit(sig === "SIGINT" ? 130 : 143);
    });
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, onSignal);
  // A closed stdout (e.g. piped into head) must not kill the run before it cleans up.
  process.stdout.on("error", () => undefined);
  const onCrash = (e: unknown) => {
    if (interrupted) return;
    interrupted = "an internal error";
    console.error("browser test: internal error:", e);
    void cleanup().finally(() => {
      finish(results, "internal error");
      process.exit(1);
    });
  };
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  // The per-notebook deadlines stop the run at TOTAL_TIMEOUT_MS; this is the backstop if something hangs.
  const backstop = setTimeout(() => {
    console.log(`\nthe suite is still running ${TOTAL_TIMEOUT_MS / 1000 + 120} s after it started: stopping`);
    results.push({ name: "time limit", ok: false, seconds: 0, summary: "", problems: [`the suite hung past ${TOTAL_TIMEOUT_MS / 1000 + 120} s`], notes: [] });
    void cleanup().finally(() => {
      finish(results, "time limit");
      process.exit(1);
    });
  }, TOTAL_TIMEOUT_MS + 120_000);
  backstop.unref();

  try {
    log(`notebooks, in order: ${selected.join(", ")}`);
    server.installKernel();
    await server.start();
    tracker.scan();
    log(`jupyter-notebook ${server.baseUrl} (log: artifacts/e2e-classic/jupyter.log), tslab kernel registered in ${server.dataDir}`);
    context = await chromium.launchPersistentContext(join(tmpRoot, "chromium-profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      // Chromium's crash handlers detach from the browser and name its config folder, not the
      // profile: with the config and cache folders in the run's folder they are found (and
      // stopped) like the rest, and nothing is written under the user's ~/.config or ~/.cache.
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
        XDG_CONFIG_HOME: join(tmpRoot, "chromium-config"),
        XDG_CACHE_HOME: join(tmpRoot, "chromium-cache"),
      },
      handleSIGINT: false, // this script stops the browser itself, before the server
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: 60_000,
    });
    tracker.scan();
    // tsx compiles page callbacks with esbuild's keepNames: give the page the helper they call.
    await context.addInitScript({ content: "window.__name = window.__name || function (f) { return f; };" });

    const deadline = t0 + TOTAL_TIMEOUT_MS;
    // Reopened untrusted: the first notebook with an animation, and the one with the most charts.
    let withAnimation: { name: string; json: string } | null = null;
    let mostCharts: { name: string; json: string; charts: number } | null = null;
    for (const name of selected) {
      if (interrupted) break;
      if (Date.now() > deadline) {
        record(results, { name, ok: false, seconds: 0, summary: "", problems: [`not run: the suite's time limit (${TOTAL_TIMEOUT_MS / 1000} s, E2E_TOTAL_TIMEOUT_S) was reached`], notes: [] });
        continue;
      }
      log(`${name}: opening`);
      const out = await runOne(context, server, tracker, join(NOTEBOOK_DIR, name), deadline, true);
      if (interrupted) {
        record(results, { ...out.result, ok: false, summary: "", problems: [`interrupted by ${interrupted}`], notes: [] });
        break;
      }
      record(results, out.result);
      if (!out.result.ok || out.savedJson === null) continue;
      if (withAnimation === null && out.animations > 0) withAnimation = { name, json: out.savedJson };
      else if (out.charts > (mostCharts?.charts ?? 0)) mostCharts = { name, json: out.savedJson, charts: out.charts };
    }
    if (!interrupted) {
      const reopen = [withAnimation, mostCharts].filter((x): x is { name: string; json: string } => x !== null);
      if (reopen.length === 0) {
        record(results, {
          name: "executed notebook reopened untrusted",
          ok: filters.length > 0,
          skipped: filters.length > 0,
          seconds: 0,
          summary: "",
          problems: filters.length > 0 ? [] : ["no notebook with charts passed, so there was none to reopen untrusted"],
          notes: filters.length > 0 ? ["none of the selected notebooks passed with a chart"] : [],
        });
      }
      for (const r of reopen) {
        if (Date.now() > deadline) break;
        log(`${r.name}: reopening the executed notebook untrusted`);
        record(results, await untrustedCheck(context, server, r.name, r.json, tempNotebookDir));
      }
    }
  } catch (e) {
    record(results, { name: "setup", ok: false, seconds: (Date.now() - t0) / 1000, summary: "", problems: [e instanceof Error ? e.message : String(e)], notes: [] });
  } finally {
    await cleanup();
  }
  if (interrupted) return new Promise<number>(() => undefined); // onSignal exits
  clearTimeout(backstop);
  return finish(results, null);
}

function finish(results: readonly TestResult[], why: string | null): number {
  const skipped = results.filter((r) => r.skipped);
  const failed = results.filter((r) => !r.ok && !r.skipped);
  const passed = results.length - skipped.length - failed.length;
  console.log("");
  console.log(`browser suite: ${results.length} checks in ${seconds(t0)} s${why ? ` (${why})` : ""}; screenshots in artifacts/e2e-classic/`);
  for (const r of failed) console.log(`  failed: ${r.name}`);
  console.log(`${passed} passed, ${failed.length} failed${skipped.length > 0 ? `, ${skipped.length} skipped` : ""}`);
  return failed.length > 0 || why !== null ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
