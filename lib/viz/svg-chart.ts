/**
 * Static SVG pictures, built as plain strings (no browser, no DOM).
 *
 * They are the fallback for every interactive chart: a notebook reopened
 * untrusted has its scripts stripped, but an <img> with an SVG data URI still
 * shows, so a saved notebook keeps its curves. Only what our charts need:
 * line traces, filled bands, horizontal reference lines, axes, title, legend;
 * and one frame of the Acrobot.
 */

export type Dash = "solid" | "dash" | "dot" | "dashdot";

/** One polyline; null or non-finite y values break the line (a gap, as in Plotly). */
export interface SvgLine {
  x: ArrayLike<number>;
  y: ArrayLike<number | null>;
  color: string;
  width?: number;
  /** 0..1, for faint background traces. */
  opacity?: number;
  dash?: Dash;
  /** Shown in the legend when given (and `showInLegend` is not false). */
  name?: string;
  showInLegend?: boolean;
}

/** A filled area between `lower` and `upper` (e.g. min..max across seeds). */
export interface SvgBand {
  x: ArrayLike<number>;
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  color: string;
  /** Fill opacity, default 0.2. */
  opacity?: number;
  name?: string;
  showInLegend?: boolean;
}

/** A horizontal line across the plot, e.g. the "solved" bar. */
export interface SvgRefLine {
  y: number;
  label?: string;
  color?: string;
  dash?: Dash;
  width?: number;
}

export interface LineChartSpec {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Pixels; default 760 x 380. */
  width?: number;
  height?: number;
  lines?: SvgLine[];
  bands?: SvgBand[];
  refLines?: SvgRefLine[];
  /** Fixed axis ranges; by default the data's extent (y padded by 5%). */
  xRange?: [number, number];
  yRange?: [number, number];
  /** A heading for the legend, e.g. what the bands mean. */
  legendTitle?: string;
}

export const DEFAULT_WIDTH = 760;
export const DEFAULT_HEIGHT = 380;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

/** Escapes text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

/** A coordinate with one decimal: enough for pixels, keeps the file small. */
function px(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) ? "0" : String(r);
}

const DASH_ARRAY: Record<Dash, string | null> = { solid: null, dash: "6,4", dot: "2,3", dashdot: "6,3,2,3" };

function dashAttr(dash: Dash | undefined): string {
  const d = DASH_ARRAY[dash ?? "solid"];
  return d === null ? "" : ` stroke-dasharray="${d}"`;
}

/**
 * Splits "rgba(r,g,b,a)" into an opaque color and an alpha, because some SVG
 * consumers (older image tools) ignore rgba() in fill/stroke attributes.
 */
export function splitColor(color: string): { color: string; alpha: number } {
  const m = /^rgba\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*\)$/i.exec(color.trim());
  if (m === null) return { color, alpha: 1 };
  return { color: `rgb(${m[1]},${m[2]},${m[3]})`, alpha: Number(m[4]) };
}

/** About five to eight round tick values inside [lo, hi] (steps of 1, 2, 2.5 or 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
  const ticks: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  for (let k = first; k * step <= hi + step * 1e-9; k++) {
    ticks.push(Math.round(k * step * 1e9) / 1e9 + 0); // drop float noise (0.30000000000000004) and -0
  }
  return ticks;
}

/** Tick label with as many decimals as the tick step needs (0.5 -> 1, 2.5 -> 1, 0.25 -> 2). */
function tickLabel(v: number, step: number): string {
  let decimals = 0;
  while (decimals < 6 && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-6) decimals++;
  const s = v.toFixed(decimals);
  return Number(s) === 0 ? (0).toFixed(decimals) : s; // no "-0"
}

function finiteExtent(values: Iterable<number | null>, into: [number, number]): void {
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < into[0]) into[0] = v;
    if (v > into[1]) into[1] = v;
  }
}

/** Rough text width at 12px, for laying out the legend without a font engine. */
function textWidth(s: string, size = 12): number {
  return s.length * size * 0.56;
}

interface Scale {
  x: (v: number) => number;
  y: (v: number) => number;
}

