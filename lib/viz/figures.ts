/**
 * Plotly figures for the course: the learning curve, the comparison of
 * presets across seeds, and an episode of the Acrobot as an animation.
 * Builders return plain JSON figures; `figureToSvg` draws the same figure as
 * a static SVG (the fallback that survives an untrusted, reopened notebook),
 * so the picture and the interactive chart cannot drift apart.
 */
import type { EpisodeRecord } from "../train/trainer";
import { DT, linkPositions } from "../env/acrobot";
import { ACROBOT_COLORS, acrobotFrameSvg, lineChartSvg, type ArmPositions, type SvgBand, type SvgLine, type SvgRefLine } from "./svg-chart";
import type { AnimateOptions, PlotlyFigure, PlotlyFrame, PlotlyLayout, ScatterTrace, SliderStep } from "./plotly-types";
import { maxOf, minOf } from "../extent";

/** Plotly's default colour sequence, so both renderers colour groups alike. */
export const PALETTE: readonly string[] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const SOLVED_COLOR = "#2ca02c";

/** "#1f77b4" + 0.2 -> "rgba(31,119,180,0.2)" (band fills). */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (m === null) return hex;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** A horizontal "solved" bar across the plot, with its label, as Plotly layout items. */
export function solvedBar(solvedAt: number | undefined, label = `solved: ${solvedAt}`): Pick<PlotlyLayout, "shapes" | "annotations"> {
  if (solvedAt === undefined || !Number.isFinite(solvedAt)) return { shapes: [], annotations: [] };
  return {
    shapes: [{ type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: solvedAt, y1: solvedAt, line: { color: SOLVED_COLOR, width: 2, dash: "dash" }, layer: "above" }],
    annotations: [{ text: label, x: 1, y: solvedAt, xref: "paper", yref: "y", showarrow: false, xanchor: "right", yanchor: "bottom", font: { color: SOLVED_COLOR, size: 12 } }],
  };
}

// ---------------------------------------------------------------- learning curve

export interface LearningCurveOptions {
  /** Draws the bar the 100-episode average must reach (e.g. -90). */
  solvedAt?: number;
  title?: string;
  /** Draw each episode's return faintly behind the average (default true). */
  showReturns?: boolean;
  /** Periodic greedy evaluations to draw beside the training curve, at the episode each ran in (mean, band ± 1 std). */
  evaluations?: readonly EvaluationPoint[];
}

/** What a chart needs of a periodic evaluation (train/periodic-eval.ts's Evaluation has these). */
export interface EvaluationPoint {
  envSteps: number;
  episode: number;
  mean: number;
  std: number;
  returns: readonly number[];
}

const EVAL_COLOR = "#d62728";

/** The greedy evaluations as traces: a band of mean ± 1 std (two traces) and the mean with markers. */
function evaluationTraces(evals: readonly EvaluationPoint[], x: "episode" | "envSteps", color = EVAL_COLOR, name = "greedy evaluation"): ScatterTrace[] {
  if (evals.length === 0) return [];
  const xs = evals.map((e) => e[x]);
  const k = evals[evals.length - 1].returns.length;
  const common = { type: "scatter" as const, mode: "lines" as const, x: xs, showlegend: false, legendgroup: name, hoverinfo: "skip" };
  return [
    { ...common, name: `${name} (mean - std)`, y: evals.map((e) => e.mean - e.std), line: { color, width: 0 } },
    { ...common, name: `${name} (mean + std)`, y: evals.map((e) => e.mean + e.std), line: { color, width: 0 }, fill: "tonexty", fillcolor: withAlpha(color, 0.15) },
    {
      type: "scatter", mode: "lines+markers", name: `${name}: mean of ${k} greedy episode${k === 1 ? "" : "s"} (band ± 1 std)`, legendgroup: name, x: xs, y: evals.map((e) => e.mean),
      line: { color, width: 2, dash: "dot" }, marker: { color, size: 6 }, customdata: evals.map((e) => e.std),
      hovertemplate: `${x === "episode" ? "episode" : "env step"} %{x}<br>greedy mean %{y:.1f} ± %{customdata:.1f}<extra></extra>`,
    },
  ];
}

