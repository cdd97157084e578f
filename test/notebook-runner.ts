/**
 * A headless notebook runner: executes a notebook's code cells top to bottom on the REAL tslab
 * kernel, speaking the Jupyter messaging protocol over ZeroMQ (the `zeromq` v6 package tslab
 * itself uses). No Python, no nbclient: this is what JupyterLab does, minus the browser.
 *
 * Facts about tslab 1.0.22 this runner relies on (see node_modules/tslab/dist/jupyter.js):
 * - It never sends `error` or `execute_result` on iopub. A failing cell prints the exception (or
 *   the TypeScript diagnostics) on the `stderr` stream and answers `execute_reply` with status
 *   "error" and no ename/evalue; a cell's last expression is `console.log`ged to `stdout`.
 *   `CellResult.error` is therefore reconstructed from the cell's stderr text.
 * - After a failed cell it answers every execute_request arriving in the next ~200 ms with status
 *   "abort" without running it. Every non-"ok" reply counts as a failure here.
 * - It has no `interrupt_request` handler; SIGINT interrupts (a synchronous loop throws "Script
 *   execution was interrupted"; an awaited cell is abandoned with "Interrupted asynchronously"
 *   while its promise keeps running in the background).
 * - After the first execute_request it redirects process.stdout/stderr to iopub streams parented
 *   to the latest execute_request, so errors from timers or unawaited promises (printed by its
 *   uncaughtException / unhandledRejection handlers, which keep the kernel alive) arrive as
 *   `stderr` stream output of whichever cell ran last, possibly after it finished, and fail
 *   nothing. `NotebookRun.stderr` has all stderr text; `NotebookRun.uncaughtErrors` those.
 * - On `shutdown_request` it replies, closes its sockets and lets the process end by itself, which
 *   it does not while cell code keeps the event loop busy; the runner then kills it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import * as zmq from "zeromq";

/** NOTEBOOK_RUNNER_TRACE=FILE: a line per message received (time, channel, type, parent, size), to debug a run that waits. */
const TRACE = process.env.NOTEBOOK_RUNNER_TRACE || null;

// ---------------------------------------------------------------------------------------------
// Public types

export type Output =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string }
  | {
      output_type: "display_data" | "execute_result" | "update_display_data";
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
      transient?: { display_id?: string };
      execution_count?: number | null;
    }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

export type CellStatus = "ok" | "error" | "abort" | "timeout";

export interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface CellResult {
  /** Index of the cell in the notebook's `cells` array (markdown cells included). */
  index: number;
  source: string;
  status: CellStatus;
  /**
   * Outputs in arrival order; consecutive stream outputs of the same name are merged. Outputs the
   * kernel sends for this cell after it finished (timers) are appended until the run ends.
   */
  outputs: Output[];
  error?: CellError;
  seconds: number;
  tags: string[];
  /** `execution_count` from the execute_reply (tslab gives none for aborted requests). */
  executionCount: number | null;
  /** True for the code injected with `injectAfterTag` (then `index` is the tagged cell's). */
  injected?: boolean;
  /** True when `interruptCell` sent SIGINT during this cell. */
  interrupted?: boolean;
}

export interface RunOptions {
  /** Added to process.env for the kernel (e.g. `{ ACROBOT_DQN_SMOKE: "1" }`). */
  env?: Record<string, string>;
  /** Per-cell time limit; on expiry the kernel gets SIGINT and the cell is "timeout". Default 5 min. */
  cellTimeoutMs?: number;
  /** Execute `code` right after the first code cell tagged `tag` (papermill's "parameters"). */
  injectAfterTag?: { tag: string; code: string };
  /** Stop at the first failed cell. Default true. */
  stopOnError?: boolean;
  /**
   * With stopOnError false: pause this long after a failed cell so that tslab runs the next cell
   * instead of answering "abort" (it aborts requests for ~200 ms after a failure). Default 300;
   * 0 sends the next cell at once (it is then normally reported "abort").
   */
  afterErrorDelayMs?: number;
  /**
   * Press the stop button during the first code cell tagged `tag`: send SIGINT to the kernel once
   * that cell's outputs match `when` (default: as soon as it has any output), as Jupyter does.
   * tslab then abandons the cell; it is reported with `interrupted: true` and does not fail the
   * run (unless it ended "ok" without ever being interrupted), and the run goes on with the next cells.
   */
  interruptCell?: { tag: string; when?: RegExp };
  /** Run only up to the first code cell tagged `tag`, that one included; skip the rest. */
  stopAfterTag?: string;
  /** Called as each cell finishes. */
  onCell?: (r: CellResult) => void;
  /** Limit for the kernel to start and answer kernel_info_request. Default 60 s. */
  startTimeoutMs?: number;
  /** After SIGINT on timeout, how long to wait for the kernel to answer the cell. Default 5 s. */
  interruptGraceMs?: number;
  /** After shutdown_request, how long to wait for the process to exit before killing it. Default 3 s. */
  shutdownGraceMs?: number;
  /** The tslab executable; default: node_modules/.bin/tslab found from the notebook's folder up. */
  tslabPath?: string;
}

