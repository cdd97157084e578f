/**
 * The headless notebook runner against the REAL tslab kernel (no Python): small fixture notebooks
 * in test/fixtures/ for success, runtime and type errors, tslab's "abort" replies, timeouts,
 * a stuck kernel, a dying kernel, background errors, and writing an executed notebook.
 */
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runNotebook, saveExecutedNotebook, type CellResult, type NotebookRun, type Output } from "./notebook-runner";

const fixture = (name: string) => join(__dirname, "fixtures", name);
const smoke = { ACROBOT_DQN_SMOKE: "1" };

/** Every kernel any test started: after each test, none may be alive (nor its process group). */
const pids = new Set<number>();
const runs: NotebookRun[] = [];
async function run(name: string, options: Parameters<typeof runNotebook>[1] = {}): Promise<NotebookRun> {
  const r = await runNotebook(fixture(name), { env: smoke, ...options });
  if (r.kernelPid !== undefined) pids.add(r.kernelPid);
  runs.push(r);
  return r;
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
};
afterEach(() => {
  for (const pid of pids) {
    assert.equal(alive(pid), false, `kernel ${pid} is still running`);
    assert.equal(alive(-pid), false, `kernel ${pid}'s process group is still running`);
  }
  for (const r of runs.splice(0)) {
    assert.ok(r.kernelPid, "the kernel was started");
    assert.equal(existsSync(r.connectionFile), false, "the connection file is deleted");
  }
});

const text = (c: CellResult, name: "stdout" | "stderr" = "stdout") =>
  c.outputs
    .filter((o): o is Extract<Output, { output_type: "stream" }> => o.output_type === "stream" && o.name === name)
    .map((o) => o.text)
    .join("");
const cellAt = (r: NotebookRun, index: number) => {
  const c = r.cells.find((x) => x.index === index && !x.injected);
  assert.ok(c, `cell ${index} was executed`);
  return c;
};