/**
 * The two measures of one run side by side, against environment steps: the
 * training curve (epsilon-greedy episodes, their 100-episode average, as the
 * lesson's bar counts) and the periodic greedy evaluation (mean ± 1 std).
 */
export function evaluationFigure(records: readonly EpisodeRecord[], evaluations: readonly EvaluationPoint[], opts: { solvedAt?: number; title?: string } = {}): PlotlyFigure {
  const x = records.map((r) => r.envSteps);
  const data: ScatterTrace[] = [
    {
      type: "scatter", mode: "lines", name: "return of each training episode", x, y: records.map((r) => r.return),
      line: { color: "#8da0b3", width: 1 }, opacity: 0.45, hovertemplate: "env step %{x}<br>return %{y}<extra></extra>",
    },
    {
      type: "scatter", mode: x.length === 1 ? "lines+markers" : "lines", name: "training: 100-episode average (epsilon-greedy)", x, y: records.map((r) => r.average100),
      line: { color: PALETTE[0], width: 2.5 }, hovertemplate: "env step %{x}<br>100-episode average %{y:.2f}<extra></extra>",
    },
    ...evaluationTraces(evaluations, "envSteps"),
  ];
  return {
    data,
    layout: {
      title: { text: opts.title ?? (evaluations.length > 0 ? "Training episodes and greedy evaluations" : "Training episodes (no periodic evaluation: set evalEvery)") },
      xaxis: { title: { text: "environment steps" } },
      yaxis: { title: { text: "return" } },
      ...solvedBar(opts.solvedAt),
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      hovermode: "closest",
      height: 440,
      margin: { t: 90 },
    },
  };
}

/** The 100-episode average per episode (the headline), each episode's return faint behind it, and the solved bar. */
export function learningCurveFigure(records: readonly EpisodeRecord[], opts: LearningCurveOptions = {}): PlotlyFigure {
  const x = records.map((r) => r.episode);
  const data: ScatterTrace[] = [];
  if (opts.showReturns ?? true) {
    data.push({
      type: "scatter", mode: "lines", name: "return of each episode", x, y: records.map((r) => r.return),
      line: { color: "#8da0b3", width: 1 }, opacity: 0.45, hovertemplate: "episode %{x}<br>return %{y}<extra></extra>",
    });
  }
  data.push({
    type: "scatter", mode: x.length === 1 ? "lines+markers" : "lines", name: "100-episode average", x, y: records.map((r) => r.average100),
    line: { color: PALETTE[0], width: 2.5 }, hovertemplate: "episode %{x}<br>100-episode average %{y:.2f}<extra></extra>",
  });
  data.push(...evaluationTraces(opts.evaluations ?? [], "episode"));
  return {
    data,
    layout: {
      title: { text: opts.title ?? "Learning curve" },
      xaxis: { title: { text: "episode" } },
      yaxis: { title: { text: "return" } },
      ...solvedBar(opts.solvedAt),
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      hovermode: "closest",
      height: 420,
      margin: { t: 80 },
    },
  };
}

// ---------------------------------------------------------------- diagnostics

/**
 * Per episode, one line per run: the mean TD loss, or the mean of max_a Q(s, a)
 * over the states acted in. The second shows over-estimation: with -1 per step
 * and gamma 0.99 a true value lies between -100 and 0, so max Q far outside
 * that is the max operator's bias (what Double DQN removes).
 */