/**
 * Path data for a line, with "M" restarting after gaps. Long series are
 * reduced to the first, lowest, highest and last point of each pixel column,
 * which draws the same picture with a few thousand points at most.
 */
function linePath(xs: ArrayLike<number>, ys: ArrayLike<number | null>, s: Scale): string {
  const n = Math.min(xs.length, ys.length);
  const parts: string[] = [];
  let penDown = false;
  let column = NaN;
  let bucket: [number, number][] = [];
  const flush = () => {
    if (bucket.length === 0) return;
    let lo = bucket[0], hi = bucket[0];
    for (const p of bucket) {
      if (p[1] > lo[1]) lo = p; // screen y grows downwards
      if (p[1] < hi[1]) hi = p;
    }
    const first = bucket[0], last = bucket[bucket.length - 1];
    const keep = [first, lo, hi, last].filter((p, i, all) => all.indexOf(p) === i);
    keep.sort((a, b) => bucket.indexOf(a) - bucket.indexOf(b));
    for (const p of keep) {
      parts.push(`${penDown ? "L" : "M"}${px(p[0])},${px(p[1])}`);
      penDown = true;
    }
    bucket = [];
  };
  for (let i = 0; i < n; i++) {
    const xv = xs[i], yv = ys[i];
    if (yv === null || !Number.isFinite(yv) || !Number.isFinite(xv)) {
      flush();
      penDown = false;
      column = NaN;
      continue;
    }
    const p: [number, number] = [s.x(xv), s.y(yv)];
    const c = Math.floor(p[0]);
    if (c !== column) {
      flush();
      column = c;
    }
    bucket.push(p);
  }
  flush();
  return parts.join("");
}

/** Polygon points for a band: along the upper edge, back along the lower one. */
function bandPoints(b: SvgBand, s: Scale): string {
  const upper: string[] = [];
  const lower: string[] = [];
  const n = Math.min(b.x.length, b.lower.length, b.upper.length);
  for (let i = 0; i < n; i++) {
    const x = b.x[i], lo = b.lower[i], hi = b.upper[i];
    if (!Number.isFinite(x) || !Number.isFinite(lo) || !Number.isFinite(hi)) continue;
    upper.push(`${px(s.x(x))},${px(s.y(hi))}`);
    lower.push(`${px(s.x(x))},${px(s.y(lo))}`);
  }
  return upper.concat(lower.reverse()).join(" ");
}

interface LegendEntry {
  name: string;
  color: string;
  kind: "line" | "band";
  width?: number;
  dash?: Dash;
  opacity?: number;
}

/** Lays out legend entries in rows under the title; returns the SVG and the height used. */
function legend(entries: LegendEntry[], title: string | undefined, left: number, top: number, maxWidth: number): { svg: string; height: number } {
  if (entries.length === 0) return { svg: "", height: 0 };
  const rowHeight = 18;
  const out: string[] = [];
  let x = left, y = top + 12;
  if (title) {
    out.push(`<text x="${px(x)}" y="${px(y)}" font-size="12" font-style="italic" fill="#444">${escapeXml(title)}</text>`);
    x += textWidth(title) + 16;
  }
  for (const e of entries) {
    const w = 26 + textWidth(e.name) + 16;
    if (x + w > left + maxWidth && x > left) {
      x = left;
      y += rowHeight;
    }
    const { color, alpha } = splitColor(e.color);
    if (e.kind === "band") {
      out.push(`<rect x="${px(x)}" y="${px(y - 9)}" width="20" height="10" fill="${escapeXml(color)}" fill-opacity="${alpha * (e.opacity ?? 0.2)}"/>`);
    } else {
      out.push(
        `<line x1="${px(x)}" y1="${px(y - 4)}" x2="${px(x + 20)}" y2="${px(y - 4)}" stroke="${escapeXml(color)}" stroke-width="${Math.min(e.width ?? 2, 4)}" stroke-opacity="${alpha * (e.opacity ?? 1)}"${dashAttr(e.dash)}/>`,
      );
    }
    out.push(`<text x="${px(x + 26)}" y="${px(y)}" font-size="12" fill="#222">${escapeXml(e.name)}</text>`);
    x += w;
  }
  return { svg: out.join(""), height: y - top + 8 };
}

