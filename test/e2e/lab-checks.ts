/**
 * What the browser suite reads from a JupyterLab 4 page. The front end (test/e2e/lab) exposes
 * its application as `window.jupyterapp`, as JupyterLab's own Galata tests have it; cell state
 * (execution counts, outputs, trust) is read from the notebook model, what a person sees
 * (charts, pictures, messages) from the DOM. The functions passed to `page.evaluate` run in the
 * page: they may use only their argument and the page's globals (browser.ts defines the no-op
 * `__name` that tsx's keepNames wraps inner functions in).
 */
import type { Page } from "playwright-core";

/** The few bits of JupyterLab's API the suite touches, typed loosely. */
interface LabOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  data?: Record<string, unknown>;
}
interface LabCell {
  node: HTMLElement;
  model: {
    type: string;
    trusted?: boolean;
    executionCount?: number | null;
    sharedModel: { getSource(): string; getMetadata?(key: string): unknown };
    outputs?: { toJSON(): LabOutput[] };
  };
}
interface LabPanel {
  node: HTMLElement;
  context: { path: string; model: { dirty: boolean; toJSON(): unknown } };
  sessionContext: {
    isReady?: boolean;
    session?: { kernel?: { name?: string; status?: string; connectionStatus?: string } | null } | null;
  };
  content: { widgets: readonly LabCell[]; fullyRendered?: boolean };
}
type LabWindow = Window & {
  jupyterapp?: { shell: { currentWidget: unknown } };
  Plotly?: unknown;
  __acrobotLive?: Record<string, LiveTrace>;
};

export interface LabState {
  /** The application started and a notebook panel is the current widget. */
  loaded: boolean;
  path: string;
  kernelName: string | null;
  /** Kernel status as JupyterLab reports it: idle, busy, starting, dead, unknown, ... */
  kernelStatus: string;
  connection: string;
  /** Text of an open dialog (kernel died, kernel choice, ...), if any. */
  modal: string | null;
  /** The prompt of each non-empty code cell, in order: "*", a number as text, or "" (never run). */
  prompts: string[];
  /** Index of the first running (or queued) cell, or -1. */
  runningCell: number;
  dirty: boolean;
}

export async function labState(page: Page): Promise<LabState> {
  return page.evaluate((): LabState => {
    const w = window as LabWindow;
    const dialog = document.querySelector<HTMLElement>(".jp-Dialog");
    const modal = dialog ? (dialog.innerText || "").replace(/\s+/g, " ").trim().slice(0, 600) : null;
    const panel = (w.jupyterapp?.shell.currentWidget ?? null) as LabPanel | null;
    if (!panel || !panel.content || !panel.sessionContext) {
      return { loaded: false, path: "", kernelName: null, kernelStatus: "", connection: "", modal, prompts: [], runningCell: -1, dirty: false };
    }
    const kernel = panel.sessionContext.session?.kernel ?? null;
    const prompts: string[] = [];
    let runningCell = -1;
    panel.content.widgets.forEach((c, i) => {
      if (c.model.type !== "code" || c.model.sharedModel.getSource().trim() === "") return;
      // The prompt shows "*" from the moment a cell is queued until its reply arrives.
      const promptText = c.node.querySelector(".jp-InputPrompt")?.textContent ?? "";
      const running = /\[\*\]/.test(promptText);
      const n = c.model.executionCount;
      const p = running ? "*" : n === null || n === undefined ? "" : String(n);
      if (p === "*" && runningCell < 0) runningCell = i;
      prompts.push(p);
    });
    return {
      loaded: true,
      path: panel.context.path,
      kernelName: kernel?.name ?? null,
      kernelStatus: kernel?.status ?? "",
      connection: kernel?.connectionStatus ?? "",
      modal,
      prompts,
      runningCell,
      dirty: panel.context.model.dirty,
    };
  });
}

export interface ChartInfo {
  /** The chart's element id (chartHtml gives each one a unique id). */
  id: string;
  /** Index of the notebook cell that shows it. */
  cell: number;
  interactive: boolean;
  /** Why it does not count as an interactive chart. */
  why: string;
  title: string;
  traces: number;
  frames: number;
  hasPlayButton: boolean;
  /** The static picture is shown (loaded, visible, not tiny). */
  pictureVisible: boolean;
  pictureWhy: string;
  /** Text of the "Static picture: ..." note the chart script adds while plotly.js is missing. */
  note: string | null;
}

