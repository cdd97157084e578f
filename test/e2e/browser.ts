/**
 * A person's path, tested: JupyterLab 4 in a real (headless) Chromium runs every notebook of the
 * course from the UI, and what a person would see is checked.
 *
 *   npx tsx test/e2e/browser.ts            every notebook in notebooks/, in course order
 *   npx tsx test/e2e/browser.ts 00 06      only notebooks whose file name contains "00" or "06"
 *   npx tsx test/e2e/browser.ts --notebooks=DIR   the notebooks of another folder (it needs a
 *                                          `lib` link to the library, as notebooks/ has)
 *
 * Needs Debian's `python3-jupyter-server`, `python3-jupyterlab-server`, `python3-ipython` and `chromium`, the npm
 * package `playwright-core` (it drives /usr/bin/chromium; no browser is downloaded) and the
 * front end in test/e2e/lab (installed with `npm ci` there and built by this script when needed).
 *
 * The run: register the tslab kernel in a private Jupyter data folder, start JupyterLab on
 * 127.0.0.1 with a free port, a random token and ACROBOT_DQN_SMOKE=1 (every kernel inherits it,
 * so each notebook's parameters cell picks its small budget). Every notebook runs in a scratch
 * copy (a folder the run makes inside the notebooks folder, with a `lib` link, and deletes):
 * open it, wait for the kernel, Run > Run All Cells from the menu, wait until every cell has run,
 * and check that no cell shows an error, that each code cell got an execution count, that every
 * chart is an interactive Plotly chart, that a live training chart was redrawn in place (one
 * output whose chart changes, never a pile), that each animation plays when its Play button is
 * clicked, and that a red check message appears only in the unsolved exercise. Then File > Save:
 * the saved file must be at most 1 MB (its size is reported). Two saved notebooks (the first
 * with an animation, the one with the most charts) are reopened, trusted (JupyterLab signed them
 * on save) and untrusted (the same file written again without a signature): every chart must be
 * interactive or show its static picture, never an empty box, and the setup cell's line must say
 * what is true on that page. In 01 and in 05's solution, the stop button is pressed during the
 * training cell, and the cells after it must then run and end ok. Screenshots go to artifacts/e2e/. Finally the server,
 * the kernels and the browser are stopped (also on failure or a signal), no process of the run
 * may be left, and the committed notebooks must be unchanged.
 *
 * The page saves only scratch copies: any other write to the contents API is refused, and
 * autosave is off.
 *
 * Environment: E2E_NOTEBOOK_TIMEOUT_S (default 300) per notebook, E2E_TOTAL_TIMEOUT_S (default
 * 1200) for the whole suite.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { JupyterServer } from "./jupyter";
import { ensureLabFrontEnd } from "./lab-build";
import {
  animationState,
  labState,
  notebookHeight,
  scrollNotebookToTop,
  readLiveTraces,
  readNotebookDom,
  startLiveRecorder,
  type ChartInfo,
  type NotebookDom,
} from "./lab-checks";
import { claimRunFolder, cleanStaleRuns, describeProcesses, ProcessTracker } from "./processes";

const REPO = resolve(__dirname, "..", "..");
let NOTEBOOK_DIR = join(REPO, "notebooks");
const ARTIFACTS = join(REPO, "artifacts", "e2e");
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
const TOTAL_TIMEOUT_MS = Number(process.env.E2E_TOTAL_TIMEOUT_S ?? 1200) * 1000;
const KERNEL_READY_TIMEOUT_MS = 90_000;
const CHARTS_TIMEOUT_MS = 30_000;
const ANIMATION_TIMEOUT_MS = 10_000;
/** The bar for a saved, fully run notebook (issue 10). */
const MAX_SAVED_BYTES = 1_000_000;
/** The notebooks whose training cell the stop button interrupts: 01's own loop, 05's training handle (solved, so it trains), 07's pool of parallel runs. */
const STOP_NOTEBOOKS = [/^01-/, /^05-.*-solution\.ipynb$/, /^07-/];

const t0 = Date.now();
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (s: string) => console.log(`[${seconds(t0).padStart(6)} s] ${s}`);
const kb = (n: number) => `${(n / 1024).toFixed(0)} kB`;

interface TestResult {
  name: string;
  ok: boolean;
  seconds: number;
  summary: string;
  problems: string[];
  notes: string[];
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
  /** The unsolved exercise: its check cell shows a red message. */
  exerciseError: boolean;
  /** The exercise's solution: its check cell shows a green message, and no cell is red. */
  exerciseOk: boolean;
  /** The cells (notebook indices) that call a `dqn.exercises.check*`: where the check's state shows. */
  checkCells: number[];
  /** Cells that may show a red message: in the unsolved exercise, those that read a check's `.ok`. */
  redAllowed: number[];
  charts: boolean;
  animation: boolean;
  live: boolean;
}

/**
 * What a notebook must show, read from its code. An exercise is a notebook whose code calls a
 * `dqn.exercises.check*`; its `-solution` twin is the solved one. Unsolved, chapters 01-03 still
 * train (they fall back to the library's function: `xInUse = check.ok ? x : dqn.exercises.library...`),
 * so their charts are expected; 05 does not train until its check passes.
 */