/** A complete, standalone line chart as an `<svg>` string. */
export function lineChartSvg(spec: LineChartSpec): string {
  const width = spec.width ?? DEFAULT_WIDTH;
  const height = spec.height ?? DEFAULT_HEIGHT;
  const lines = spec.lines ?? [];
  const bands = spec.bands ?? [];
  const refs = (spec.refLines ?? []).filter((r) => Number.isFinite(r.y));

  // Data extent over everything drawn.
  const xr: [number, number] = [Infinity, -Infinity];
  const yr: [number, number] = [Infinity, -Infinity];
  for (const l of lines) {
    const n = Math.min(l.x.length, l.y.length);
    for (let i = 0; i < n; i++) {
      const yv = l.y[i];
      if (yv === null || !Number.isFinite(yv) || !Number.isFinite(l.x[i])) continue;
      finiteExtent([l.x[i]], xr);
      finiteExtent([yv], yr);
    }
  }
  for (const b of bands) {
    finiteExtent(Array.from(b.x), xr);
    finiteExtent(Array.from(b.lower), yr);
    finiteExtent(Array.from(b.upper), yr);
  }
  finiteExtent(refs.map((r) => r.y), yr);
  let [x0, x1] = spec.xRange ?? (xr[0] <= xr[1] ? xr : [0, 1]);
  let [y0, y1] = spec.yRange ?? (yr[0] <= yr[1] ? yr : [0, 1]);
  if (x0 === x1) [x0, x1] = [x0 - 0.5, x1 + 0.5];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  if (!spec.yRange) {
    const pad = (y1 - y0) * 0.05;
    [y0, y1] = [y0 - pad, y1 + pad];
  }

  // Layout: title, legend rows, plot, axis labels.
  const marginLeft = spec.yLabel ? 70 : 56;
  const marginRight = 20;
  let top = 10;
  const parts: string[] = [];
  if (spec.title) {
    parts.push(`<text x="${px(width / 2)}" y="${px(top + 16)}" text-anchor="middle" font-size="16" font-weight="bold" fill="#222">${escapeXml(spec.title)}</text>`);
    top += 26;
  }
  const entries: LegendEntry[] = [];
  for (const b of bands) if (b.name && b.showInLegend !== false) entries.push({ name: b.name, color: b.color, kind: "band", opacity: b.opacity });
  for (const l of lines) {
    if (l.name && l.showInLegend !== false) entries.push({ name: l.name, color: l.color, kind: "line", width: l.width, dash: l.dash, opacity: l.opacity });
  }
  const leg = legend(entries, spec.legendTitle, marginLeft, top, width - marginLeft - marginRight);
  parts.push(leg.svg);
  top += leg.height + (leg.height > 0 ? 6 : 4);
  const bottom = height - (spec.xLabel ? 46 : 30);
  const right = width - marginRight;
  const plotW = Math.max(10, right - marginLeft);
  const plotH = Math.max(10, bottom - top);
  const s: Scale = {
    x: (v) => marginLeft + ((v - x0) / (x1 - x0)) * plotW,
    y: (v) => bottom - ((v - y0) / (y1 - y0)) * plotH,
  };

  // Grid, ticks and axis labels.
  const xt = niceTicks(x0, x1, Math.max(2, Math.round(plotW / 90)));
  const yt = niceTicks(y0, y1, Math.max(3, Math.round(plotH / 36)));
  const xStep = xt.length > 1 ? xt[1] - xt[0] : 1;
  const yStep = yt.length > 1 ? yt[1] - yt[0] : 1;
  parts.push(`<rect x="${px(marginLeft)}" y="${px(top)}" width="${px(plotW)}" height="${px(plotH)}" fill="#fafafa" stroke="#ccc"/>`);
  for (const t of yt) {
    const yy = s.y(t);
    parts.push(`<line x1="${px(marginLeft)}" y1="${px(yy)}" x2="${px(right)}" y2="${px(yy)}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${px(marginLeft - 6)}" y="${px(yy + 4)}" text-anchor="end" font-size="11" fill="#555">${escapeXml(tickLabel(t, yStep))}</text>`);
  }
  for (const t of xt) {
    const xx = s.x(t);
    parts.push(`<line x1="${px(xx)}" y1="${px(top)}" x2="${px(xx)}" y2="${px(bottom)}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${px(xx)}" y="${px(bottom + 16)}" text-anchor="middle" font-size="11" fill="#555">${escapeXml(tickLabel(t, xStep))}</text>`);
  }
  if (spec.xLabel) {
    parts.push(`<text x="${px(marginLeft + plotW / 2)}" y="${px(height - 10)}" text-anchor="middle" font-size="12" fill="#333">${escapeXml(spec.xLabel)}</text>`);
  }
  if (spec.yLabel) {
    const cy = top + plotH / 2;
    parts.push(`<text x="14" y="${px(cy)}" text-anchor="middle" font-size="12" fill="#333" transform="rotate(-90 14 ${px(cy)})">${escapeXml(spec.yLabel)}</text>`);
  }

  // Data, clipped to the plot area; bands under lines, reference lines on top.
  const clipId = `clip${Math.round(width)}x${Math.round(height)}`;
  parts.push(`<clipPath id="${clipId}"><rect x="${px(marginLeft)}" y="${px(top)}" width="${px(plotW)}" height="${px(plotH)}"/></clipPath>`);
  parts.push(`<g clip-path="url(#${clipId})">`);
  for (const b of bands) {
    const pts = bandPoints(b, s);
    if (pts === "") continue;
    const { color, alpha } = splitColor(b.color);
    parts.push(`<polygon class="band" points="${pts}" fill="${escapeXml(color)}" fill-opacity="${alpha * (b.opacity ?? 0.2)}" stroke="none"/>`);
  }
  for (const l of lines) {
    const d = linePath(l.x, l.y, s);
    if (d === "") continue;
    const { color, alpha } = splitColor(l.color);
    const opacity = alpha * (l.opacity ?? 1);
    parts.push(
      `<path class="trace" d="${d}" fill="none" stroke="${escapeXml(color)}" stroke-width="${l.width ?? 2}"` +
        `${opacity < 1 ? ` stroke-opacity="${opacity}"` : ""} stroke-linejoin="round"${dashAttr(l.dash)}/>`,
    );
  }
  for (const r of refs) {
    const yy = s.y(r.y);
    const { color, alpha } = splitColor(r.color ?? "#2ca02c");
    parts.push(`<line class="refline" x1="${px(marginLeft)}" y1="${px(yy)}" x2="${px(right)}" y2="${px(yy)}" stroke="${escapeXml(color)}" stroke-opacity="${alpha}" stroke-width="${r.width ?? 2}"${dashAttr(r.dash ?? "dash")}/>`);
  }
  parts.push("</g>");
  for (const r of refs) {
    if (!r.label) continue;
    const yy = s.y(r.y);
    const above = yy - 5 > top + 10;
    // A translucent box behind the label keeps it readable where curves cross it.
    const ty = above ? yy - 5 : yy + 14;
    const tw = textWidth(r.label) * 1.08 + 6; // bold text is a little wider than the estimate
    parts.push(`<rect x="${px(right - 1 - tw)}" y="${px(ty - 12)}" width="${px(tw)}" height="16" fill="#ffffff" fill-opacity="0.75"/>`);
    parts.push(
      `<text x="${px(right - 4)}" y="${px(ty)}" text-anchor="end" font-size="12" font-weight="bold" ` +
        `fill="${escapeXml(splitColor(r.color ?? "#2ca02c").color)}">${escapeXml(r.label)}</text>`,
    );
  }
  return svgDocument(width, height, parts.join(""));
}