export interface NotebookRun {
  /** One result per executed code cell (plus the injected code), in execution order. */
  cells: CellResult[];
  /** Indices of code cells not executed because the run stopped early. */
  skipped: number[];
  /** True when every code cell ran with status "ok" and the kernel was still alive at the end. */
  ok: boolean;
  /** Set when the run failed outside any cell (the kernel died after the last cell). */
  problem?: string;
  /**
   * Everything the kernel wrote to stderr, in arrival order: its process stderr (before the first
   * cell, and crashes) and every `stderr` stream on iopub (tslab redirects process.stderr there),
   * failed cells' error printouts included.
   */
  stderr: string;
  /**
   * Errors thrown from timers or unawaited promises: tslab prints them from its uncaughtException /
   * unhandledRejection handlers ("UncaughtException: ...", "UnhandledPromiseRejection: ...") as
   * stderr of whichever cell ran last, and does NOT fail any cell. Assert this is empty.
   */
  uncaughtErrors: string[];
  /** The kernel process's own stdout (tslab prints almost nothing there). */
  stdout: string;
  /** Exit code of the kernel process (null if it was ended by a signal). */
  kernelExitCode: number | null;
  kernelSignal: NodeJS.Signals | null;
  /** Process id of the kernel, so callers can check it is gone. */
  kernelPid: number | undefined;
  /** The temporary connection file (deleted, with its folder, when the run ends). */
  connectionFile: string;
  /** True if the kernel process ended by itself (after shutdown_request or earlier), false if it had to be killed. */
  kernelExitedCleanly: boolean;
  /** Spawn to kernel ready (kernel_info_reply received and iopub connected). */
  startupSeconds: number;
  /** Whole run, start-up and shutdown included. */
  seconds: number;
  /** The kernel_info_reply content. */
  kernelInfo: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Notebook files (nbformat 4)

interface NbCell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  metadata?: { tags?: string[]; [k: string]: unknown };
  outputs?: unknown[];
  execution_count?: number | null;
  id?: string;
  [k: string]: unknown;
}
interface Nb {
  cells: NbCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

const joinSource = (s: string | string[]): string => (Array.isArray(s) ? s.join("") : s);

function readNotebook(path: string): Nb {
  const nb = JSON.parse(readFileSync(path, "utf8")) as Nb;
  if (nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new Error(`${path}: not an nbformat 4 notebook`);
  }
  return nb;
}

// ---------------------------------------------------------------------------------------------
// The wire protocol

const DELIM = Buffer.from("<IDS|MSG>");
const PROTOCOL_VERSION = "5.3";

interface Header {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}
interface Msg {
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: Record<string, any>;
}

function sign(key: string, parts: Array<string | Buffer>): string {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

/** Frames: [routing ids..., "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers...]. */
function decode(key: string, frames: Buffer[]): Msg | null {
  const d = frames.findIndex((f) => f.equals(DELIM));
  if (d < 0 || frames.length < d + 6) return null;
  const [hmac, header, parent, metadata, content, ...buffers] = frames.slice(d + 1);
  if (sign(key, [header, parent, metadata, content, ...buffers]) !== hmac.toString()) return null;
  return {
    header: JSON.parse(header.toString()),
    parent_header: JSON.parse(parent.toString()),
    metadata: JSON.parse(metadata.toString()),
    content: JSON.parse(content.toString()),
  };
}

// ---------------------------------------------------------------------------------------------
// Processes: every kernel still alive is killed when this process exits; each kernel also runs a
// watchdog that kills it when its parent (this process) goes away, even by SIGKILL.

const liveKernels = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackKernel(p: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const k of liveKernels) killGroup(k, "SIGKILL");
    });
  }
  liveKernels.add(p);
  p.once("exit", () => liveKernels.delete(p));
}