export function diagnosticsFigure(
  runs: readonly { name: string; records: readonly Pick<EpisodeRecord, "episode" | "loss" | "meanMaxQ">[] }[],
  what: "loss" | "meanMaxQ",
  opts: { title?: string } = {},
): PlotlyFigure {
  const label = what === "loss" ? "mean TD loss" : "mean max Q(s, a)";
  const data: ScatterTrace[] = runs.map((run, i) => {
    const kept = run.records.filter((r) => typeof r[what] === "number" && Number.isFinite(r[what] as number));
    return {
      type: "scatter", mode: kept.length === 1 ? "lines+markers" : "lines", name: run.name,
      x: kept.map((r) => r.episode), y: kept.map((r) => r[what] as number),
      line: { color: PALETTE[i % PALETTE.length], width: 1.5 }, hovertemplate: `${run.name}<br>episode %{x}<br>${label} %{y:.3f}<extra></extra>`,
    };
  });
  return {
    data,
    layout: {
      title: { text: opts.title ?? `${label} per episode` },
      xaxis: { title: { text: "episode" } },
      yaxis: { title: { text: label } },
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      hovermode: "closest",
      height: 360,
      margin: { t: 80 },
    },
  };
}

// ---------------------------------------------------------------- comparison across seeds

export type BandKind = "minmax" | "std";

/**
 * What happens to a run after its last episode (a solved run stops early):
 * "drop" averages over the runs still going (so late episodes may rest on
 * fewer seeds, and the curve can dip when the good runs leave); "hold" keeps
 * a finished run at its last value, as if it had stayed where it stopped.
 */
export type AfterEnd = "drop" | "hold";

export interface AcrossRuns {
  /** Episode numbers (1-based), only those where at least one run has a value. */
  episode: number[];
  mean: number[];
  lower: number[];
  upper: number[];
  /** How many runs each point averages. */
  runs: number[];
}

/** Per episode: the mean across runs and a band (min..max, or mean +- one standard deviation). */
export function acrossRuns(series: readonly (readonly number[])[], band: BandKind = "minmax", afterEnd: AfterEnd = "drop"): AcrossRuns {
  const out: AcrossRuns = { episode: [], mean: [], lower: [], upper: [], runs: [] };
  const longest = series.reduce((m, s) => Math.max(m, s.length), 0);
  for (let i = 0; i < longest; i++) {
    const values: number[] = [];
    for (const s of series) {
      const v = i < s.length ? s[i] : afterEnd === "hold" && s.length > 0 ? s[s.length - 1] : NaN;
      if (Number.isFinite(v)) values.push(v);
    }
    if (values.length === 0) continue;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    let lower: number, upper: number;
    if (band === "std") {
      const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
      [lower, upper] = [mean - sd, mean + sd];
    } else {
      [lower, upper] = [minOf(values), maxOf(values)];
    }
    out.episode.push(i + 1);
    out.mean.push(mean);
    out.lower.push(lower);
    out.upper.push(upper);
    out.runs.push(values.length);
  }
  return out;
}

export interface CompareGroup {
  /** E.g. the preset's name. */
  name: string;
  /** One entry per seed: its 100-episode average per episode. */
  runs: readonly { average100: readonly number[] }[];
}

export interface CompareOptions {
  solvedAt?: number;
  title?: string;
  /** "minmax" (default) or "std" (mean +- one standard deviation). */
  band?: BandKind;
  /** See `AfterEnd`; default "drop" (average the runs still going). */
  afterEnd?: AfterEnd;
}

