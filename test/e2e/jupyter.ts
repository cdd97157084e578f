/**
 * A private Jupyter server for the browser test: JupyterLab 4 (the front end built in
 * test/e2e/lab, served by Debian's jupyter-server through test/e2e/lab/lab_server.py) or
 * classic Notebook 6 (Debian's jupyter-notebook). Its own config, data and runtime folders in a
 * temporary folder (so the tslab kernel is registered there, never in the machine's kernels,
 * and no notebook is trusted by an earlier signature), 127.0.0.1 only, a free port and a random
 * token.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, fstatSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export type FrontEnd = "lab" | "classic";

export interface JupyterOptions {
  /** Which front end to serve (default "lab"). */
  frontEnd?: FrontEnd;
  /** The repository (node_modules/.bin/tslab is found there). */
  repo: string;
  /** Served folder; kernels start in the folder of their notebook. */
  notebookDir: string;
  /** The run's private temporary folder; Jupyter's own folders are made inside. */
  tmpRoot: string;
  /** Added to the server's environment, which every kernel inherits. */
  env: Record<string, string>;
  /** Where the server's log goes. */
  logFile: string;
  /** How long the server may take to answer. Default 60 s. */
  startTimeoutMs?: number;
}

export interface KernelModel {
  id: string;
  name: string;
  execution_state?: string;
}
export interface SessionModel {
  id: string;
  path: string;
  kernel: KernelModel | null;
}