export interface CellInfo {
  index: number;
  type: string;
  firstLine: string;
  prompt: string;
  empty: boolean;
  tags: string[];
  trusted: boolean;
  errorOutputs: string[];
  stderr: string[];
  stdout: string[];
  redMessages: string[];
  greenMessages: string[];
  /** Text of the setup cell's plotly status line, if this cell shows one. */
  plotlyStatus: string | null;
  charts: ChartInfo[];
  outputs: number;
}

export interface NotebookDom {
  cells: CellInfo[];
  /** Trust as the status bar tells it (its title). */
  trustText: string;
  plotlyOnPage: boolean;
  /** <script> elements left inside outputs (a sanitised output has none). */
  scriptsInOutputs: number;
  /** .acrobot-chart elements outside any cell (should be none). */
  strayCharts: number;
}

/** Everything the assertions need, read after a run or a reopening (pictures decoded first). */
export async function readNotebookDom(page: Page): Promise<NotebookDom> {
  return page.evaluate(async (): Promise<NotebookDom> => {
    const w = window as LabWindow;
    const panel = w.jupyterapp!.shell.currentWidget as LabPanel;
    // innerText is "" for an element not being rendered (a cell scrolled out of JupyterLab's window): then its textContent.
    const text = (e: Element) => ((e as HTMLElement).innerText || e.textContent || "").trim();
    const joined = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join("") : t ?? "");
    const imgs = Array.from(panel.node.querySelectorAll<HTMLImageElement>(".acrobot-chart img.acrobot-static"));
    await Promise.all(imgs.map((img) => (img.complete ? Promise.resolve() : img.decode().catch(() => undefined))));
    const cells: CellInfo[] = panel.content.widgets.map((c, index) => {
      const el = c.node;
      const src = c.model.sharedModel.getSource();
      const outputs = c.model.outputs?.toJSON() ?? [];
      const charts: ChartInfo[] = Array.from(el.querySelectorAll<HTMLElement>(".acrobot-chart")).map((ch) => {
        const plot = ch.querySelector<HTMLElement>(".js-plotly-plot");
        const gd = plot as (HTMLElement & {
          data?: unknown[];
          layout?: { title?: { text?: string } | string };
          _transitionData?: { _frames?: unknown[] };
        }) | null;
        let why = "";
        if (!plot) why = "no .js-plotly-plot inside (plotly.js never drew it)";
        else {
          const r = plot.getBoundingClientRect();
          const style = getComputedStyle(plot);
          if (style.display === "none" || style.visibility === "hidden") why = `the plot is hidden (display ${style.display})`;
          else if (r.width < 50 || r.height < 50) why = `the plot is ${Math.round(r.width)}x${Math.round(r.height)} px`;
          else if (!plot.querySelector(".main-svg")) why = "the plot has no .main-svg";
          else if ((gd?.data?.length ?? 0) > 0 && plot.querySelectorAll("g.trace, g.imagelayer image, g.heatmaplayer image").length === 0) {
            why = "the plot has data but no drawn trace";
          }
        }
        const img = ch.querySelector<HTMLImageElement>("img.acrobot-static");
        let pictureWhy = "";
        if (!img) pictureWhy = "no static picture in the output";
        else {
          const r = img.getBoundingClientRect();
          const s = getComputedStyle(img);
          if (!img.complete || img.naturalWidth === 0) pictureWhy = "the picture did not load (naturalWidth 0)";
          else if (s.display === "none" || s.visibility === "hidden") pictureWhy = `the picture is hidden (display ${s.display})`;
          else if (r.width < 50 || r.height < 50) pictureWhy = `the picture is only ${Math.round(r.width)}x${Math.round(r.height)} px`;
        }
        const title = gd?.layout?.title;
        const titleText = typeof title === "string" ? title : title?.text ?? "";
        return {
          id: ch.id,
          cell: index,
          interactive: why === "",
          why,
          title: titleText || (img?.alt ?? ""),
          traces: gd?.data?.length ?? 0,
          frames: gd?._transitionData?._frames?.length ?? 0,
          hasPlayButton: Array.from(ch.querySelectorAll(".updatemenu-button")).some((b) => /Play/.test(b.textContent ?? "")),
          pictureVisible: pictureWhy === "",
          pictureWhy,
          note: ch.querySelector(".acrobot-note") ? text(ch.querySelector(".acrobot-note")!) : null,
        };
      });
      const status = el.querySelector(".acrobot-plotly-status");
      const tags = c.model.sharedModel.getMetadata?.("tags");
      return {
        index,
        type: c.model.type,
        firstLine: (src.split("\n").find((l) => l.trim() !== "") ?? "").trim().slice(0, 100),
        prompt: /\[\*\]/.test(el.querySelector(".jp-InputPrompt")?.textContent ?? "")
          ? "*"
          : c.model.executionCount === null || c.model.executionCount === undefined
            ? ""
            : String(c.model.executionCount),
        empty: src.trim() === "",
        tags: Array.isArray(tags) ? (tags as string[]) : [],
        trusted: c.model.trusted === true,
        errorOutputs: outputs.filter((o) => o.output_type === "error").map((o) => `${o.ename}: ${o.evalue}`),
        stderr: outputs.filter((o) => o.output_type === "stream" && o.name === "stderr").map((o) => joined(o.text)),
        stdout: outputs.filter((o) => o.output_type === "stream" && o.name === "stdout").map((o) => joined(o.text)),
        redMessages: Array.from(el.querySelectorAll(".acrobot-message.acrobot-error")).map(text),
        greenMessages: Array.from(el.querySelectorAll(".acrobot-message.acrobot-ok")).map(text),
        plotlyStatus: status ? (status.textContent ?? "").trim() : null,
        charts,
        outputs: outputs.length,
      };
    });
    const all = panel.node.querySelectorAll(".acrobot-chart").length;
    const inCells = cells.reduce((s, c) => s + c.charts.length, 0);
    const trust = document.querySelector<HTMLElement>(".jp-StatusItem-trust");
    return {
      cells,
      trustText: trust?.title ?? "",
      plotlyOnPage: w.Plotly !== undefined,
      scriptsInOutputs: panel.node.querySelectorAll(".jp-OutputArea-output script").length,
      strayCharts: all - inCells,
    };
  });
}