export function expectationsFor(file: string): Expectations {
  const cells = (JSON.parse(readFileSync(file, "utf8")) as NbJson).cells;
  const code = codeCells(file).join("\n");
  const name = basename(file);
  const checkCells = cells.flatMap((c, i) => (c.cell_type === "code" && /\bdqn\.exercises\.check\w*\s*\(/.test(sourceOf(c)) ? [i] : []));
  const exercise = checkCells.length > 0;
  const solved = /-solution\.ipynb$/.test(name);
  const exerciseError = exercise && !solved;
  const checkVars = checkCells.flatMap((i) => [...sourceOf(cells[i]).matchAll(/\b(\w+)\s*=\s*dqn\.exercises\.check/g)].map((m) => m[1]));
  const redAllowed = exerciseError ? cells.flatMap((c, i) => (c.cell_type === "code" && checkVars.some((v) => new RegExp(`\\b${v}\\.ok\\b`).test(sourceOf(c))) ? [i] : [])) : [];
  const trains = !exerciseError || /\w+InUse\s*=\s*\w+\.ok\s*\?/.test(code);
  return {
    exerciseError,
    exerciseOk: exercise && solved,
    checkCells,
    redAllowed: [...new Set([...(exerciseError ? checkCells : []), ...redAllowed])],
    charts: trains && /\b(showChart|showEpisode|liveTraining)\s*\(/.test(code),
    animation: trains && /\bshowEpisode\s*\(/.test(code),
    // A live chart: a liveTraining call that does not turn it off, or a training pool (its chart of finished runs).
    live: trains && ((code.match(/\bliveTraining\s*\(.*$/gm) ?? []).some((call) => !/chart:\s*false/.test(call)) || /\btrainingPool\s*\(/.test(code)),
  };
}

type NbJson = { cells: Array<{ cell_type: string; source: string | string[]; metadata?: { tags?: string[] } }> };
const sourceOf = (c: { source: string | string[] }) => (Array.isArray(c.source) ? c.source.join("") : c.source);
function codeCells(file: string): string[] {
  return (JSON.parse(readFileSync(file, "utf8")) as NbJson).cells.filter((c) => c.cell_type === "code").map(sourceOf);
}

/** Stderr text that is an error rather than a warning: stack frames, exceptions, TypeScript diagnostics. */
const ERROR_TEXT =
  /(^|\n)\s*at .+:\d+:\d+\)?\s*($|\n)|\b[A-Z]\w*(Error|Exception)\b|UnhandledPromiseRejection|Interrupted asynchronously|Script execution was interrupted|(^|\n)(\S.* )?\d+:\d+ - /;

// ---------------------------------------------------------------------------------------------
// The committed notebooks must come out unchanged

interface Snapshot {
  file: string;
  hash: string;
  content: string;
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

function checkNotebooksUnchanged(before: readonly Snapshot[]): string[] {
  const problems: string[] = [];
  for (const s of before) {
    if (!existsSync(s.file)) continue;
    if (hash(readFileSync(s.file, "utf8")) !== s.hash) {
      problems.push(`${basename(s.file)} changed during the run (the suite saves only scratch copies)`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// One page

class PageLog {
  pageErrors: string[] = [];
  consoleErrors: string[] = [];
  failedRequests: string[] = [];
  refusedSaves: string[] = [];

  judge(problems: string[], notes: string[]): void {
    for (const e of this.pageErrors) problems.push(`browser: uncaught ${e}`);
    for (const e of this.consoleErrors) {
      if (/acrobot|plotly/i.test(e)) problems.push(`browser console.error: ${e}`);
      else noteOnce(notes, `browser console.error: ${e}`);
    }
    for (const r of this.failedRequests) noteOnce(notes, `browser request failed: ${r}`);
    if (this.refusedSaves.length > 0) problems.push(`the page tried to write outside the scratch folder (refused): ${this.refusedSaves.join(", ")}`);
  }
}

const notedOnce = new Set<string>();
function noteOnce(notes: string[], text: string): void {
  const key = text.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT").replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "ID");
  if (notedOnce.has(key)) return;
  notedOnce.add(key);
  notes.push(`${text} (noted once per run)`);
}

/**
 * Console noise of this server pairing, not of the course: jupyter_server 1.23 has no
 * /api/events or /api/me (JupyterLab 4 asks for both and carries on).
 */
const KNOWN_NOISE = /api\/events\/subscribe|\/api\/me\b|kernelInfoTimeout|Failed to load resource/;

async function newPage(context: BrowserContext, plog: PageLog, scratchRel: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on("pageerror", (e) => plog.pageErrors.push((e.stack || `${e.name}: ${e.message}` || String(e)).slice(0, 1500)));
  page.on("console", (m) => {
    if (m.type() === "error" && !KNOWN_NOISE.test(m.text())) plog.consoleErrors.push(m.text().slice(0, 500));
  });
  page.on("requestfailed", (r) => {
    if (!KNOWN_NOISE.test(r.url())) plog.failedRequests.push(`${r.url().slice(0, 200)}: ${r.failure()?.errorText ?? "?"}`);
  });
  // Writes are allowed into the run's scratch folder only: the committed notebooks are never saved.
  await page.route("**/api/contents/**", async (route) => {
    const method = route.request().method();
    const path = decodeURIComponent(new URL(route.request().url()).pathname);
    if (method === "GET" || path.includes(`/api/contents/${scratchRel}/`)) return route.continue();
    plog.refusedSaves.push(`${method} ${path}`);
    return route.fulfill({ status: 403, contentType: "application/json", body: JSON.stringify({ message: "the browser test saves only its scratch copies" }) });
  });
  return page;
}

/** Opens a notebook and waits for the tslab kernel to be connected and idle. */
async function openNotebook(page: Page, url: string, rel: string, what: string): Promise<void> {
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 });
  // The "official Jupyter news?" toast: its answer cannot be saved on this server (see jupyter.ts).
  await page.addStyleTag({ content: ".Toastify__toast-container { display: none !important; }" });
  const end = Date.now() + KERNEL_READY_TIMEOUT_MS;
  for (;;) {
    const s = await labState(page).catch(() => null);
    if (s?.modal) throw new Failure(`${what}: a dialog opened while the kernel started: ${s.modal}`);
    if (s && s.loaded && s.path === rel && s.connection === "connected" && s.kernelStatus === "idle") {
      if (s.kernelName !== "tslab") throw new Failure(`${what}: the kernel is "${s.kernelName}", not tslab`);
      return;
    }
    if (Date.now() > end) {
      throw new Failure(
        `${what}: the kernel was not ready within ${KERNEL_READY_TIMEOUT_MS / 1000} s (${s ? `path "${s.path}", kernel ${s.kernelName}, status ${s.kernelStatus}, connection ${s.connection}` : "the application did not start"})`,
      );
    }
    await sleep(250);
  }
}

/** Clicks a main-menu item: the menu by its title, then the item by its command. */
async function menu(page: Page, title: string, command: string): Promise<void> {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: new RegExp(`^${title}$`) }).click();
  await page.locator(`.lm-Menu li[data-command="${command}"]`).click();
}

/** Waits until no cell is running or queued and the kernel is idle (1.5 s in a row). */
async function waitForRun(page: Page, name: string, cellLine: (i: number) => string, deadline: number): Promise<void> {
  const started = Date.now();
  let lastReport = Date.now();
  let quiet = 0;
  await sleep(500);
  for (;;) {
    await sleep(500);
    const s = await labState(page);
    if (s.modal) throw new Failure(`${name}: a dialog opened during the run: ${s.modal}`);
    if (s.kernelStatus === "dead") throw new Failure(`${name}: the kernel died (cell ${s.runningCell}: ${cellLine(s.runningCell)})`);
    const running = s.prompts.some((p) => p === "*");
    quiet = !running && s.kernelStatus === "idle" ? quiet + 1 : 0;
    if (quiet >= 3) return;
    if (Date.now() > deadline) {
      const done = s.prompts.filter((p) => /^\d+$/.test(p)).length;
      throw new Failure(`${name}: still running after ${seconds(started)} s (${done} of ${s.prompts.length} code cells done; running: cell ${s.runningCell}: ${cellLine(s.runningCell)})`);
    }
    if (Date.now() - lastReport > 20_000) {
      lastReport = Date.now();
      const done = s.prompts.filter((p) => /^\d+$/.test(p)).length;
      log(`  ${name}: ${done}/${s.prompts.length} code cells done, running cell ${s.runningCell}: ${cellLine(s.runningCell)}`);
    }
  }
}

async function waitForCharts(page: Page): Promise<NotebookDom> {
  const end = Date.now() + CHARTS_TIMEOUT_MS;
  for (;;) {
    const dom = await readNotebookDom(page);
    if (dom.cells.flatMap((c) => c.charts).every((c) => c.interactive) || Date.now() > end) return dom;
    await sleep(500);
  }
}

async function playAnimation(page: Page, chartId: string, label: string): Promise<string> {
  const before = await animationState(page, chartId);
  if (!before) throw new Failure(`${label}: the animation's plot is gone`);
  const play = page.locator(`[id="${chartId}"] .updatemenu-button`, { hasText: "Play" }).first();
  await play.scrollIntoViewIfNeeded();
  await play.click();
  const end = Date.now() + ANIMATION_TIMEOUT_MS;
  let after = before;
  while (Date.now() < end) {
    await sleep(300);
    after = (await animationState(page, chartId)) ?? after;
    if (after.coords !== before.coords) break;
  }
  if (after.coords === before.coords) throw new Failure(`${label}: clicking Play did not change the drawn frame within ${ANIMATION_TIMEOUT_MS / 1000} s`);
  await sleep(700); // let it play on (a Pause click makes Plotly reject the animate() promise unhandled)
  const final = (await animationState(page, chartId)) ?? after;
  return `the arm moved (slider ${before.sliderActive} -> ${final.sliderActive})`;
}

/** A screenshot of the whole notebook: the viewport made as tall as the notebook, then restored. */
async function screenshot(page: Page, file: string): Promise<void> {
  const height = Math.min(16_000, Math.max(900, (await notebookHeight(page).catch(() => 0)) + 200));
  await page.setViewportSize({ width: 1280, height });
  await scrollNotebookToTop(page);
  await sleep(800); // Plotly's responsive charts relayout after the resize
  await page.screenshot({ path: file, timeout: 60_000 });
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** File > Save, then waits until the model is clean; returns the saved file's size. */
async function saveFromMenu(page: Page, file: string, what: string): Promise<number> {
  const before = existsSync(file) ? statSync(file).mtimeMs : 0;
  await menu(page, "File", "docmanager:save");
  const end = Date.now() + 60_000;
  for (;;) {
    await sleep(300);
    const s = await labState(page);
    if (s.modal) throw new Failure(`${what}: a dialog opened on File > Save: ${s.modal}`);
    if (!s.dirty && existsSync(file) && statSync(file).mtimeMs > before) return statSync(file).size;
    if (Date.now() > end) throw new Failure(`${what}: File > Save did not finish within 60 s (dirty ${s.dirty})`);
  }
}

// ---------------------------------------------------------------------------------------------
// A scratch folder inside the served folder: copies run and are saved there, never the originals

interface Scratch {
  dir: string;
  /** Its path relative to the served folder. */
  rel: string;
}

function makeScratch(tmpRoot: string): Scratch {
  // Named after the run's temporary folder, so a later run knows when it is stale.
  const rel = `e2e-scratch-${basename(tmpRoot).replace(/^acrobot-e2e-/, "")}`;
  const dir = join(NOTEBOOK_DIR, rel);
  mkdirSync(dir);
  // tslab resolves `./lib` from the notebook's folder, and the library's packages from there up.
  symlinkSync("../lib", join(dir, "lib"));
  return { dir, rel };
}

function cleanStaleScratch(): void {
  for (const n of readdirSync(NOTEBOOK_DIR)) {
    const m = /^e2e-(?:scratch|untrusted)-(.+)$/.exec(n);
    if (m && !existsSync(join(tmpdir(), `acrobot-e2e-${m[1]}`))) {
      rmSync(join(NOTEBOOK_DIR, n), { recursive: true, force: true });
      log(`cleaned up after an earlier run: removed ${join(NOTEBOOK_DIR, n)}`);
    }
  }
}

/** Copies a notebook into the scratch folder, editing its code cells' sources if asked. */
function copyToScratch(scratch: Scratch, name: string, newName: string, edit?: (src: string) => string): string {
  const nb = JSON.parse(readFileSync(join(NOTEBOOK_DIR, name), "utf8")) as NbJson;
  if (edit) for (const c of nb.cells) if (c.cell_type === "code") c.source = edit(sourceOf(c));
  writeFileSync(join(scratch.dir, newName), JSON.stringify(nb, null, 1));
  return `${scratch.rel}/${newName}`;
}

// ---------------------------------------------------------------------------------------------
// One notebook: Run All, check, save

interface RunOneOutput {
  result: TestResult;
  charts: number;
  animations: number;
  /** The saved copy (relative to the served folder) and its size, when saved. */
  saved: { rel: string; bytes: number } | null;
}

function cellLineOf(file: string): (i: number) => string {
  const cells = (JSON.parse(readFileSync(file, "utf8")) as NbJson).cells;
  return (i: number) => {
    if (i < 0 || i >= cells.length) return "?";
    return JSON.stringify((sourceOf(cells[i]).split("\n").find((l) => l.trim() !== "") ?? "").trim().slice(0, 80));
  };
}

function checkCells(dom: NotebookDom, expect: Expectations, problems: string[], notes: string[]): void {
  for (const c of dom.cells.filter((x) => x.type === "code" && !x.empty)) {
    const where = `cell ${c.index} (${JSON.stringify(c.firstLine)})`;
    if (!/^\d+$/.test(c.prompt)) problems.push(`${where} has no execution count (prompt "[${c.prompt === "" ? " " : c.prompt}]")`);
    for (const e of c.errorOutputs) problems.push(`${where} shows an error output: ${e.slice(0, 800)}`);
    for (const e of c.stderr) {
      if (ERROR_TEXT.test(e)) problems.push(`${where} printed an error on stderr: ${e.slice(0, 800)}`);
      else notes.push(`${where} printed on stderr: ${e.slice(0, 300)}`);
    }
    if (c.stdout.some((t) => /Promise \{ <pending> \}/.test(t))) {
      notes.push(`WARNING: ${where} prints "Promise { <pending> }": its last expression is an async call without await`);
    }
    if (c.redMessages.length > 0 && !expect.redAllowed.includes(c.index)) problems.push(`${where} shows a red message: ${c.redMessages.join(" | ").slice(0, 500)}`);
  }
}

async function runOne(context: BrowserContext, server: JupyterServer, tracker: ProcessTracker, scratch: Scratch, name: string, deadline: number): Promise<RunOneOutput> {
  const file = join(NOTEBOOK_DIR, name);
  const started = Date.now();
  const problems: string[] = [];
  const notes: string[] = [];
  const plog = new PageLog();
  const expect = expectationsFor(file);
  const cellLine = cellLineOf(file);
  let summary = "";
  let chartCount = 0;
  let animationCount = 0;
  let saved: RunOneOutput["saved"] = null;
  let page: Page | null = null;
  const rel = copyToScratch(scratch, name, name);
  try {
    page = await newPage(context, plog, scratch.rel);
    await openNotebook(page, server.notebookUrl(rel), rel, name);
    tracker.scan();
    const kernelSeconds = seconds(started);
    await startLiveRecorder(page);
    const runStarted = Date.now();
    await menu(page, "Run", "runmenu:run-all");
    await waitForRun(page, name, cellLine, Math.min(deadline, Date.now() + NOTEBOOK_TIMEOUT_MS));
    const runSeconds = seconds(runStarted);

    const dom = await waitForCharts(page);
    checkCells(dom, expect, problems, notes);
    const setup = dom.cells.find((c) => c.plotlyStatus !== null);
    if (!setup) problems.push("no setup cell shows the plotly.js status line");
    else if (!/loaded: charts below are interactive/.test(setup.plotlyStatus ?? "")) problems.push(`the setup cell says "${setup.plotlyStatus}" while plotly.js should be on the page`);
    if (!dom.plotlyOnPage) problems.push("plotly.js is not on the page after the setup cell ran");

    const charts = dom.cells.flatMap((c) => c.charts);
    chartCount = charts.length;
    for (const ch of charts) {
      if (!ch.interactive) problems.push(`cell ${ch.cell} (${cellLine(ch.cell)}): chart "${ch.title || ch.id}" is not an interactive Plotly chart: ${ch.why}${ch.note ? ` (the page shows "${ch.note}")` : ""}`);
    }
    if (dom.strayCharts !== 0) problems.push(`${dom.strayCharts} chart(s) outside any cell`);
    if (expect.charts && charts.length === 0) problems.push("no chart was drawn");
    // The exercise checks' own cells: red while unsolved, green (and never red) in the solution.
    const checks = dom.cells.filter((c) => expect.checkCells.includes(c.index));
    if (checks.length !== expect.checkCells.length) problems.push(`${expect.checkCells.length} exercise check cell(s) in the notebook, ${checks.length} on the page`);
    const red = checks.flatMap((c) => c.redMessages);
    const green = checks.flatMap((c) => c.greenMessages);
    for (const c of checks) {
      const where = `cell ${c.index} (${JSON.stringify(c.firstLine)})`;
      if (expect.exerciseError && c.redMessages.length === 0) problems.push(`${where}: the unsolved exercise's check shows no red message${c.greenMessages.length > 0 ? ` (it is green: "${c.greenMessages[0].slice(0, 120)}")` : ""}`);
      if (expect.exerciseError && c.greenMessages.length > 0) problems.push(`${where}: the unsolved exercise's check shows a green message: "${c.greenMessages[0].slice(0, 120)}"`);
      if (expect.exerciseOk && c.greenMessages.length === 0) problems.push(`${where}: the solution's check shows no green message`);
    }
    if (expect.exerciseError && red.length > 0) notes.push(`red check message shown as expected: "${red[0].slice(0, 120)}"`);

    // The live training display: one chart output, redrawn in place.
    const live = await readLiveTraces(page);
    const liveText: string[] = [];
    if (expect.live && live.length === 0) problems.push("no live training display was seen");
    for (const t of live) {
      const label = `cell ${t.cell} (${cellLine(t.cell)}): live training chart`;
      if (t.maxSameDisplay > 1) problems.push(`${label}: ${t.maxSameDisplay} charts of one live display shown at once (they pile up instead of being redrawn in place)`);
      const redraws = t.slots.reduce((n, slot) => n + slot.length - 1, 0);
      const never = t.slots.filter((slot) => slot.length < 2);
      if (never.length > 0) problems.push(`${label}: ${never.length} of ${t.slots.length} live chart(s) never redrawn in place (${never.map((x) => x.join(" -> ")).join("; ")})`);
      liveText.push(`${t.slots.length} live chart(s), ${redraws} in-place redraw(s), ${t.statusLines} status line(s)`);
    }

    const animations = charts.filter((c) => c.frames > 0 || c.hasPlayButton);
    animationCount = animations.length;
    const played: string[] = [];
    if (expect.animation && animations.length === 0) problems.push("no animation was drawn (the notebook shows an episode)");
    for (const a of animations) {
      const label = `cell ${a.cell} (${cellLine(a.cell)}): animation "${a.title}"`;
      if (!a.interactive) continue;
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
    await screenshot(page, join(ARTIFACTS, `${name.replace(/\.ipynb$/, "")}.png`));

    const bytes = await saveFromMenu(page, join(scratch.dir, name), name);
    saved = { rel, bytes };
    if (bytes > MAX_SAVED_BYTES) problems.push(`saved with File > Save it is ${kb(bytes)}, over the 1 MB bar`);
    plog.judge(problems, notes);

    const interactive = charts.filter((c) => c.interactive).length;
    const code = dom.cells.filter((c) => c.type === "code" && !c.empty);
    summary =
      `${code.filter((c) => /^\d+$/.test(c.prompt)).length}/${code.length} code cells executed (kernel ready in ${kernelSeconds} s, Run All ${runSeconds} s), ` +
      `${interactive}/${charts.length} charts interactive` +
      (liveText.length > 0 ? `, live: ${liveText.join("; ")}` : "") +
      (animations.length > 0 ? `, ${played.length}/${animations.length} animation(s) played: ${played.join("; ")}` : "") +
      (expect.exerciseError ? `, red check message ${red.length > 0 ? "shown" : "MISSING"}` : "") +
      (expect.exerciseOk ? `, green check message ${green.length > 0 ? "shown" : "MISSING"}` : "") +
      `, saved ${kb(bytes)}`;
  } catch (e) {
    problems.push(e instanceof Failure ? e.message : `${name}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    plog.judge(problems, notes);
    if (page) {
      const shot = join(ARTIFACTS, `${name.replace(/\.ipynb$/, "")}.failed.png`);
      await screenshot(page, shot).then(
        () => notes.push(`debug screenshot: ${shot}`),
        (err: unknown) => notes.push(`no debug screenshot: ${String(err)}`),
      );
    }
  } finally {
    if (page) await page.close({ runBeforeUnload: false }).catch(() => undefined);
    await server.shutdownAllKernels().catch((e: unknown) => problems.push(`shutting the kernel down: ${String(e)}`));
  }
  return { result: { name, ok: problems.length === 0, seconds: (Date.now() - started) / 1000, summary, problems, notes }, charts: chartCount, animations: animationCount, saved };
}

// ---------------------------------------------------------------------------------------------
// A saved notebook, reopened trusted and untrusted

const STATUS_SAVED = /was sent to the page when this cell ran; it is not saved with the notebook/;
const STATUS_MISSING = /plotly\.js is not on this page .*static pictures/;

async function reopenCheck(context: BrowserContext, server: JupyterServer, scratch: Scratch, source: string, savedRel: string, trusted: boolean): Promise<TestResult> {
  const started = Date.now();
  const stem = source.replace(/\.ipynb$/, "");
  const name = `${source}, saved and reopened ${trusted ? "trusted" : "untrusted"}`;
  const problems: string[] = [];
  const notes: string[] = [];
  const plog = new PageLog();
  let summary = "";
  let page: Page | null = null;
  try {
    let rel = savedRel;
    if (!trusted) {
      // A copy as it reaches someone else: this server's notary knows the digest of the saved
      // content, so the copy differs by one metadata field (as any edit elsewhere would).
      rel = `${scratch.rel}/${stem}.untrusted.ipynb`;
      const nb = JSON.parse(readFileSync(join(NOTEBOOK_DIR, savedRel), "utf8")) as { metadata: Record<string, unknown> };
      nb.metadata.acrobot_e2e_copy = "reopened untrusted by the browser suite";
      writeFileSync(join(NOTEBOOK_DIR, rel), JSON.stringify(nb, null, 1));
    }
    const json = readFileSync(join(NOTEBOOK_DIR, rel), "utf8");
    const expected = (json.match(/class=\\"acrobot-chart\\"/g) ?? []).length;
    if (expected === 0) throw new Failure(`${name}: the saved notebook holds no chart`);
    page = await newPage(context, plog, scratch.rel);
    await openNotebook(page, server.notebookUrl(rel), rel, name);
    await sleep(2500); // chart scripts (when they run) retry for a while; pictures decode
    const dom = await readNotebookDom(page);
    const code = dom.cells.filter((c) => c.type === "code" && !c.empty);
    const trustedCells = code.filter((c) => c.trusted).length;
    if (trusted && trustedCells !== code.length) problems.push(`${trustedCells}/${code.length} code cells trusted after reopening a notebook this server signed on save`);
    if (!trusted && trustedCells > 0) problems.push(`${trustedCells} code cell(s) trusted in a notebook nobody signed here`);
    const charts: ChartInfo[] = dom.cells.flatMap((c) => c.charts);
    if (charts.length !== expected) problems.push(`${charts.length} chart(s) on the page, ${expected} in the saved notebook`);
    for (const ch of charts) {
      if (!ch.interactive && !ch.pictureVisible) problems.push(`cell ${ch.cell}: chart "${ch.title}" is neither interactive (${ch.why}) nor shows its picture (${ch.pictureWhy})`);
    }
    const status = dom.cells.find((c) => c.plotlyStatus !== null)?.plotlyStatus ?? null;
    if (status === null) problems.push("the setup cell's plotly.js line is missing");
    if (dom.plotlyOnPage) problems.push("plotly.js is on the page: the saved notebook still carries the bundle");
    if (trusted) {
      // Scripts run: each chart notes it is a picture, and the setup line says plotly.js is missing.
      if (status !== null && !STATUS_MISSING.test(status)) problems.push(`the setup cell says "${status}" on a page without plotly.js`);
      const noted = charts.filter((c) => c.note !== null).length;
      if (noted !== charts.filter((c) => !c.interactive).length) problems.push(`${noted} of ${charts.length} static charts say they are pictures`);
    } else {
      if (status !== null && !STATUS_SAVED.test(status)) problems.push(`the setup cell says "${status}", not the saved notebook's text`);
      if (charts.some((c) => c.note !== null)) problems.push("a chart note is on the page: a script of the untrusted outputs ran");
      if (dom.scriptsInOutputs > 0) problems.push(`${dom.scriptsInOutputs} <script> element(s) left in untrusted outputs`);
    }
    plog.judge(problems, notes);
    await screenshot(page, join(ARTIFACTS, `${stem}.reopened-${trusted ? "trusted" : "untrusted"}.png`));
    const pictures = charts.filter((c) => c.pictureVisible).length;
    summary = `${trustedCells}/${code.length} cells trusted, ${pictures}/${charts.length} charts show their static picture, setup line: "${(status ?? "").slice(0, 90)}..."`;
  } catch (e) {
    problems.push(e instanceof Failure ? e.message : `${name}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    plog.judge(problems, notes);
    if (page) await screenshot(page, join(ARTIFACTS, `${stem}.reopened-${trusted ? "trusted" : "untrusted"}.failed.png`)).catch(() => undefined);
  } finally {
    if (page) await page.close({ runBeforeUnload: false }).catch(() => undefined);
    await server.shutdownAllKernels().catch((e: unknown) => problems.push(`shutting the kernel down: ${String(e)}`));
  }
  return { name, ok: problems.length === 0, seconds: (Date.now() - started) / 1000, summary, problems, notes };
}

// ---------------------------------------------------------------------------------------------
// The stop button during a training cell

/**
 * 01 with a long training budget (its parameters cell edited in a scratch copy): Run All, press
 * the toolbar's stop button once the live status line shows episodes, then Run > Run Selected
 * Cell and All Below from the cell after the training cell. The training must stop (its status
 * line stops changing) and every following cell must end ok.
 */
async function stopCheck(context: BrowserContext, server: JupyterServer, scratch: Scratch, name: string, deadline: number): Promise<TestResult> {
  const started = Date.now();
  const title = `${name}: stop button during the training cell, then the cells after it`;
  const problems: string[] = [];
  const notes: string[] = [];
  const plog = new PageLog();
  let summary = "";
  let page: Page | null = null;
  const stem = name.replace(/\.ipynb$/, "");
  try {
    const long = `${stem}.stop.ipynb`;
    // The budget, whichever the notebook has (episodes in 01-03, environment steps in 05, the full budgets in 07), made long.
    const rel = copyToScratch(scratch, name, long, (src) =>
      /const (EPISODES|STEPS) = /.test(src)
        ? src.replace(/const EPISODES = [^;\n]+;/, "const EPISODES = 1000;").replace(/const STEPS = [^;\n]+;/, "const STEPS = 1_000_000;")
        : src.replace(/const SMOKE = [^;\n]+;/, "const SMOKE = false;"),
    );
    if (!/const (EPISODES = 1000|STEPS = 1_000_000|SMOKE = false);/.test(readFileSync(join(scratch.dir, long), "utf8"))) {
      throw new Failure(`${title}: ${name} has no "const EPISODES = ...;", "const STEPS = ...;" or "const SMOKE = ...;" to lengthen`);
    }
    const cells = (JSON.parse(readFileSync(join(scratch.dir, long), "utf8")) as NbJson).cells;
    const training = cells.findIndex((c) => c.cell_type === "code" && (c.metadata?.tags ?? []).includes("training"));
    if (training < 0) throw new Failure(`${title}: no cell tagged "training" in ${name}`);
    const cellLine = cellLineOf(join(scratch.dir, long));
    page = await newPage(context, plog, scratch.rel);
    await openNotebook(page, server.notebookUrl(rel), rel, title);
    tracker?.scan();
    await menu(page, "Run", "runmenu:run-all");
    // Wait for episodes in the training cell's status line.
    const end = Math.min(deadline, Date.now() + 120_000);
    for (;;) {
      await sleep(500);
      const text = await trainingStatus(page, training);
      if (/(^|: )episode \d+/.test(text)) break;
      if (Date.now() > end) throw new Failure(`${title}: the training cell showed no episode within 120 s (status "${text}")`);
    }
    const atStop = await trainingStatus(page, training);
    await page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="interrupt"] jp-button, .jp-NotebookPanel-toolbar [data-jp-item-name="interrupt"] button').first().click();
    const stopped = Date.now();
    await waitForRun(page, title, cellLine, Math.min(deadline, Date.now() + 60_000));
    const stopSeconds = seconds(stopped);
    // The training must really have stopped: within 20 s its status lines stop changing for 3 s
    // (07's runs are separate processes: each says "stopping", then "interrupted" once saved).
    let after1 = await trainingStatus(page, training), after2 = after1;
    for (const settle = Date.now() + 20_000; ; after1 = after2) {
      await sleep(3000);
      after2 = await trainingStatus(page, training);
      if (after1 === after2) break;
      if (Date.now() > settle) {
        problems.push(`the training goes on after the stop: its status changed from "${after1}" to "${after2}" 20 s later`);
        break;
      }
    }
    // A pool's runs must each have ended (saved as interrupted), not hang in "stopping".
    const unfinished = after2.split("\n").filter((l) => /: (stopping: |started$|waiting for |episode \d+ \|)/.test(l));
    if (unfinished.length > 0) problems.push(`after the stop, runs never ended: ${unfinished.join(" | ").slice(0, 500)}`);
    // Run the rest from the cell after the training cell.
    await page.evaluate((i: number) => {
      const panel = (window as unknown as { jupyterapp: { shell: { currentWidget: { content: { activeCellIndex: number } } } } }).jupyterapp.shell.currentWidget;
      panel.content.activeCellIndex = i;
    }, training + 1);
    await menu(page, "Run", "notebook:run-all-below");
    await waitForRun(page, title, cellLine, Math.min(deadline, Date.now() + NOTEBOOK_TIMEOUT_MS));
    const dom = await readNotebookDom(page);
    const after = dom.cells.filter((c) => c.index > training && c.type === "code" && !c.empty);
    const sub: string[] = [];
    checkCells({ ...dom, cells: after }, { exerciseError: false, exerciseOk: false, checkCells: [], redAllowed: [], charts: false, animation: false, live: false }, sub, notes);
    problems.push(...sub);
    const trainCell = dom.cells[training];
    // tslab abandons the awaited cell on an interrupt and says so on stderr ("Interrupted
    // asynchronously", docs/DESIGN.md "Stopping a cell"): expected in the training cell itself, and
    // reported as it is, with the status line the stopped training left.
    const firstLine = (t: string) => t.trim().split("\n")[0].slice(0, 120);
    const shown = [...trainCell.errorOutputs, ...trainCell.stderr].map(firstLine);
    for (const e of [...trainCell.errorOutputs, ...trainCell.stderr]) {
      if (!/Interrupted asynchronously/.test(e) && ERROR_TEXT.test(e)) problems.push(`the training cell shows an error besides tslab's interruption: ${e.slice(0, 500)}`);
    }
    notes.push(`training cell after the stop: ${trainCell.outputs} outputs, status "${after2.slice(-80)}", error text: ${shown.join(" | ") || "none"}`);
    plog.judge(problems, notes);
    await screenshot(page, join(ARTIFACTS, `${stem}.stopped.png`));
    const failing = new Set(sub.map((p) => /^cell (\d+)/.exec(p)?.[1]));
    summary = `stopped at "${atStop.slice(0, 60)}", cell ended ${stopSeconds} s after the click, ${after.filter((c) => !failing.has(String(c.index))).length}/${after.length} following cells ok`;
  } catch (e) {
    problems.push(e instanceof Failure ? e.message : `${title}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    plog.judge(problems, notes);
    if (page) await screenshot(page, join(ARTIFACTS, `${stem}.stopped.failed.png`)).catch(() => undefined);
  } finally {
    if (page) await page.close({ runBeforeUnload: false }).catch(() => undefined);
    await server.shutdownAllKernels().catch((e: unknown) => problems.push(`shutting the kernel down: ${String(e)}`));
  }
  return { name: title, ok: problems.length === 0, seconds: (Date.now() - started) / 1000, summary, problems, notes };
}

let tracker: ProcessTracker | null = null;

async function trainingStatus(page: Page, cell: number): Promise<string> {
  return page.evaluate((i: number) => {
    const panel = (window as unknown as { jupyterapp: { shell: { currentWidget: { content: { widgets: Array<{ node: HTMLElement }> } } } } }).jupyterapp.shell.currentWidget;
    const outs = Array.from(panel.content.widgets[i]?.node.querySelectorAll(".jp-OutputArea-output") ?? []);
    // One status line (01, 05), or one per run, each after the run's name (07's pool).
    const status = /^(?:[^\n]{1,100}?: )?(training: |episode \d+ \||stopping: |started$|waiting for |interrupted, |solved, |unsolved, |skipped |failed )/;
    return outs.map((o) => (o.textContent ?? "").trim()).filter((t) => status.test(t)).join("\n");
  }, cell);
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

  log(`JupyterLab front end (test/e2e/lab): ${ensureLabFrontEnd(REPO)}`);
  for (const line of await cleanStaleRuns(tmpdir(), "acrobot-e2e-")) log(`cleaned up after an earlier run: ${line}`);
  cleanStaleScratch();
  const tmpRoot = mkdtempSync(join(tmpdir(), "acrobot-e2e-"));
  claimRunFolder(tmpRoot);
  tracker = new ProcessTracker(tmpRoot);
  const checkpointsBefore = existsSync(join(NOTEBOOK_DIR, ".ipynb_checkpoints"));
  const before = snapshotNotebooks();
  const scratch = makeScratch(tmpRoot);
  const results: TestResult[] = [];
  const server = new JupyterServer({
    frontEnd: "lab",
    repo: REPO,
    notebookDir: NOTEBOOK_DIR,
    tmpRoot,
    env: { ACROBOT_DQN_SMOKE: "1", ACROBOT_DQN_RUNS: join(tmpRoot, "runs"), ACROBOT_DQN_MODELS: join(tmpRoot, "models") },
    logFile: join(ARTIFACTS, "jupyter.log"),
  });
  let context: BrowserContext | null = null;
  const sizes: string[] = [];

  let cleaning: Promise<void> | null = null;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      const started = Date.now();
      const problems: string[] = [];
      const notes: string[] = [];
      if (context) await Promise.race([context.close().catch(() => undefined), sleep(15_000)]);
      await server.stop();
      const straggling = await tracker!.waitGone(5000);
      if (straggling.length > 0) {
        problems.push(`still running after the server and the browser stopped (now ended):\n${describeProcesses(straggling)}`);
        await tracker!.endAll(5000);
      }
      const left = tracker!.scan();
      if (left.length > 0) problems.push(`processes left behind:\n${describeProcesses(left)}`);
      const zombies = await tracker!.waitZombiesReaped(10_000);
      if (zombies.length > 0) notes.push(`${zombies.length} ended Chromium helper(s) not yet reaped by init (zombies, not running)`);
      rmSync(scratch.dir, { recursive: true, force: true });
      if (!checkpointsBefore) rmSync(join(NOTEBOOK_DIR, ".ipynb_checkpoints"), { recursive: true, force: true });
      problems.push(...checkNotebooksUnchanged(before));
      const logFile = join(ARTIFACTS, "jupyter.log");
      if (existsSync(logFile) && /IOPub (data|message) rate exceeded/.test(readFileSync(logFile, "utf8"))) {
        problems.push("the server dropped outputs: IOPub rate exceeded (see artifacts/e2e/jupyter.log)");
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
      finish(results, `interrupted by ${sig}`, sizes);
      process.exit(sig === "SIGINT" ? 130 : 143);
    });
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, onSignal);
  process.stdout.on("error", () => undefined);
  const onCrash = (e: unknown) => {
    if (interrupted) return;
    interrupted = "an internal error";
    console.error("browser test: internal error:", e);
    void cleanup().finally(() => {
      finish(results, "internal error", sizes);
      process.exit(1);
    });
  };
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  const backstop = setTimeout(() => {
    console.log(`\nthe suite is still running ${TOTAL_TIMEOUT_MS / 1000 + 120} s after it started: stopping`);
    results.push({ name: "time limit", ok: false, seconds: 0, summary: "", problems: [`the suite hung past ${TOTAL_TIMEOUT_MS / 1000 + 120} s`], notes: [] });
    void cleanup().finally(() => {
      finish(results, "time limit", sizes);
      process.exit(1);
    });
  }, TOTAL_TIMEOUT_MS + 120_000);
  backstop.unref();

  try {
    log(`notebooks, in order: ${selected.join(", ")}`);
    server.installKernel();
    await server.start();
    tracker.scan();
    log(`JupyterLab ${server.baseUrl} (log: artifacts/e2e/jupyter.log), tslab kernel registered in ${server.dataDir}`);
    context = await chromium.launchPersistentContext(join(tmpRoot, "chromium-profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
        XDG_CONFIG_HOME: join(tmpRoot, "chromium-config"),
        XDG_CACHE_HOME: join(tmpRoot, "chromium-cache"),
      },
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: 60_000,
    });
    tracker.scan();
    await context.addInitScript({ content: "window.__name = window.__name || function (f) { return f; };" });

    const deadline = t0 + TOTAL_TIMEOUT_MS;
    let withAnimation: { name: string; rel: string } | null = null;
    let mostCharts: { name: string; rel: string; charts: number } | null = null;
    for (const name of selected) {
      if (interrupted) break;
      if (Date.now() > deadline) {
        record(results, { name, ok: false, seconds: 0, summary: "", problems: [`not run: the suite's time limit (${TOTAL_TIMEOUT_MS / 1000} s, E2E_TOTAL_TIMEOUT_S) was reached`], notes: [] });
        continue;
      }
      log(`${name}: opening a scratch copy`);
      const out = await runOne(context, server, tracker, scratch, name, deadline);
      if (interrupted) break;
      record(results, out.result);
      if (out.saved) sizes.push(`${name} ${kb(out.saved.bytes)}`);
      if (!out.result.ok || out.saved === null) continue;
      if (withAnimation === null && out.animations > 0) withAnimation = { name, rel: out.saved.rel };
      else if (out.charts > (mostCharts?.charts ?? 0)) mostCharts = { name, rel: out.saved.rel, charts: out.charts };
    }
    if (!interrupted) {
      const reopen = [withAnimation, mostCharts].filter((x): x is { name: string; rel: string } => x !== null);
      if (reopen.length === 0 && filters.length === 0) {
        record(results, { name: "saved notebook reopened", ok: false, seconds: 0, summary: "", problems: ["no notebook with charts passed, so there was none to reopen"], notes: [] });
      }
      for (const r of reopen) {
        for (const trusted of [true, false]) {
          if (Date.now() > deadline) break;
          log(`${r.name}: reopening the saved copy ${trusted ? "trusted" : "untrusted"}`);
          record(results, await reopenCheck(context, server, scratch, r.name, r.rel, trusted));
        }
      }
      for (const pattern of STOP_NOTEBOOKS) {
        const stopIn = selected.find((n) => pattern.test(n));
        if (!stopIn || Date.now() > deadline) continue;
        log(`${stopIn}: pressing stop during the training cell`);
        record(results, await stopCheck(context, server, scratch, stopIn, deadline));
      }
    }
  } catch (e) {
    record(results, { name: "setup", ok: false, seconds: (Date.now() - t0) / 1000, summary: "", problems: [e instanceof Error ? e.message : String(e)], notes: [] });
  } finally {
    await cleanup();
  }
  if (interrupted) return new Promise<number>(() => undefined);
  clearTimeout(backstop);
  return finish(results, null, sizes);
}

function finish(results: readonly TestResult[], why: string | null, sizes: readonly string[]): number {
  const skipped = results.filter((r) => r.skipped);
  const failed = results.filter((r) => !r.ok && !r.skipped);
  const passed = results.length - skipped.length - failed.length;
  console.log("");
  if (sizes.length > 0) console.log(`saved with File > Save after Run All: ${sizes.join(", ")}`);
  console.log(`browser suite (JupyterLab): ${results.length} checks in ${seconds(t0)} s${why ? ` (${why})` : ""}; screenshots in artifacts/e2e/`);
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
