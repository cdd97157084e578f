/**
 * What the browser test reads from a classic Notebook 6 page. The functions passed to
 * `page.evaluate` run in the page: they may use only their argument and the page's globals.
 * (tsx compiles them with esbuild's keepNames, which wraps inner functions in `__name(...)`;
 * browser.ts defines a no-op `__name` in every page with an init script for that reason.)
 */
import type { Page } from "playwright-core";

/** The bits of classic Notebook's front-end API the test uses (window.Jupyter). */
interface JupyterCell {
  cell_type: string;
  input_prompt_number?: number | string | null;
  get_text(): string;
  element: ArrayLike<HTMLElement>;
  metadata?: { tags?: string[] };
}
interface JupyterGlobal {
  notebook?: {
    _fully_loaded?: boolean;
    trusted?: boolean;
    kernel?: { name?: string; is_connected?: () => boolean } | null;
    get_cells(): JupyterCell[];
    set_autosave_interval(ms: number): void;
    toJSON(): unknown;
  };
}
type PageWindow = Window & { Jupyter?: JupyterGlobal; Plotly?: unknown };

export interface PageState {
  loaded: boolean;
  kernelName: string | null;
  kernelConnected: boolean;
  /** #kernel_indicator_icon's class: kernel_idle_icon, kernel_busy_icon, kernel_dead_icon. */
  indicator: string;
  /** Text of a visible modal dialog (kernel died, failed to start, ...), if any. */
  modal: string | null;
  /** The prompt of each non-empty code cell, in order: "*", a number as text, or "" (never run). */
  prompts: string[];
  /** Index in the notebook of the first running cell, or -1. */
  runningCell: number;
}