/** Per group (a preset): the mean 100-episode average across seeds, with a band across seeds. */
export function compareFigure(groups: readonly CompareGroup[], opts: CompareOptions = {}): PlotlyFigure {
  const band = opts.band ?? "minmax";
  const afterEnd = opts.afterEnd ?? "drop";
  const data: ScatterTrace[] = [];
  groups.forEach((g, gi) => {
    const color = PALETTE[gi % PALETTE.length];
    const stats = acrossRuns(g.runs.map((r) => r.average100), band, afterEnd);
    const seeds = g.runs.length;
    if (seeds > 1) {
      // Band as two traces: the lower edge (invisible), then the upper edge filled down to it.
      const common = { type: "scatter" as const, mode: "lines" as const, x: stats.episode, showlegend: false, legendgroup: g.name, hoverinfo: "skip" };
      data.push({ ...common, name: `${g.name} (lower)`, y: stats.lower, line: { color, width: 0 } });
      data.push({ ...common, name: `${g.name} (upper)`, y: stats.upper, line: { color, width: 0 }, fill: "tonexty", fillcolor: withAlpha(color, 0.2) });
    }
    data.push({
      // A single point drawn as a line shows nothing: give it a marker.
      type: "scatter", mode: stats.episode.length === 1 ? "lines+markers" : "lines", name: `${g.name} (${seeds} seed${seeds === 1 ? "" : "s"})`, legendgroup: g.name,
      x: stats.episode, y: stats.mean, customdata: stats.runs, line: { color, width: 2.5 },
      hovertemplate: `${g.name}<br>episode %{x}<br>mean %{y:.1f} over %{customdata} run(s)<extra></extra>`,
    });
  });
  const bandText = band === "std" ? "band: mean \u00b1 1 std" : "band: min to max";
  const endText = afterEnd === "drop" ? "runs that stopped early leave the mean" : "runs that stopped early stay at their last value";
  return {
    data,
    layout: {
      title: { text: opts.title ?? "100-episode average across seeds" },
      xaxis: { title: { text: "episode" } },
      yaxis: { title: { text: "100-episode average return" } },
      ...solvedBar(opts.solvedAt),
      // Below the plot, its note on a row of its own: a long legend wraps instead of running off the edge.
      legend: { title: { text: `line: mean over seeds; ${bandText}; ${endText}`, side: "top" }, orientation: "h", x: 0, y: -0.16, yanchor: "top" },
      hovermode: "closest",
      height: 520,
      margin: { t: 60, b: 150 },
    },
  };
}

// ---------------------------------------------------------------- episode animation

export interface EpisodeAnimationOptions {
  title?: string;
  /** Keep every n-th state (more are skipped when needed to stay under `maxFrames`). */
  every?: number;
  /** Default 300: a longer episode is subsampled (its last state and highest tip are always kept). */
  maxFrames?: number;
  /** Seconds per environment step (Acrobot: 0.2). */
  dt?: number;
  /** Playback speed in environment steps per second (default 15, Gymnasium's render_fps). */
  stepsPerSecond?: number;
  /** How many past tip positions to draw as a faint path (default 10; 0 for none). */
  trail?: number;
}

/** The uid of the animation's arm trace; `figureToSvg` looks for it. */
export const ARM_UID = "acrobot-arm";

/**
 * Elbow and tip for a state: an internal state `[t1, t2, dt1, dt2]`
 * (`env.state`) or an observation `[cos t1, sin t1, cos t2, sin t2, dt1, dt2]`.
 */
export function armPositions(state: ArrayLike<number>): ArmPositions {
  if (state.length >= 6) return linkPositions([Math.atan2(state[1], state[0]), Math.atan2(state[3], state[2])]);
  return linkPositions(state);
}

/** Indices of the states to animate: every k-th, plus the last and the highest tip; at most `maxFrames`. */
export function frameIndices(n: number, every: number, maxFrames: number, keep: readonly number[] = []): number[] {
  if (n <= 0) return [];
  const extra = keep.filter((i) => i >= 0 && i < n);
  const budget = Math.max(1, maxFrames - extra.length - 1);
  const k = Math.max(1, Math.floor(every), n > maxFrames ? Math.ceil(n / budget) : 1);
  const set = new Set<number>();
  for (let i = 0; i < n; i += k) set.add(i);
  set.add(n - 1);
  for (const i of extra) set.add(i);
  return [...set].sort((a, b) => a - b);
}

/**
 * An episode as a Plotly animation: Play/Pause buttons and a slider over the
 * steps. `states[i]` is the state after i steps (states[0] the reset state).
 */
