/**
 * The small part of Plotly's figure schema our charts use, typed so callers
 * get checked objects instead of `any`. A figure is plain JSON: it is sent to
 * the browser as is and handed to `Plotly.newPlot` / `Plotly.addFrames`.
 * Everything else Plotly accepts can still be set through the index
 * signatures (typed `unknown`, so nothing untyped leaks back out).
 */
import type { Dash } from "./svg-chart";

export type { Dash };

export interface LineStyle {
  color?: string;
  width?: number;
  dash?: Dash;
}

export interface MarkerStyle {
  color?: string | string[];
  size?: number | number[];
  line?: { color?: string; width?: number };
}

/** A scatter trace (lines and/or markers). */
export interface ScatterTrace {
  type: "scatter";
  x: number[];
  /** null leaves a gap. */
  y: (number | null)[];
  mode: "lines" | "markers" | "lines+markers";
  name?: string;
  /** Identifies a trace across updates; our animation marks its arm with it. */
  uid?: string;
  line?: LineStyle;
  marker?: MarkerStyle;
  opacity?: number;
  /** "tonexty" fills down to the previous trace: how bands are drawn. */
  fill?: "none" | "tonexty" | "toself";
  fillcolor?: string;
  showlegend?: boolean;
  legendgroup?: string;
  hoverinfo?: string;
  hovertemplate?: string;
  customdata?: number[];
  [key: string]: unknown;
}

export interface AxisLayout {
  title?: { text: string };
  range?: [number, number];
  autorange?: boolean;
  scaleanchor?: string;
  scaleratio?: number;
  zeroline?: boolean;
  showgrid?: boolean;
  showticklabels?: boolean;
  fixedrange?: boolean;
  [key: string]: unknown;
}

/** A line shape; with xref "paper" and y0 === y1 it is a horizontal line across the plot. */
export interface LineShape {
  type: "line";
  xref: "x" | "paper";
  yref: "y" | "paper";
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  line?: LineStyle;
  layer?: "above" | "below";
}

export interface Annotation {
  text: string;
  x: number;
  y: number;
  xref: "x" | "paper";
  yref: "y" | "paper";
  showarrow?: boolean;
  xanchor?: "left" | "center" | "right";
  yanchor?: "top" | "middle" | "bottom";
  font?: { color?: string; size?: number };
}

/** Options of `Plotly.animate`, as buttons and slider steps pass them. */
export interface AnimateOptions {
  mode?: "immediate" | "next" | "afterall";
  fromcurrent?: boolean;
  frame?: { duration: number; redraw: boolean };
  transition?: { duration: number; easing?: string };
}

/** `[frame names or null (all frames), options]`; `[null]` as the first item stops a running animation. */
export type AnimateArgs = [string[] | null[] | null, AnimateOptions];

export interface AnimateButton {
  label: string;
  method: "animate";
  args: AnimateArgs;
}

export interface UpdateMenu {
  type: "buttons";
  buttons: AnimateButton[];
  direction?: "left" | "right";
  showactive?: boolean;
  x?: number;
  y?: number;
  xanchor?: "left" | "right";
  yanchor?: "top" | "bottom";
  pad?: { t?: number; r?: number; b?: number; l?: number };
}

export interface SliderStep {
  label: string;
  method: "animate";
  args: AnimateArgs;
}

export interface Slider {
  steps: SliderStep[];
  active?: number;
  currentvalue?: { prefix?: string; visible?: boolean; xanchor?: "left" | "right" };
  pad?: { t?: number; b?: number };
  x?: number;
  len?: number;
  y?: number;
  [key: string]: unknown;
}

export interface PlotlyLayout {
  title?: { text: string };
  xaxis?: AxisLayout;
  yaxis?: AxisLayout;
  shapes?: LineShape[];
  annotations?: Annotation[];
  legend?: { title?: { text: string; side?: "top" | "left" }; orientation?: "h" | "v"; x?: number; y?: number; xanchor?: string; yanchor?: string };
  updatemenus?: UpdateMenu[];
  sliders?: Slider[];
  width?: number;
  height?: number;
  hovermode?: "closest" | "x" | "x unified" | false;
  margin?: { l?: number; r?: number; t?: number; b?: number };
  [key: string]: unknown;
}

/** One animation frame: new data for the traces listed in `traces`. */
export interface PlotlyFrame {
  name: string;
  traces: number[];
  data: Partial<ScatterTrace>[];
}

export interface PlotlyFigure {
  data: ScatterTrace[];
  layout: PlotlyLayout;
  frames?: PlotlyFrame[];
  /** Passed as `Plotly.newPlot`'s config (merged over `{responsive: true}`). */
  config?: Record<string, unknown>;
}