export async function pageState(page: Page): Promise<PageState> {
  return page.evaluate((): PageState => {
    const J = (window as PageWindow).Jupyter;
    const nb = J?.notebook;
    const modalEl = Array.from(document.querySelectorAll<HTMLElement>(".modal")).find(
      (m) => m.classList.contains("in") && m.offsetParent !== null,
    );
    const icon = document.querySelector("#kernel_indicator_icon");
    const cells = nb && nb._fully_loaded ? nb.get_cells() : [];
    const prompts: string[] = [];
    let runningCell = -1;
    cells.forEach((c, i) => {
      if (c.cell_type !== "code" || c.get_text().trim() === "") return;
      const n = c.input_prompt_number;
      const p = n === null || n === undefined ? "" : String(n);
      if (p === "*" && runningCell < 0) runningCell = i;
      prompts.push(p);
    });
    return {
      loaded: !!nb && nb._fully_loaded === true,
      kernelName: nb?.kernel?.name ?? null,
      kernelConnected: !!nb?.kernel?.is_connected && nb.kernel.is_connected(),
      indicator: icon ? icon.className : "",
      modal: modalEl ? (modalEl.innerText || "").replace(/\s+/g, " ").trim().slice(0, 600) : null,
      prompts,
      runningCell,
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
  errorOutputs: string[];
  stderr: string[];
  stdout: string[];
  redMessages: string[];
  charts: ChartInfo[];
}

export interface NotebookDom {
  trusted: boolean;
  trustText: string;
  cells: CellInfo[];
  /** .acrobot-chart elements outside any cell (should be none). */
  strayCharts: number;
}

/** Everything the assertions need, read after the run. */
export async function readNotebookDom(page: Page): Promise<NotebookDom> {
  return page.evaluate((): NotebookDom => {
    const nb = (window as PageWindow).Jupyter!.notebook!;
    const text = (e: Element) => ((e as HTMLElement).innerText ?? e.textContent ?? "").trim();
    const cells: CellInfo[] = nb.get_cells().map((c, index) => {
      const el = c.element[0];
      const src = c.get_text();
      const n = c.input_prompt_number;
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
        const title = gd?.layout?.title;
        return {
          id: ch.id,
          cell: index,
          interactive: why === "",
          why,
          title: typeof title === "string" ? title : title?.text ?? "",
          traces: gd?.data?.length ?? 0,
          frames: gd?._transitionData?._frames?.length ?? 0,
          hasPlayButton: Array.from(ch.querySelectorAll(".updatemenu-button")).some((b) => /Play/.test(b.textContent ?? "")),
          note: ch.querySelector(".acrobot-note") ? text(ch.querySelector(".acrobot-note")!) : null,
        };
      });
      return {
        index,
        type: c.cell_type,
        firstLine: (src.split("\n").find((l) => l.trim() !== "") ?? "").trim().slice(0, 100),
        prompt: n === null || n === undefined ? "" : String(n),
        empty: src.trim() === "",
        tags: c.metadata?.tags ?? [],
        errorOutputs: Array.from(el.querySelectorAll(".output_error")).map(text),
        stderr: Array.from(el.querySelectorAll(".output_stderr")).map(text),
        stdout: Array.from(el.querySelectorAll(".output_stdout")).map(text),
        redMessages: Array.from(el.querySelectorAll(".acrobot-message.acrobot-error")).map(text),
        charts,
      };
    });
    const all = document.querySelectorAll("#notebook-container .acrobot-chart").length;
    const inCells = cells.reduce((s, c) => s + c.charts.length, 0);
    const trust = document.querySelector("#notification_trusted");
    return { trusted: nb.trusted === true, trustText: trust ? text(trust) : "", cells, strayCharts: all - inCells };
  });
}

/** What the animation shows now: the traces' coordinates and the slider. */
export interface AnimationState {
  coords: string;
  sliderActive: number | null;
  grip: string;
  playing: boolean;
}

export async function animationState(page: Page, chartId: string): Promise<AnimationState | null> {
  return page.evaluate((id: string): AnimationState | null => {
    const plot = document.getElementById(id)?.querySelector(".js-plotly-plot") as
      | (HTMLElement & {
          data?: Array<{ x?: unknown; y?: unknown }>;
          layout?: { sliders?: Array<{ active?: number }> };
          _transitionData?: { _animationRaf?: unknown; _frameQueue?: unknown[] };
        })
      | null
      | undefined;
    if (!plot) return null;
    const grip = plot.querySelector(".slider-grip-rect, .slider-grip");
    return {
      coords: JSON.stringify((plot.data ?? []).map((d) => [d.x, d.y])),
      sliderActive: plot.layout?.sliders?.[0]?.active ?? null,
      grip: grip ? grip.getAttribute("transform") ?? (grip.parentElement?.getAttribute("transform") ?? "") : "",
      playing: !!plot._transitionData?._animationRaf,
    };
  }, chartId);
}

export interface StaticPicture {
  cell: number;
  alt: string;
  visible: boolean;
  why: string;
  naturalWidth: number;
  width: number;
  height: number;
}

export interface UntrustedDom {
  trusted: boolean;
  trustText: string;
  plotlyOnPage: boolean;
  interactivePlots: number;
  /** Notes the chart script would have added: present only if scripts ran. */
  scriptNotes: number;
  /** <script> elements left inside outputs. */
  scriptsInOutputs: number;
  pictures: StaticPicture[];
  executedCells: number;
}

/** The static pictures of a reopened notebook, after their images loaded. */
export async function readUntrustedDom(page: Page): Promise<UntrustedDom> {
  return page.evaluate(async (): Promise<UntrustedDom> => {
    const w = window as PageWindow;
    const nb = w.Jupyter!.notebook!;
    const imgs = Array.from(document.querySelectorAll<HTMLImageElement>("#notebook-container .output_area img"))
      .filter((img) => img.classList.contains("acrobot-static") || (img.getAttribute("src") ?? "").startsWith("data:image/svg+xml"));
    // Wait (bounded) for the pictures to decode.
    await Promise.all(imgs.map((img) => (img.complete ? Promise.resolve() : img.decode().catch(() => undefined))));
    const cells = nb.get_cells();
    const cellOf = (e: Element) => cells.findIndex((c) => c.element[0].contains(e));
    const pictures: StaticPicture[] = imgs.map((img) => {
      img.scrollIntoView();
      const r = img.getBoundingClientRect();
      const s = getComputedStyle(img);
      let why = "";
      if (!img.complete || img.naturalWidth === 0) why = "the image did not load (naturalWidth 0)";
      else if (s.display === "none" || s.visibility === "hidden" || Number(s.opacity) === 0) why = `hidden (display ${s.display}, visibility ${s.visibility})`;
      else if (r.width < 50 || r.height < 50) why = `only ${Math.round(r.width)}x${Math.round(r.height)} px`;
      return { cell: cellOf(img), alt: img.alt, visible: why === "", why, naturalWidth: img.naturalWidth, width: Math.round(r.width), height: Math.round(r.height) };
    });
    const trust = document.querySelector("#notification_trusted");
    return {
      trusted: nb.trusted === true,
      trustText: trust ? (trust.textContent ?? "").trim() : "",
      plotlyOnPage: w.Plotly !== undefined,
      interactivePlots: document.querySelectorAll("#notebook-container .js-plotly-plot").length,
      scriptNotes: document.querySelectorAll("#notebook-container .acrobot-note").length,
      scriptsInOutputs: document.querySelectorAll("#notebook-container .output_area script").length,
      pictures,
      executedCells: cells.filter((c) => c.cell_type === "code" && typeof c.input_prompt_number === "number").length,
    };
  });
}

/** Lets the page grow to its full height so a full-page screenshot shows every cell. */
export const FULL_PAGE_CSS = `
  html, body { height: auto !important; overflow: visible !important; position: static !important; }
  #site { height: auto !important; overflow: visible !important; display: block !important; }
  #header { position: static !important; }
  /* Long outputs become a scrolling box in classic Notebook: show them whole in the picture. */
  .output_scroll { height: auto !important; max-height: none !important; overflow: visible !important; box-shadow: none !important; }
`;