/** Signal the kernel's process group (it is spawned detached, as a group leader). */
function killGroup(p: ChildProcess, signal: NodeJS.Signals): void {
  if (p.pid === undefined) return;
  try {
    process.kill(-p.pid, signal);
  } catch {
    try {
      p.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

const WATCHDOG = `"use strict";
// Written by test/notebook-runner.ts: end this kernel, and delete its connection folder, if the
// process that started it goes away.
const parent = Number(process.env.NOTEBOOK_RUNNER_PARENT_PID);
if (parent > 0) {
  setInterval(() => {
    let alive = process.ppid === parent;
    if (alive) { try { process.kill(parent, 0); } catch { alive = false; } }
    if (!alive) {
      try { require("fs").rmSync(__dirname, { recursive: true, force: true }); } catch {}
      process.kill(process.pid, "SIGKILL");
    }
  }, 500).unref();
}
`;

async function freePorts(n: number): Promise<number[]> {
  // Hold all n listeners open at once so the ports are distinct, then release them.
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((res, rej) => {
          const s = createServer();
          s.once("error", rej);
          s.listen(0, "127.0.0.1", () => res(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

function findTslab(fromDir: string): string {
  const candidates: string[] = [];
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    candidates.push(join(dir, "node_modules", ".bin", "tslab"));
    if (dirname(dir) === dir) break;
  }
  candidates.push(join(__dirname, "..", "node_modules", ".bin", "tslab"));
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`node_modules/.bin/tslab not found from ${fromDir}`);
  return found;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// One kernel session

/** The kernel came up useless (a port taken since we probed it, or asked while still binding): start another. */
class KernelStartRace extends Error {}

/**
 * done: reply and idle arrived in time; dead: the kernel exited; timeout: answered only after
 * SIGINT; timeout-unanswered: not even then; timeout-dead: the kernel died of the interrupt.
 */
type Outcome = "done" | "dead" | "timeout" | "timeout-unanswered" | "timeout-dead";

interface Request {
  msgId: string;
  reply: Msg | null;
  idle: boolean;
  /** Set by iopub messages (any) parented to this request. */
  sawIopub: boolean;
  /** Where outputs go; null for non-execute requests. */
  cell: CellResult | null;
}

class KernelSession {
  readonly key = randomBytes(32).toString("hex");
  readonly session = randomUUID();
  readonly dir = mkdtempSync(join(tmpdir(), "nb-runner-"));
  readonly connectionFile = join(this.dir, "connection.json");
  proc: ChildProcess | null = null;
  exited = false;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  stdout = "";
  /** The process's own stderr. */
  stderr = "";
  /** The process's stderr and every iopub stderr stream, in arrival order. */
  allStderr = "";
  /** iopub stderr texts printed by tslab's uncaughtException / unhandledRejection handlers. */
  uncaught: string[] = [];
  private shell = new zmq.Dealer({ linger: 0 });
  private control = new zmq.Dealer({ linger: 0 });
  private iopub = new zmq.Subscriber({ linger: 0 });
  private requests = new Map<string, Request>();
  private waiters = new Set<() => void>();
  private closed = false;
  /** Set when a channel stopped delivering: a cell's reply can then never come. */
  lost: string | null = null;
  private exitPromise: Promise<void> = Promise.resolve();

  private ports: number[] = [];

  async start(cwd: string, env: NodeJS.ProcessEnv, tslabPath: string): Promise<void> {
    const [shell, iopub, control, stdin, hb] = await freePorts(5);
    this.ports = [shell, iopub, control, stdin, hb];
    const watchdog = join(this.dir, "watchdog.js");
    writeFileSync(
      this.connectionFile,
      JSON.stringify({
        transport: "tcp",
        ip: "127.0.0.1",
        shell_port: shell,
        iopub_port: iopub,
        control_port: control,
        stdin_port: stdin,
        hb_port: hb,
        signature_scheme: "hmac-sha256",
        key: this.key,
        kernel_name: "tslab",
      }),
    );
    writeFileSync(watchdog, WATCHDOG);

    const proc = spawn(
      process.execPath,
      ["--require", watchdog, tslabPath, "kernel", "--config-path", this.connectionFile],
      {
        cwd,
        env: { ...env, NOTEBOOK_RUNNER_PARENT_PID: String(process.pid) },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    this.proc = proc;
    trackKernel(proc);
    this.exitPromise = new Promise<void>((res) => {
      proc.once("exit", (code, signal) => {
        this.exited = true;
        this.exitCode = code;
        this.exitSignal = signal;
        this.notify();
        res();
      });
    });
    proc.once("error", (e) => {
      this.stderr += `spawn error: ${e.message}\n`;
      this.exited = true;
      this.notify();
    });
    proc.stdout!.setEncoding("utf8").on("data", (s: string) => (this.stdout = cap(this.stdout + s)));
    proc.stderr!.setEncoding("utf8").on("data", (s: string) => {
      this.stderr = cap(this.stderr + s);
      this.allStderr = cap(this.allStderr + s);
    });

    const addr = (port: number) => `tcp://127.0.0.1:${port}`;
    this.iopub.subscribe();
    this.iopub.connect(addr(iopub));
    this.shell.connect(addr(shell));
    this.control.connect(addr(control));
    void this.pump(this.shell);
    void this.pump(this.control);
    void this.pump(this.iopub);
  }

  /** Wait for kernel_info_reply, then keep asking until iopub delivers too (PUB/SUB slow joiner). */
  async ready(timeoutMs: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    // tslab binds its sockets one after another; a request that arrives before iopub is bound makes
    // it publish on a socket still binding (EBUSY, an unhandled rejection) and never reply.
    await this.pollUntil(() => this.allListening() || this.portInUse(), deadline - Date.now());
    if (this.portInUse() || this.bindRace()) throw new KernelStartRace(this.stderr);
    const first = await this.send(this.shell, "kernel_info_request", {});
    await this.waitUntil(() => first.reply !== null || this.portInUse() || this.bindRace(), deadline - Date.now());
    if (this.portInUse() || this.bindRace()) throw new KernelStartRace(this.stderr);
    if (!first.reply) {
      throw new Error(this.deathOr(`kernel did not answer kernel_info_request within ${timeoutMs} ms`));
    }
    const asked = [first];
    while (!asked.some((r) => r.sawIopub)) {
      if (Date.now() > deadline) throw new Error("kernel's iopub channel never delivered a message");
      asked.push(await this.send(this.shell, "kernel_info_request", {}));
      await this.waitUntil(() => asked.some((r) => r.sawIopub), 250);
      if (this.exited) throw new Error(this.deathOr(""));
    }
    return first.reply.content;
  }

  /** Execute code; resolves when both execute_reply and iopub idle arrived, or on timeout/death. */
  async execute(
    code: string,
    cell: CellResult,
    timeoutMs: number,
    interruptGraceMs: number,
  ): Promise<{ outcome: Outcome; replyStatus: string | undefined }> {
    const content = { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true };
    const req = await this.send(this.shell, "execute_request", content, cell);
    const done = () => req.reply !== null && req.idle;
    await this.waitUntil(done, timeoutMs);
    let outcome: Outcome;
    if (done()) outcome = "done";
    else if (this.exited || this.lost !== null) outcome = "dead";
    else {
      // tslab has no interrupt_request handler: SIGINT is how Jupyter interrupts it.
      this.proc?.kill("SIGINT");
      await this.waitUntil(done, interruptGraceMs);
      outcome = done() ? "timeout" : this.exited ? "timeout-dead" : "timeout-unanswered";
    }
    if (req.reply) {
      const c = req.reply.content;
      cell.executionCount = typeof c.execution_count === "number" ? c.execution_count : null;
    }
    return { outcome, replyStatus: req.reply?.content.status };
  }

  /** shutdown_request on control, wait, then SIGTERM / SIGKILL the process group. Never throws. */
  async shutdown(graceMs: number): Promise<boolean> {
    let clean = true;
    const proc = this.proc;
    if (proc && !this.exited) {
      try {
        await Promise.race([this.send(this.control, "shutdown_request", { restart: false }), sleep(500)]);
      } catch {
        /* the kernel may already be unreachable */
      }
      await this.waitUntil(() => this.exited, graceMs);
      if (!this.exited) {
        clean = false;
        killGroup(proc, "SIGTERM");
        await this.waitUntil(() => this.exited, 1000);
      }
      if (!this.exited) {
        killGroup(proc, "SIGKILL");
        await Promise.race([this.exitPromise, sleep(5000)]);
      }
    }
    // Anything the kernel spawned into its group goes too.
    if (proc) killGroup(proc, "SIGKILL");
    this.closed = true;
    for (const s of [this.shell, this.control, this.iopub]) {
      try {
        s.close();
      } catch {
        /* closed */
      }
    }
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
    this.notify();
    return clean;
  }

  // --- internals

  /** tslab cannot bind a port (another process took it since we probed it): it stays alive, useless. */
  private portInUse(): boolean {
    return /EADDRINUSE|Address already in use/.test(this.stderr);
  }

  /** tslab was asked something while a socket was still binding: it stays alive, useless. Start again. */
  private bindRace(): boolean {
    return /Socket is blocked by a bind or unbind operation/.test(this.stderr);
  }

  /** Whether all five kernel ports are listening on 127.0.0.1 (Linux's /proc/net/tcp; true where that is missing). */
  private allListening(): boolean {
    let table: string;
    try {
      table = readFileSync("/proc/net/tcp", "utf8");
    } catch {
      return true;
    }
    const listening = new Set<number>();
    for (const line of table.split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === "0A" && local?.startsWith("0100007F:")) listening.add(parseInt(local.slice(9), 16));
    }
    return this.ports.every((p) => listening.has(p));
  }

  /** waitUntil for a condition nothing notifies about: checks it every 20 ms. */
  private async pollUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond() && !this.exited && !this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  private deathOr(message: string): string {
    const died = this.exited ? `kernel exited (code ${this.exitCode}, signal ${this.exitSignal})` : message;
    return this.stderr ? `${died}; its stderr:\n${this.stderr.slice(-4000)}` : died;
  }

  private async send(
    sock: zmq.Dealer,
    msgType: string,
    content: Record<string, unknown>,
    cell: CellResult | null = null,
  ): Promise<Request> {
    const header: Header = {
      msg_id: randomUUID(),
      msg_type: msgType,
      session: this.session,
      username: "notebook-runner",
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    };
    const parts = [JSON.stringify(header), "{}", "{}", JSON.stringify(content)];
    const req: Request = { msgId: header.msg_id, reply: null, idle: false, sawIopub: false, cell };
    this.requests.set(req.msgId, req);
    await sock.send([DELIM, sign(this.key, parts), ...parts]);
    return req;
  }

  private async pump(sock: zmq.Dealer | zmq.Subscriber): Promise<void> {
    const channel = sock === this.iopub ? "iopub" : sock === this.shell ? "shell" : "control";
    try {
      for await (const frames of sock) {
        // One message we cannot read must not stop the channel (the run would wait for ever).
        try {
          const msg = decode(this.key, frames);
          if (TRACE) appendFileSync(TRACE, `${new Date().toISOString()} ${channel} ${msg ? `${msg.header.msg_type} ${msg.parent_header.msg_id ?? "-"} ${JSON.stringify(msg.content).length}` : "unsigned"}\n`);
          if (msg) this.dispatch(msg, sock === this.iopub);
        } catch (e) {
          this.stderr += `notebook-runner: could not read a message on ${channel}: ${String(e)}\n`;
        }
      }
    } catch (e) {
      if (!this.closed) {
        this.stderr += `notebook-runner: socket error on ${channel}: ${String(e)}\n`;
        this.lost = `the ${channel} channel failed: ${String(e)}`;
        this.notify();
      }
    }
  }

  private dispatch(msg: Msg, iopub: boolean): void {
    const req = msg.parent_header.msg_id ? this.requests.get(msg.parent_header.msg_id) : undefined;
    if (!req) return;
    if (!iopub) {
      req.reply = msg;
    } else {
      req.sawIopub = true;
      const t = msg.header.msg_type;
      const c = msg.content;
      if (t === "status") {
        if (c.execution_state === "idle") req.idle = true;
      } else if (req.cell) {
        let out: Output | null = null;
        if (t === "stream") {
          out = { output_type: "stream", name: c.name === "stderr" ? "stderr" : "stdout", text: String(c.text ?? "") };
          if (out.name === "stderr") {
            this.allStderr = cap(this.allStderr + out.text);
            if (/^(UncaughtException|UnhandledPromiseRejection):/.test(out.text)) this.uncaught.push(out.text);
          }
        } else if (t === "display_data" || t === "update_display_data" || t === "execute_result") {
          out = { output_type: t, data: c.data ?? {}, metadata: c.metadata ?? {} };
          if (c.transient && typeof c.transient === "object") out.transient = c.transient;
          if (t === "execute_result") out.execution_count = c.execution_count ?? null;
        } else if (t === "error") {
          out = { output_type: "error", ename: String(c.ename), evalue: String(c.evalue), traceback: c.traceback ?? [] };
        } else if (t === "clear_output") {
          req.cell.outputs.length = 0;
        }
        if (out) pushOutput(req.cell.outputs, out);
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when cond() holds, the kernel exits, the session closes, or timeoutMs passes. */
  private waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise<void>((res) => {
      const check = () => {
        if (cond() || this.exited || this.closed || this.lost !== null) finish();
      };
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        res();
      };
      const timer = setTimeout(finish, Math.max(0, timeoutMs));
      this.waiters.add(check);
      check();
    });
  }
}

function outputText(o: Output): string {
  if (o.output_type === "stream") return o.text;
  if (o.output_type === "error") return `${o.ename}: ${o.evalue}`;
  return Object.values(o.data).map(String).join("\n");
}

const CAP = 4 << 20;
const cap = (s: string) => (s.length > CAP ? s.slice(-CAP) : s);

function pushOutput(outputs: Output[], out: Output): void {
  const last = outputs[outputs.length - 1];
  if (out.output_type === "stream" && last?.output_type === "stream" && last.name === out.name) {
    last.text += out.text;
  } else {
    outputs.push(out);
  }
}

// ---------------------------------------------------------------------------------------------
// Errors: tslab reports failures only as stderr text

/** Reconstruct ename/evalue/traceback for a failed cell from what tslab printed. */
export function errorFromOutputs(outputs: Output[], status: CellStatus): CellError {
  const err = outputs.find((o) => o.output_type === "error");
  if (err && err.output_type === "error") return { ename: err.ename, evalue: err.evalue, traceback: err.traceback };
  const text = outputs
    .filter((o): o is Extract<Output, { output_type: "stream" }> => o.output_type === "stream" && o.name === "stderr")
    .map((o) => o.text)
    .join("");
  const lines = text.split("\n");
  const traceback = text ? lines.filter((l, i) => l !== "" || i < lines.length - 1) : [];
  // The last "Name: message" (or "Name [CODE]: message") line that is followed by a stack frame.
  const head = /^([A-Za-z_$][\w$.]*)(?: \[([\w-]+)\])?: ?(.*)$/;
  for (let i = lines.length - 2; i >= 0; i--) {
    const m = head.exec(lines[i]);
    if (m && /^\s+at /.test(lines[i + 1])) {
      return { ename: m[1], evalue: m[3], traceback };
    }
  }
  // TypeScript diagnostics: "[file ]line:col - message".
  const diags = lines.filter((l) => /^(?:\S.* )?\d+:\d+ - /.test(l));
  if (diags.length > 0) return { ename: "TSError", evalue: diags.join("\n"), traceback };
  if (status === "abort") {
    return {
      ename: "Aborted",
      evalue: "tslab answered status \"abort\" without running the cell (a cell failed less than ~200 ms before)",
      traceback,
    };
  }
  const last = [...lines].reverse().find((l) => l.trim() !== "");
  const m = last ? head.exec(last) : null;
  if (m) return { ename: m[1], evalue: m[3], traceback };
  return { ename: "Error", evalue: last ?? `execute_reply status "${status}" with no message`, traceback };
}

// ---------------------------------------------------------------------------------------------
// The runner

/** Set a finished cell's status and error from how its request ended. */
function judge(
  cell: CellResult,
  outcome: Outcome,
  replyStatus: string | undefined,
  kernel: KernelSession,
  limits: { cellTimeoutMs: number; interruptGraceMs: number },
): void {
  const death = `code ${kernel.exitCode}, signal ${kernel.exitSignal}`;
  if (outcome === "done") {
    // Anything but "ok" fails, "abort" included (nbclient would count tslab's "abort" as success).
    cell.status = replyStatus === "ok" ? "ok" : replyStatus === "abort" || replyStatus === "aborted" ? "abort" : "error";
    if (cell.status !== "ok") cell.error = errorFromOutputs(cell.outputs, cell.status);
  } else if (outcome === "dead") {
    cell.status = "error";
    cell.error = kernel.lost !== null && !kernel.exited
      ? { ename: "ChannelLost", evalue: `the runner stopped hearing from the kernel: ${kernel.lost}`, traceback: [] }
      : { ename: "KernelDied", evalue: `the kernel exited during the cell (${death})`, traceback: [] };
  } else {
    cell.status = "timeout";
    const printed = errorFromOutputs(cell.outputs, "timeout");
    const after =
      outcome === "timeout-unanswered"
        ? `, and the kernel did not answer within ${limits.interruptGraceMs} ms more`
        : outcome === "timeout-dead"
          ? `, and the kernel died (${death})`
          : `; the kernel then reported ${printed.ename}: ${printed.evalue}`;
    cell.error = {
      ename: "CellTimeout",
      evalue: `no reply within ${limits.cellTimeoutMs} ms; sent SIGINT${after}`,
      traceback: printed.traceback,
    };
  }
}

/** Start a kernel and wait until it is ready; retries when a probed port was taken meanwhile. */
async function startKernel(
  cwd: string,
  env: NodeJS.ProcessEnv,
  tslabPath: string,
  timeoutMs: number,
): Promise<{ kernel: KernelSession; info: Record<string, unknown> }> {
  for (let attempt = 1; ; attempt++) {
    const kernel = new KernelSession();
    try {
      await kernel.start(cwd, env, tslabPath);
      return { kernel, info: await kernel.ready(timeoutMs) };
    } catch (e) {
      await kernel.shutdown(500);
      if (!(e instanceof KernelStartRace) || attempt >= 3) throw e;
    }
  }
}

export async function runNotebook(path: string, options: RunOptions = {}): Promise<NotebookRun> {
  const t0 = performance.now();
  const nbPath = resolve(path);
  const nb = readNotebook(nbPath);
  const cwd = dirname(nbPath);
  const stopOnError = options.stopOnError ?? true;
  const cellTimeoutMs = options.cellTimeoutMs ?? 5 * 60_000;
  const interruptGraceMs = options.interruptGraceMs ?? 5000;
  const afterErrorDelayMs = options.afterErrorDelayMs ?? 300;

  const codeCells = nb.cells
    .map((c, index) => ({ c, index }))
    .filter(({ c }) => c.cell_type === "code");
  let injectAt = -1;
  if (options.injectAfterTag) {
    const tag = options.injectAfterTag.tag;
    const hit = codeCells.find(({ c }) => (c.metadata?.tags ?? []).includes(tag));
    if (!hit) throw new Error(`${path}: no code cell is tagged "${tag}" (injectAfterTag)`);
    injectAt = hit.index;
  }

  const env: NodeJS.ProcessEnv = { ...process.env, ...(options.env ?? {}) };
  delete env.NODE_TEST_CONTEXT; // node:test's marker for its own child processes

  const tslabPath = options.tslabPath ?? findTslab(cwd);
  const { kernel, info } = await startKernel(cwd, env, tslabPath, options.startTimeoutMs ?? 60_000);
  const run: NotebookRun = {
    cells: [],
    skipped: [],
    ok: false,
    stderr: "",
    uncaughtErrors: [],
    stdout: "",
    kernelExitCode: null,
    kernelSignal: null,
    kernelPid: kernel.proc?.pid,
    connectionFile: kernel.connectionFile,
    kernelExitedCleanly: false,
    startupSeconds: (performance.now() - t0) / 1000,
    seconds: 0,
    kernelInfo: info,
  };
  let failed = false;
  try {
    const queue: Array<{ index: number; source: string; tags: string[]; injected: boolean }> = [];
    for (const { c, index } of codeCells) {
      queue.push({ index, source: joinSource(c.source), tags: c.metadata?.tags ?? [], injected: false });
      if (index === injectAt) {
        queue.push({ index, source: options.injectAfterTag!.code, tags: ["injected-parameters"], injected: true });
      }
    }

    let stopped = false;
    let interruptUsed = false;
    for (const item of queue) {
      if (stopped) {
        if (!item.injected) run.skipped.push(item.index);
        continue;
      }
      const cell: CellResult = {
        index: item.index,
        source: item.source,
        status: "ok",
        outputs: [],
        seconds: 0,
        tags: item.tags,
        executionCount: null,
        ...(item.injected ? { injected: true } : {}),
      };
      const started = performance.now();
      const press = options.interruptCell && !interruptUsed && item.tags.includes(options.interruptCell.tag) && !item.injected ? options.interruptCell : null;
      if (press) interruptUsed = true;
      const watcher = press
        ? setInterval(() => {
            const text = cell.outputs.map(outputText).join("\n");
            if (!cell.interrupted && (press.when ? press.when.test(text) : cell.outputs.length > 0)) {
              cell.interrupted = true;
              kernel.proc?.kill("SIGINT"); // what Jupyter's stop button does
            }
          }, 25)
        : null;
      const { outcome, replyStatus } = await kernel.execute(item.source, cell, cellTimeoutMs, interruptGraceMs);
      if (watcher) clearInterval(watcher);
      cell.seconds = (performance.now() - started) / 1000;
      judge(cell, outcome, replyStatus, kernel, { cellTimeoutMs, interruptGraceMs });
      const expected = cell.interrupted === true && outcome === "done" && cell.status !== "abort";
      if (cell.status !== "ok" && !expected) failed = true;
      run.cells.push(cell);
      options.onCell?.(cell);
      if (options.stopAfterTag && item.tags.includes(options.stopAfterTag)) stopped = true;
      if (expected && cell.status !== "ok") {
        if (afterErrorDelayMs > 0) await sleep(afterErrorDelayMs); // tslab aborts requests for ~200 ms after a failed cell
      } else if (cell.status !== "ok") {
        // A dead or unresponsive kernel cannot run anything more.
        if (stopOnError || (outcome !== "done" && outcome !== "timeout")) stopped = true;
        else if (afterErrorDelayMs > 0) await sleep(afterErrorDelayMs);
      }
    }
    // Late outputs (timers, unawaited promises) may still be in flight; give them a moment.
    if (!kernel.exited) await sleep(100);
    if (kernel.exited && !failed) {
      failed = true;
      run.problem = `the kernel exited by itself after the last cell (code ${kernel.exitCode}, signal ${kernel.exitSignal})`;
    }
    run.ok = !failed;
  } finally {
    run.kernelExitedCleanly = await kernel.shutdown(options.shutdownGraceMs ?? 3000);
    run.kernelExitCode = kernel.exitCode;
    run.kernelSignal = kernel.exitSignal;
    run.stdout = kernel.stdout;
    run.stderr = kernel.allStderr;
    run.uncaughtErrors = kernel.uncaught;
    run.seconds = (performance.now() - t0) / 1000;
  }
  return run;
}

// ---------------------------------------------------------------------------------------------
// Writing an executed notebook

/** nbformat stores multi-line strings as lists of lines (each keeping its "\n"). */
function toLines(s: string): string[] {
  return s.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** As nbformat's writer does: text/*, JavaScript and SVG as lists of lines; base64 images and JSON as they are. */
function toNbData(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [mime, v] of Object.entries(data)) {
    const split = mime.startsWith("text/") || mime === "application/javascript" || mime === "image/svg+xml";
    out[mime] = typeof v === "string" && split ? toLines(v) : v;
  }
  return out;
}

/**
 * Write a copy of the notebook at `srcPath` with the run's outputs and execution counts, as a
 * front end would have saved it: an `update_display_data` is not an output of its own but replaces
 * the data of the displays with its display_id, in whichever cell (as JupyterLab does; applied in
 * cell order); the injected parameters become a code cell tagged "injected-parameters" after the
 * parameters cell; code cells not run are saved with no outputs and no execution count.
 */
export function saveExecutedNotebook(run: NotebookRun, srcPath: string, destPath: string): void {
  const nb = readNotebook(srcPath);
  const byIndex = new Map<number, CellResult>();
  const injected = new Map<number, CellResult>();
  for (const r of run.cells) (r.injected ? injected : byIndex).set(r.index, r);

  const displays = new Map<string, Array<Record<string, unknown>>>();
  const convert = (r: CellResult): unknown[] => {
    const outs: Array<Record<string, unknown>> = [];
    for (const o of r.outputs) {
      switch (o.output_type) {
        case "stream":
          outs.push({ output_type: "stream", name: o.name, text: toLines(o.text) });
          break;
        case "error":
          outs.push({ output_type: "error", ename: o.ename, evalue: o.evalue, traceback: o.traceback });
          break;
        case "update_display_data": {
          const id = o.transient?.display_id;
          for (const target of (id && displays.get(id)) || []) {
            target.data = toNbData(o.data);
            target.metadata = o.metadata;
          }
          break;
        }
        case "display_data":
        case "execute_result": {
          const nbOut: Record<string, unknown> = { output_type: o.output_type, data: toNbData(o.data), metadata: o.metadata };
          if (o.output_type === "execute_result") nbOut.execution_count = o.execution_count ?? r.executionCount;
          const id = o.transient?.display_id;
          if (id && o.output_type === "display_data") displays.set(id, [...(displays.get(id) ?? []), nbOut]);
          outs.push(nbOut);
          break;
        }
      }
    }
    return outs;
  };

  const cells: NbCell[] = [];
  const useIds = nb.nbformat_minor >= 5;
  nb.cells.forEach((c, index) => {
    if (c.cell_type !== "code") {
      cells.push(c);
      return;
    }
    const r = byIndex.get(index);
    cells.push({ ...c, outputs: r ? convert(r) : [], execution_count: r ? r.executionCount : null });
    const inj = injected.get(index);
    if (inj) {
      cells.push({
        cell_type: "code",
        ...(useIds ? { id: `injected-${randomBytes(4).toString("hex")}` } : {}),
        metadata: { tags: ["injected-parameters"] },
        source: toLines(inj.source),
        outputs: convert(inj),
        execution_count: inj.executionCount,
      });
    }
  });
  writeFileSync(destPath, JSON.stringify({ ...nb, cells }, null, 1) + "\n");
}