export function episodeAnimationFigure(states: readonly ArrayLike<number>[], opts: EpisodeAnimationOptions = {}): PlotlyFigure {
  const dt = opts.dt ?? DT;
  const trailLength = Math.max(0, Math.floor(opts.trail ?? 10));
  const positions = states.map(armPositions);
  let highest = 0;
  positions.forEach((p, i) => {
    if (p.tip[1] > positions[highest].tip[1]) highest = i;
  });
  const indices = frameIndices(states.length, opts.every ?? 1, opts.maxFrames ?? 300, [highest]);
  const stride = indices.length > 1 ? (indices[indices.length - 1] - indices[0]) / (indices.length - 1) : 1;
  const frameMs = Math.max(20, Math.round((1000 * stride) / (opts.stepsPerSecond ?? 15)));

  const armAt = (i: number) => {
    const p = positions[i];
    return { x: [0, p.elbow[0], p.tip[0]], y: [0, p.elbow[1], p.tip[1]] };
  };
  const trailAt = (i: number) => {
    const from = Math.max(0, i - trailLength);
    const seg = trailLength > 0 ? positions.slice(from, i + 1) : [];
    return { x: seg.map((p) => p.tip[0]), y: seg.map((p) => p.tip[1]) };
  };
  const first = indices.length > 0 ? indices[0] : -1;
  const empty = { x: [] as number[], y: [] as number[] };
  const c = ACROBOT_COLORS;
  const data: ScatterTrace[] = [
    { type: "scatter", mode: "lines", name: "tip path", ...(first >= 0 ? trailAt(first) : empty), line: { color: c.trail, width: 2 }, opacity: 0.35, showlegend: false, hoverinfo: "skip" },
    {
      type: "scatter", mode: "lines+markers", name: "arm", uid: ARM_UID, ...(first >= 0 ? armAt(first) : empty),
      line: { color: c.link, width: 8 }, marker: { color: [c.joint, c.joint, c.tip], size: [12, 12, 14] },
      showlegend: false, hovertemplate: "(%{x:.2f}, %{y:.2f})<extra></extra>",
    },
  ];
  const frames: PlotlyFrame[] = indices.map((i) => ({ name: String(i), traces: [0, 1], data: [trailAt(i), armAt(i)] }));
  const still: AnimateOptions = { mode: "immediate", frame: { duration: 0, redraw: false }, transition: { duration: 0 } };
  const steps: SliderStep[] = indices.map((i) => ({ label: `${i} \u00b7 ${(i * dt).toFixed(1)} s`, method: "animate", args: [[String(i)], still] }));
  const extent = 2.2;
  const lastStep = Math.max(0, states.length - 1);
  return {
    data,
    frames,
    layout: {
      title: { text: opts.title ?? `Acrobot episode: ${lastStep} steps, ${(lastStep * dt).toFixed(1)} s` },
      // A fixed square view: "domain" shrinks the plot area to a square instead of widening the x range.
      xaxis: { range: [-extent, extent], autorange: false, constrain: "domain", zeroline: false, showgrid: false, showticklabels: false, fixedrange: true },
      yaxis: { range: [-extent, extent], autorange: false, constrain: "domain", scaleanchor: "x", scaleratio: 1, zeroline: false, showgrid: false, showticklabels: false, fixedrange: true },
      shapes: [{ type: "line", xref: "x", yref: "y", x0: -extent, x1: extent, y0: 1, y1: 1, line: { color: c.target, width: 2, dash: "dash" }, layer: "below" }],
      plot_bgcolor: "#fafafa",
      annotations: [{ text: "goal: tip above this line", x: extent - 0.05, y: 1, xref: "x", yref: "y", showarrow: false, xanchor: "right", yanchor: "bottom", font: { color: c.target, size: 11 } }],
      showlegend: false,
      height: 560,
      margin: { t: 50, b: 20, l: 20, r: 20 },
      updatemenus: [{
        type: "buttons", showactive: false, direction: "left", x: 0, y: 0, xanchor: "left", yanchor: "top", pad: { t: 60, r: 10 },
        buttons: [
          { label: "Play", method: "animate", args: [null, { mode: "immediate", fromcurrent: true, frame: { duration: frameMs, redraw: false }, transition: { duration: 0 } }] },
          { label: "Pause", method: "animate", args: [[null], still] },
        ],
      }],
      sliders: [{ active: 0, steps, currentvalue: { prefix: "step ", visible: true, xanchor: "right" }, pad: { t: 50, b: 10 }, x: 0.15, len: 0.85, y: 0 }],
    },
  };
}