/** What the live training displays of one cell went through while the notebook ran (recorded in the page). */
export interface LiveTrace {
  cell: number;
  /** Per output slot that showed a live chart: its successive states ("placeholder" or the chart's id). */
  slots: string[][];
  /** Most slots showing charts of the same live display at once (1 when redrawn in place). */
  maxSameDisplay: number;
  /** Distinct status lines seen ("training: ...", "episode N | ..."). */
  statusLines: number;
}

/**
 * Starts recording what each cell's live training displays show. A live display (one
 * `liveTraining` call) names its charts `acrobot-live-XXXXXX-...`, a training pool its chart of
 * finished runs `acrobot-runs-XXXXXX-...`; refreshed in place, it keeps
 * one output slot whose content changes (placeholder, then chart); piling up, it would fill new
 * slots. A MutationObserver sees every state the page renders, even a placeholder replaced
 * within milliseconds while the page is busy (a 100 ms poll missed that in CI); a poll every
 * 100 ms stays as a backstop.
 */
export async function startLiveRecorder(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as LabWindow & { __acrobotLiveTimer?: number; __acrobotLiveObserver?: MutationObserver };
    w.__acrobotLive = {};
    if (w.__acrobotLiveTimer) clearInterval(w.__acrobotLiveTimer);
    w.__acrobotLiveObserver?.disconnect();
    const seenStatus: Record<string, Set<string>> = {};
    const scanCell = (c: { node: HTMLElement }, index: number) => {
      const children = Array.from(c.node.querySelectorAll<HTMLElement>(".jp-OutputArea-child"));
      const perDisplay: Record<string, number> = {};
      let any = false;
      const states: Array<string | null> = children.map((child) => {
        const chart = child.querySelector<HTMLElement>('.acrobot-chart[id^="acrobot-live-"], .acrobot-chart[id^="acrobot-runs-"]');
        if (chart) {
          const key = /^acrobot-((?:live|runs)-[A-Za-z0-9_]+)-/.exec(chart.id)?.[1] ?? chart.id;
          perDisplay[key] = (perDisplay[key] ?? 0) + 1;
          any = true;
          return chart.id;
        }
        if (/learning curve: first drawn after|chart: drawn when the first run finishes/.test(child.textContent ?? "")) {
          any = true;
          return "placeholder";
        }
        return null;
      });
      if (!any) return;
      const key = String(index);
      const t = (w.__acrobotLive![key] ??= { cell: index, slots: [], maxSameDisplay: 0, statusLines: 0 });
      states.forEach((state, j) => {
        if (state === null) return;
        const slot = (t.slots[j] ??= []);
        if (slot[slot.length - 1] !== state) slot.push(state);
      });
      t.maxSameDisplay = Math.max(t.maxSameDisplay, ...Object.values(perDisplay), 0);
      const statuses = (seenStatus[key] ??= new Set());
      for (const child of children) {
        const text = (child.textContent ?? "").trim();
        if (/^(training: |episode \d+ \|)/.test(text)) statuses.add(text);
      }
      t.statusLines = statuses.size;
    };
    const panel = () => w.jupyterapp?.shell.currentWidget as LabPanel | undefined;
    const scanAll = () => panel()?.content?.widgets.forEach(scanCell);
    w.__acrobotLiveTimer = window.setInterval(scanAll, 100);
    const root = panel()?.node;
    if (!root) return;
    w.__acrobotLiveObserver = new MutationObserver((mutations) => {
      const widgets = panel()?.content?.widgets ?? [];
      const touched = new Set<Element>();
      for (const m of mutations) {
        const el = m.target instanceof Element ? m.target : m.target.parentElement;
        const cell = el?.closest(".jp-Cell");
        if (cell) touched.add(cell);
      }
      widgets.forEach((c, index) => {
        if (touched.has(c.node)) scanCell(c, index);
      });
    });
    w.__acrobotLiveObserver.observe(root, { childList: true, subtree: true, characterData: true });
  });
}