test("a good notebook: every cell ok, outputs with their MIME types, env and injected parameters reach the kernel", async () => {
  const seen: number[] = [];
  const r = await run("good.ipynb", {
    injectAfterTag: { tag: "parameters", code: "episodes = 3;" },
    onCell: (c) => seen.push(c.index),
  });
  assert.equal(r.ok, true, JSON.stringify(r.cells.filter((c) => c.status !== "ok"), null, 1));
  assert.deepEqual(r.skipped, []);
  assert.ok(r.cells.every((c) => c.status === "ok" && c.error === undefined));
  assert.deepEqual(seen, [1, 1, 2, 4, 5, 6, 7, 8, 9], "code cells in order, the injected code right after the parameters cell");
  assert.equal(r.kernelInfo?.implementation, "tslab");

  const [params, injected] = r.cells;
  assert.deepEqual(params.tags, ["parameters"]);
  assert.equal(injected.injected, true);
  assert.deepEqual(injected.tags, ["injected-parameters"]);
  assert.deepEqual(
    r.cells.map((c) => c.executionCount),
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  // ACROBOT_DQN_SMOKE reached the kernel (episodes would be 500 otherwise), the override ran after it.
  assert.equal(text(cellAt(r, 2)), "smoke=true episodes=3\n");
  assert.equal(text(cellAt(r, 4)), "waited 7\n", "top-level await");
  assert.deepEqual(cellAt(r, 5).outputs, [
    { output_type: "display_data", data: { "text/html": "<b>hi</b>" }, metadata: {}, transient: {} },
  ]);
  const [shown, updated] = cellAt(r, 6).outputs;
  assert.equal(shown.output_type, "display_data");
  assert.equal(updated.output_type, "update_display_data");
  assert.ok(shown.output_type === "display_data" && updated.output_type === "update_display_data");
  assert.deepEqual([shown.data, updated.data], [{ "text/html": "a" }, { "text/html": "b" }]);
  assert.ok(shown.transient?.display_id);
  assert.equal(updated.transient?.display_id, shown.transient?.display_id);
  assert.equal(text(cellAt(r, 7)), "hello, tslab 42\n", "a local .ts module from the notebook's folder");
  assert.equal(text(cellAt(r, 8)), "6\n", "tslab prints a cell's last expression on stdout");
  assert.deepEqual(cellAt(r, 9).outputs, [
    { output_type: "update_display_data", data: { "text/html": "c" }, metadata: {}, transient: shown.transient },
  ]);
  assert.equal(r.stderr, "");
  assert.deepEqual(r.uncaughtErrors, []);
  assert.equal(r.kernelExitedCleanly, true, "tslab exits by itself after shutdown_request");
  assert.equal(r.kernelExitCode, 0);
  assert.ok(r.startupSeconds > 0 && r.startupSeconds < r.seconds);

  // Written back as a front end would save it.
  const dir = mkdtempSync(join(tmpdir(), "nb-runner-test-"));
  try {
    const dest = join(dir, "good.executed.ipynb");
    saveExecutedNotebook(r, fixture("good.ipynb"), dest);
    const nb = JSON.parse(readFileSync(dest, "utf8"));
    const src = JSON.parse(readFileSync(fixture("good.ipynb"), "utf8"));
    assert.equal(nb.nbformat, 4);
    assert.deepEqual(nb.metadata, src.metadata);
    assert.equal(nb.cells.length, src.cells.length + 1, "plus the injected-parameters cell");
    assert.equal(nb.cells[0].cell_type, "markdown");
    assert.deepEqual(nb.cells[1].metadata.tags, ["parameters"]);
    assert.deepEqual(nb.cells[2].metadata.tags, ["injected-parameters"]);
    assert.deepEqual(nb.cells[2].source, ["episodes = 3;"]);
    assert.equal(typeof nb.cells[2].id, "string");
    const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
    assert.deepEqual(
      code.map((c: { execution_count: number }) => c.execution_count),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.deepEqual(nb.cells[3].outputs, [{ output_type: "stream", name: "stdout", text: ["smoke=true episodes=3\n"] }]);
    assert.deepEqual(nb.cells[6].outputs, [{ output_type: "display_data", data: { "text/html": ["<b>hi</b>"] }, metadata: {} }]);
    assert.deepEqual(
      nb.cells[7].outputs,
      [{ output_type: "display_data", data: { "text/html": ["c"] }, metadata: {} }],
      "the updates (the last from a later cell) replaced the display; they are not outputs of their own",
    );
    assert.deepEqual(nb.cells[10].outputs, []);
    assert.deepEqual(src.cells[6].outputs, [], "the source notebook is untouched");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a runtime error in cell 2 of 3 fails the run, reports the exception, and stops", async () => {
  const r = await run("runtime-error.ipynb");
  assert.equal(r.ok, false);
  assert.deepEqual(
    r.cells.map((c) => c.status),
    ["ok", "error"],
  );
  assert.deepEqual(r.skipped, [2], "cell 3 is not executed");
  const failed = r.cells[1];
  assert.equal(failed.error?.ename, "RangeError");
  assert.equal(failed.error?.evalue, "boom in cell 2");
  assert.ok(failed.error?.traceback.some((l) => l.startsWith("    at ")));
  assert.equal(text(failed), "cell 2 starts\n", "output before the throw is kept");
  assert.match(text(failed, "stderr"), /RangeError: boom in cell 2/);
  assert.match(r.stderr, /RangeError: boom in cell 2/);
  assert.deepEqual(r.uncaughtErrors, []);

  const dir = mkdtempSync(join(tmpdir(), "nb-runner-test-"));
  try {
    const dest = join(dir, "runtime-error.executed.ipynb");
    saveExecutedNotebook(r, fixture("runtime-error.ipynb"), dest);
    const nb = JSON.parse(readFileSync(dest, "utf8"));
    assert.deepEqual(
      nb.cells.map((c: { execution_count: number | null }) => c.execution_count),
      [1, 2, null],
    );
    assert.deepEqual(
      nb.cells[1].outputs.map((o: { name: string }) => o.name),
      ["stdout", "stderr"],
    );
    assert.deepEqual(nb.cells[2].outputs, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("stopOnError false: tslab's 'abort' reply right after a failure counts as a failure, not as success", async () => {
  const r = await run("runtime-error.ipynb", { stopOnError: false, afterErrorDelayMs: 0 });
  assert.equal(r.ok, false);
  assert.deepEqual(
    r.cells.map((c) => c.status),
    ["ok", "error", "abort"],
  );
  const aborted = r.cells[2];
  assert.equal(aborted.error?.ename, "Aborted");
  assert.equal(aborted.executionCount, null);
  assert.equal(text(aborted), "", "tslab did not run it");
});

test("stopOnError false with the default pause: the cell after a failure really runs and is reported", async () => {
  const r = await run("runtime-error.ipynb", { stopOnError: false });
  assert.equal(r.ok, false, "a failed cell still fails the run");
  assert.deepEqual(
    r.cells.map((c) => c.status),
    ["ok", "error", "ok"],
  );
  assert.equal(text(r.cells[2]), "cell 3 ran\n");
  assert.deepEqual(r.skipped, []);
});

test("a TypeScript type error fails the cell (tslab prints diagnostics, no exception)", async () => {
  const r = await run("type-error.ipynb");
  assert.equal(r.ok, false);
  assert.deepEqual(
    r.cells.map((c) => c.status),
    ["ok", "error"],
  );
  assert.equal(r.cells[1].error?.ename, "TSError");
  assert.match(r.cells[1].error?.evalue ?? "", /^1:7 - Type 'number' is not assignable to type 'string'\.$/);
  assert.equal(text(r.cells[1]), "", "nothing of the cell ran");
  assert.deepEqual(r.skipped, [2]);
});

test("a cell awaiting forever times out: SIGINT abandons it, the run fails, the kernel is shut down", async () => {
  const r = await run("hang-async.ipynb", { cellTimeoutMs: 1500 });
  assert.equal(r.ok, false);
  assert.deepEqual(
    r.cells.map((c) => c.status),
    ["ok", "timeout"],
  );
  assert.deepEqual(r.skipped, [2]);
  const hung = r.cells[1];
  assert.equal(hung.error?.ename, "CellTimeout");
  assert.match(hung.error?.evalue ?? "", /Interrupted asynchronously/);
  assert.ok(hung.seconds >= 1.5 && hung.seconds < 5, `${hung.seconds} s`);
  assert.equal(r.kernelExitedCleanly, true);
});

test("a synchronous infinite loop times out, SIGINT breaks it, and with stopOnError false the kernel goes on", async () => {
  const r = await run("hang-sync.ipynb", { cellTimeoutMs: 1500, stopOnError: false });
  assert.deepEqual(
    r.cells.map((c) => c.status),
    ["timeout", "ok"],
  );
  assert.match(r.cells[0].error?.evalue ?? "", /Script execution was interrupted/);
  assert.equal(text(r.cells[1]), "after the loop\n");
  assert.equal(r.ok, false);
});

test("a kernel that neither answers SIGINT nor shutdown_request is killed", async () => {
  const r = await run("stubborn.ipynb", { cellTimeoutMs: 1000, interruptGraceMs: 500, shutdownGraceMs: 500 });
  assert.equal(r.ok, false);
  assert.deepEqual(
    r.cells.map((c) => c.status),
    ["ok", "timeout"],
  );
  assert.match(r.cells[1].error?.evalue ?? "", /did not answer/);
  assert.equal(r.kernelExitedCleanly, false);
  assert.equal(r.kernelSignal, "SIGTERM");
});

test("a SIGINT listener added in a cell's synchronous part makes the interrupt kill the kernel (reported as timeout)", async () => {
  const r = await run("sigint-kills.ipynb", { cellTimeoutMs: 1000 });
  assert.equal(r.ok, false);
  assert.equal(r.cells[0].status, "timeout");
  assert.match(r.cells[0].error?.evalue ?? "", /kernel died/);
  assert.equal(r.kernelSignal, "SIGINT");
});

test("a kernel that exits during a cell fails that cell and ends the run", async () => {
  const r = await run("kernel-exit.ipynb");
  assert.equal(r.ok, false);
  assert.deepEqual(
    r.cells.map((c) => c.status),
    ["ok", "error"],
  );
  assert.equal(r.cells[1].error?.ename, "KernelDied");
  assert.deepEqual(r.skipped, [2]);
  assert.equal(r.kernelExitCode, 3);
});

test("errors from timers and unawaited promises fail no cell but are returned on stderr", async () => {
  const r = await run("background-errors.ipynb");
  assert.equal(r.ok, true, "tslab's handlers swallow them: no cell fails");
  assert.equal(r.uncaughtErrors.length, 3, r.stderr);
  assert.match(r.uncaughtErrors[0], /^UnhandledPromiseRejection: Error: an unawaited rejection/);
  assert.match(r.uncaughtErrors[1], /^UncaughtException: Error: thrown from a timer/);
  assert.match(r.uncaughtErrors[2], /^UncaughtException: Error: thrown after the last cell/);
  for (const e of r.uncaughtErrors) assert.ok(r.stderr.includes(e));
});

test("injectAfterTag with no such tag is refused before any kernel starts", async () => {
  await assert.rejects(
    runNotebook(fixture("runtime-error.ipynb"), { injectAfterTag: { tag: "parameters", code: "" } }),
    /no code cell is tagged "parameters"/,
  );
});