// ---------------------------------------------------------------- static pictures

export interface SvgSize {
  width?: number;
  height?: number;
}

/**
 * The figure as a static SVG: line charts with their bands, solved bar and
 * legend; an Acrobot animation as its frame with the highest tip (the moment
 * that matters: for a solved episode, the tip above the line).
 */
export function figureToSvg(fig: PlotlyFigure, size: SvgSize = {}): string {
  const title = fig.layout.title?.text;
  const armIndex = fig.data.findIndex((t) => t.uid === ARM_UID);
  if (armIndex >= 0) return animationToSvg(fig, armIndex, size);

  const lines: SvgLine[] = [];
  const bands: SvgBand[] = [];
  fig.data.forEach((t, i) => {
    if (t.fill === "tonexty" && i > 0) {
      const lower = fig.data[i - 1];
      bands.push({ x: t.x, lower: lower.y.map(orNaN), upper: t.y.map(orNaN), color: t.fillcolor ?? withAlpha(t.line?.color ?? PALETTE[0], 0.2), opacity: 1 });
    }
  });
  fig.data.forEach((t, i) => {
    const width = t.line?.width ?? 2;
    if (!t.mode.includes("lines") || width <= 0) return; // band edges are drawn with width 0
    lines.push({
      x: t.x, y: t.y, color: t.line?.color ?? PALETTE[i % PALETTE.length], width, opacity: t.opacity, dash: t.line?.dash,
      name: t.name, showInLegend: t.showlegend !== false,
    });
  });
  const refLines: SvgRefLine[] = (fig.layout.shapes ?? [])
    .filter((s) => s.type === "line" && s.yref === "y" && s.y0 === s.y1)
    .map((s) => ({
      y: s.y0, color: s.line?.color, dash: s.line?.dash, width: s.line?.width,
      label: (fig.layout.annotations ?? []).find((a) => a.yref === "y" && a.y === s.y0)?.text,
    }));
  return lineChartSvg({
    title, lines, bands, refLines, width: size.width, height: size.height,
    xLabel: fig.layout.xaxis?.title?.text, yLabel: fig.layout.yaxis?.title?.text,
    xRange: fig.layout.xaxis?.range, yRange: fig.layout.yaxis?.range,
    legendTitle: fig.layout.legend?.title?.text,
  });
}

function orNaN(v: number | null): number {
  return v === null ? NaN : v;
}

function animationToSvg(fig: PlotlyFigure, armIndex: number, size: SvgSize): string {
  const frames = fig.frames ?? [];
  const armOf = (f: PlotlyFrame) => f.data[f.traces.indexOf(armIndex)];
  let best: PlotlyFrame | null = null;
  let bestTip = -Infinity;
  for (const f of frames) {
    const ys = armOf(f)?.y;
    const tip = ys && ys.length === 3 ? ys[2] : null;
    if (tip !== null && tip !== undefined && tip > bestTip) [best, bestTip] = [f, tip];
  }
  const arm = best ? armOf(best) : fig.data[armIndex];
  const xs = arm?.x ?? [], ys = arm?.y ?? [];
  const at = (k: number): [number, number] => [xs[k] ?? 0, ys[k] ?? 0];
  const trailTrace = best ? best.data.find((_, j) => best !== null && best.traces[j] !== armIndex) : undefined;
  const trail: [number, number][] = trailTrace?.x && trailTrace.y ? trailTrace.x.map((x, k) => [x, orNaN(trailTrace.y?.[k] ?? null)]) : [];
  const label = best ? fig.layout.sliders?.[0]?.steps.find((s) => s.args[0]?.[0] === best?.name)?.label ?? best.name : undefined;
  const tipHeight = ys.length === 3 ? ys[2] : null;
  const caption = label !== undefined
    ? `highest tip: step ${label}${tipHeight !== null ? `, height ${tipHeight.toFixed(2)}` : ""}`
    : undefined;
  return acrobotFrameSvg({ elbow: at(1), tip: at(2) }, { title: fig.layout.title?.text, caption, trail, size: size.width ?? size.height });
}