export async function readLiveTraces(page: Page): Promise<LiveTrace[]> {
  return page.evaluate(() => Object.values((window as LabWindow).__acrobotLive ?? {}).map((t) => ({ ...t, slots: t.slots.filter((x) => x) })));
}

/** What the animation shows now: the traces' coordinates and the slider. */
export interface AnimationState {
  coords: string;
  sliderActive: number | null;
}

export async function animationState(page: Page, chartId: string): Promise<AnimationState | null> {
  return page.evaluate((id: string): AnimationState | null => {
    const plot = document.getElementById(id)?.querySelector(".js-plotly-plot") as
      | (HTMLElement & { data?: Array<{ x?: unknown; y?: unknown }>; layout?: { sliders?: Array<{ active?: number }> } })
      | null
      | undefined;
    if (!plot) return null;
    return {
      coords: JSON.stringify((plot.data ?? []).map((d) => [d.x, d.y])),
      sliderActive: plot.layout?.sliders?.[0]?.active ?? null,
    };
  }, chartId);
}

/**
 * Lets the notebook grow to its full height so a screenshot shows every cell: JupyterLab scrolls
 * inside the notebook panel, so the page itself never gets taller.
 */
export async function notebookHeight(page: Page): Promise<number> {
  return page.evaluate(() => {
    const panel = (window as LabWindow).jupyterapp?.shell.currentWidget as LabPanel | undefined;
    const scroller = panel?.node.querySelector<HTMLElement>(".jp-WindowedPanel-outer") ?? panel?.node.querySelector<HTMLElement>(".jp-Notebook");
    return scroller ? scroller.scrollHeight : 0;
  });
}

export async function scrollNotebookToTop(page: Page): Promise<void> {
  await page.evaluate(() => {
    const panel = (window as LabWindow).jupyterapp?.shell.currentWidget as LabPanel | undefined;
    for (const el of Array.from(panel?.node.querySelectorAll<HTMLElement>(".jp-WindowedPanel-outer, .jp-Notebook") ?? [])) el.scrollTop = 0;
  });
}