function svgDocument(width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" ${FONT}>` +
    `<rect width="100%" height="100%" fill="#ffffff"/>${body}</svg>`
  );
}

/** Elbow and tip of the arm, pivot at the origin (as `linkPositions` returns them). */
export interface ArmPositions {
  elbow: [number, number];
  tip: [number, number];
}

export interface AcrobotFrameOptions {
  /** Side of the square drawing area in pixels (default 380). */
  size?: number;
  title?: string;
  /** One line under the drawing, e.g. "step 57 of 112, t = 11.4 s". */
  caption?: string;
  /** Recent tip positions, drawn as a faint path. */
  trail?: [number, number][];
  /** Half-width of the square view in link lengths (default 2.2, the whole reach plus a margin). */
  extent?: number;
}

/** Colours shared with the Plotly animation, so the picture and the animation match. */
export const ACROBOT_COLORS = { link: "#1f77b4", joint: "#444444", tip: "#d62728", target: "#2ca02c", trail: "#d62728" } as const;

/**
 * One frame of the Acrobot: both links from the pivot, the joints as circles,
 * the tip marked, and the dashed target line one link length above the pivot.
 */
export function acrobotFrameSvg(pos: ArmPositions, opts: AcrobotFrameOptions = {}): string {
  const size = opts.size ?? 380;
  const extent = opts.extent ?? 2.2;
  const titleH = opts.title ? 30 : 6;
  const captionH = opts.caption ? 24 : 6;
  const width = size, height = size + titleH + captionH;
  const X = (v: number) => size / 2 + (v / extent) * (size / 2);
  const Y = (v: number) => titleH + size / 2 - (v / extent) * (size / 2);
  const c = ACROBOT_COLORS;
  const parts: string[] = [];
  if (opts.title) {
    parts.push(`<text x="${px(width / 2)}" y="20" text-anchor="middle" font-size="15" font-weight="bold" fill="#222">${escapeXml(opts.title)}</text>`);
  }
  parts.push(`<rect x="0" y="${px(titleH)}" width="${px(size)}" height="${px(size)}" fill="#fafafa" stroke="#ccc"/>`);
  // Target line at height 1 (one link length above the pivot).
  parts.push(`<line class="target" x1="${px(X(-extent))}" y1="${px(Y(1))}" x2="${px(X(extent))}" y2="${px(Y(1))}" stroke="${c.target}" stroke-width="2" stroke-dasharray="6,4"/>`);
  parts.push(`<text x="${px(X(extent) - 6)}" y="${px(Y(1) - 6)}" text-anchor="end" font-size="11" fill="${c.target}">goal: tip above this line</text>`);
  const trail = (opts.trail ?? []).filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
  if (trail.length > 1) {
    const pts = trail.map((p) => `${px(X(p[0]))},${px(Y(p[1]))}`).join(" ");
    parts.push(`<polyline class="trail" points="${pts}" fill="none" stroke="${c.trail}" stroke-width="1.5" stroke-opacity="0.35"/>`);
  }
  const [ex, ey] = pos.elbow, [tx, ty] = pos.tip;
  parts.push(
    `<polyline class="arm" points="${px(X(0))},${px(Y(0))} ${px(X(ex))},${px(Y(ey))} ${px(X(tx))},${px(Y(ty))}" fill="none" stroke="${c.link}" stroke-width="8" stroke-linecap="round" stroke-linejoin="round"/>`,
  );
  parts.push(`<circle class="joint" cx="${px(X(0))}" cy="${px(Y(0))}" r="6" fill="${c.joint}"/>`);
  parts.push(`<circle class="joint" cx="${px(X(ex))}" cy="${px(Y(ey))}" r="6" fill="${c.joint}"/>`);
  parts.push(`<circle class="tip" cx="${px(X(tx))}" cy="${px(Y(ty))}" r="7" fill="${c.tip}" stroke="#fff" stroke-width="1.5"/>`);
  if (opts.caption) {
    parts.push(`<text x="${px(width / 2)}" y="${px(titleH + size + 17)}" text-anchor="middle" font-size="12" fill="#333">${escapeXml(opts.caption)}</text>`);
  }
  return svgDocument(width, height, parts.join(""));
}