export async function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The server runs under a small python3 supervisor that stays its parent. It passes SIGTERM and
 * SIGINT on to the server, and if this test process goes away without stopping the server (killed
 * with SIGKILL, say), it stops the server itself (SIGTERM, which makes the server shut its
 * kernels down; SIGKILL after 20 s), then kills whatever process still names the run's folder
 * (kernels the server could not stop) and deletes that folder. (PR_SET_PDEATHSIG alone is not
 * enough: Linux may deliver it twice, and a second SIGTERM aborts the server's kernel shutdown.)
 */
const SUPERVISOR = String.raw`
import os, shutil, signal, subprocess, sys, time
parent = int(os.environ["ACROBOT_E2E_PARENT_PID"])
marker = os.environ["ACROBOT_E2E_MARKER"]
if os.getppid() != parent:
    sys.exit("acrobot e2e supervisor: the test process is already gone")
child = subprocess.Popen(sys.argv[1:])
signal.signal(signal.SIGTERM, lambda s, f: child.send_signal(s))
signal.signal(signal.SIGINT, lambda s, f: child.send_signal(s))
orphaned = False
while child.poll() is None:
    if os.getppid() != parent:
        orphaned = True
        child.terminate()
        try:
            child.wait(20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        break
    time.sleep(0.5)
if orphaned:
    me = os.getpid()
    for _ in range(3):
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) == me:
                continue
            try:
                with open("/proc/%s/cmdline" % name, "rb") as f:
                    if marker.encode() in f.read():
                        os.kill(int(name), signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.5)
    shutil.rmtree(marker, ignore_errors=True)
sys.exit(child.returncode if child.returncode and child.returncode > 0 else 0)
`;

export class JupyterServer {
  readonly token = randomBytes(24).toString("hex");
  readonly dataDir: string;
  readonly configDir: string;
  readonly runtimeDir: string;
  readonly configFile: string;
  /** JupyterLab's user settings (autosave off, no news) and workspaces: the run's own. */
  readonly labSettingsDir: string;
  readonly labWorkspacesDir: string;
  readonly frontEnd: FrontEnd;
  port = 0;
  proc: ChildProcess | null = null;
  exited = false;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  private spawnError = "";

  constructor(private readonly opts: JupyterOptions) {
    this.dataDir = join(opts.tmpRoot, "jupyter-data");
    this.configDir = join(opts.tmpRoot, "jupyter-config");
    this.runtimeDir = join(opts.tmpRoot, "jupyter-runtime");
    this.configFile = join(opts.tmpRoot, "jupyter_notebook_config.py");
    this.labSettingsDir = join(opts.tmpRoot, "lab-settings");
    this.labWorkspacesDir = join(opts.tmpRoot, "lab-workspaces");
    this.frontEnd = opts.frontEnd ?? "lab";
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The environment for Jupyter commands: only the run's own folders. */
  private jupyterEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      JUPYTER_DATA_DIR: this.dataDir,
      JUPYTER_CONFIG_DIR: this.configDir,
      JUPYTER_RUNTIME_DIR: this.runtimeDir,
      IPYTHONDIR: join(this.opts.tmpRoot, "ipython"),
      ...this.opts.env,
    };
    delete env.JUPYTER_PATH; // no kernels from elsewhere shadowing ours
    delete env.JUPYTER_CONFIG_PATH;
    delete env.NODE_TEST_CONTEXT;
    return env;
  }

  /** `tslab install --user` with JUPYTER_DATA_DIR pointing to the run's folder. */
  installKernel(): string {
    for (const d of [this.dataDir, this.configDir, this.runtimeDir]) mkdirSync(d, { recursive: true });
    const tslab = join(this.opts.repo, "node_modules", ".bin", "tslab");
    if (!existsSync(tslab)) throw new Error(`${tslab} not found: run npm ci first`);
    // tslab's installer needs jupyter_client and IPython, and says only "jupyter is not installed" without either.
    const missing = spawnSync("/usr/bin/python3", ["-c", "import jupyter_client, IPython"], { encoding: "utf8" });
    if (missing.status !== 0) throw new Error(`tslab install needs jupyter_client and IPython in /usr/bin/python3 (Debian: apt-get install -y python3-jupyter-server python3-ipython): ${missing.stderr.trim().split("\n").pop()}`);
    const r = spawnSync(tslab, ["install", "--python=/usr/bin/python3", `--binary=${tslab}`, "--user"], {
      env: this.jupyterEnv(),
      encoding: "utf8",
      timeout: 60_000,
    });
    const spec = join(this.dataDir, "kernels", "tslab", "kernel.json");
    if (r.status !== 0 || !existsSync(spec)) {
      throw new Error(`tslab install failed (status ${r.status}, ${r.error?.message ?? ""}):\n${r.stdout}\n${r.stderr}`);
    }
    const argv = (JSON.parse(readFileSync(spec, "utf8")) as { argv: string[] }).argv;
    if (argv[0] !== tslab) throw new Error(`${spec} starts ${argv[0]}, not ${tslab}`);
    return spec;
  }

  async start(): Promise<void> {
    const command = this.frontEnd === "lab" ? this.labCommand() : this.classicCommand();
    // The server writes its log straight to the file, not through a pipe to this process: if this
    // process dies, a server writing into a broken pipe could fail before it stops its kernels.
    const logFd = openSync(this.opts.logFile, "a");
    try {
      await this.startWithLog(logFd, command);
    } finally {
      closeSync(logFd); // the server has its own copy
    }
  }

  /** Classic Notebook 6; its config file also marks the command line as this run's (see processes.ts). */
  private classicCommand(): (port: number) => string[] {
    // Debian's classic Notebook 6 (a jupyter-notebook from another Python may be on PATH first).
    const which = existsSync("/usr/bin/jupyter-notebook")
      ? { status: 0, stdout: "/usr/bin/jupyter-notebook" }
      : spawnSync("sh", ["-c", "command -v jupyter-notebook"], { encoding: "utf8" });
    if (which.status !== 0) {
      throw new Error("jupyter-notebook is not installed (Debian: apt-get install -y jupyter-notebook)");
    }
    writeFileSync(
      this.configFile,
      [
        "# Written by test/e2e for one browser test run.",
        "c.NotebookApp.open_browser = False",
        "c.NotebookApp.allow_remote_access = False",
        "c.NotebookApp.terminals_enabled = False",
        "c.NotebookApp.quit_button = False",
        "",
      ].join("\n"),
    );
    const exe = which.stdout.trim();
    return (port) => [
      exe,
      `--config=${this.configFile}`,
      "--no-browser",
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--NotebookApp.token=${this.token}`,
      `--notebook-dir=${this.opts.notebookDir}`,
      "--allow-root",
    ];
  }

  /**
   * JupyterLab 4 from test/e2e/lab (built by lab-build.ts). User settings written here: autosave
   * off (the suite saves only on purpose, into scratch copies). Files, not settings requests:
   * jupyterlab_server 2.16's Draft-4 validator rejects JupyterLab 4 schemas that use `const`
   * (so the news question cannot be answered either; the suite hides its toast).
   */
  private labCommand(): (port: number) => string[] {
    const server = join(this.opts.repo, "test", "e2e", "lab", "lab_server.py");
    if (!existsSync("/usr/lib/python3/dist-packages/jupyterlab_server")) {
      throw new Error("jupyterlab_server is not installed (Debian: apt-get install -y python3-jupyter-server python3-jupyterlab-server)");
    }
    // Only settings whose schema has no `const` (the old validator would reject the whole plugin's file).
    const settings: Record<string, unknown> = {
      "@jupyterlab/docmanager-extension/plugin": { autosave: false },
    };
    for (const [name, value] of Object.entries(settings)) {
      const file = join(this.labSettingsDir, `${name}.jupyter-settings`);
      mkdirSync(join(file, ".."), { recursive: true });
      writeFileSync(file, JSON.stringify(value, null, 2));
    }
    mkdirSync(this.labWorkspacesDir, { recursive: true });
    return (port) => [
      "/usr/bin/python3",
      server,
      "--no-browser",
      "--ServerApp.ip=127.0.0.1",
      `--ServerApp.port=${port}`,
      "--ServerApp.port_retries=0",
      `--ServerApp.token=${this.token}`,
      `--ServerApp.root_dir=${this.opts.notebookDir}`,
      "--ServerApp.allow_remote_access=False",
      "--ServerApp.terminals_enabled=False",
      `--AcrobotLab.user_settings_dir=${this.labSettingsDir}`,
      `--AcrobotLab.workspaces_dir=${this.labWorkspacesDir}`,
      "--allow-root",
    ];
  }

  private async startWithLog(logFd: number, command: (port: number) => string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      this.exited = false;
      const args = command(this.port);
      const proc = spawn("/usr/bin/python3", ["-c", SUPERVISOR, ...args], {
        cwd: this.opts.notebookDir,
        env: { ...this.jupyterEnv(), ACROBOT_E2E_PARENT_PID: String(process.pid), ACROBOT_E2E_MARKER: this.opts.tmpRoot },
        stdio: ["ignore", logFd, logFd],
        detached: true, // its own process group
      });
      this.proc = proc;
      proc.once("exit", (code, signal) => {
        this.exited = true;
        this.exitCode = code;
        this.exitSignal = signal;
      });
      proc.once("error", (e) => {
        this.exited = true;
        this.spawnError = `spawn error: ${e.message}`;
      });

      const end = Date.now() + (this.opts.startTimeoutMs ?? 60_000);
      while (Date.now() < end && !this.exited) {
        try {
          const res = await fetch(`${this.baseUrl}/api/status`, { headers: this.authHeaders(), signal: AbortSignal.timeout(2000) });
          if (res.ok) return;
        } catch {
          /* not listening yet */
        }
        await sleep(250);
      }
      const logTail = this.logTail();
      const portTaken = /Address already in use|is already in use/.test(logTail);
      if (this.exited && portTaken && attempt < 3) continue; // the port was taken meanwhile: another one
      throw new Error(
        this.exited
          ? `the Jupyter server exited (code ${this.exitCode}, signal ${this.exitSignal}) before answering; its log ends:\n${logTail}`
          : `the Jupyter server did not answer on ${this.baseUrl} within ${(this.opts.startTimeoutMs ?? 60_000) / 1000} s; its log ends:\n${logTail}`,
      );
    }
  }

  authHeaders(): Record<string, string> {
    return { Authorization: `token ${this.token}` };
  }

  /** The URL that opens a notebook (the token logs the browser in and sets its cookie). */
  notebookUrl(relPath: string): string {
    const p = relPath.split("/").map(encodeURIComponent).join("/");
    // JupyterLab: `reset` starts from an empty workspace, so no tab (and kernel) of an earlier page comes back.
    return this.frontEnd === "lab"
      ? `${this.baseUrl}/lab/tree/${p}?reset&token=${this.token}`
      : `${this.baseUrl}/notebooks/${p}?token=${this.token}`;
  }

  async api<T>(method: string, path: string): Promise<T | null> {
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers: this.authHeaders(), signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : ((await res.json()) as T);
  }

  async kernels(): Promise<KernelModel[]> {
    return (await this.api<KernelModel[]>("GET", "/api/kernels")) ?? [];
  }

  async sessions(): Promise<SessionModel[]> {
    return (await this.api<SessionModel[]>("GET", "/api/sessions")) ?? [];
  }

  /** Deletes every session and kernel (the server asks each kernel to shut down, then kills it). */
  async shutdownAllKernels(timeoutMs = 30_000): Promise<void> {
    for (const s of await this.sessions()) await this.api("DELETE", `/api/sessions/${s.id}`).catch(() => undefined);
    for (const k of await this.kernels()) await this.api("DELETE", `/api/kernels/${k.id}`).catch(() => undefined);
    const end = Date.now() + timeoutMs;
    while ((await this.kernels()).length > 0) {
      if (Date.now() > end) throw new Error(`kernels still listed ${timeoutMs / 1000} s after shutdown`);
      await sleep(250);
    }
  }

  /** SIGTERM (the server then shuts its kernels down), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const proc = this.proc;
    if (proc && !this.exited && proc.pid !== undefined) {
      const exited = new Promise<void>((r) => proc.once("exit", () => r()));
      try {
        process.kill(proc.pid, "SIGTERM");
      } catch {
        /* gone */
      }
      const t = setTimeout(() => {
        try {
          process.kill(-proc.pid!, "SIGKILL");
        } catch {
          /* gone */
        }
      }, graceMs);
      await Promise.race([exited, sleep(graceMs + 3000)]);
      clearTimeout(t);
    }
  }

  /** The end of the server's log (and a spawn error), for messages. */
  logTail(chars = 3000): string {
    try {
      const fd = openSync(this.opts.logFile, "r");
      try {
        const size = fstatSync(fd).size;
        const buf = Buffer.alloc(Math.min(chars, size));
        readSync(fd, buf, 0, buf.length, size - buf.length);
        return buf.toString("utf8") + (this.spawnError ? `\n${this.spawnError}` : "");
      } finally {
        closeSync(fd);
      }
    } catch {
      return this.spawnError;
    }
  }
}
