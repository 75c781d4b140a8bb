/**
 * An ROC plot as a standalone SVG file: true accept rate against false accept rate on a log axis,
 * one polyline per method, a legend with each method's bytes per face. No dependencies; the
 * output is plain SVG 1.1 that browsers and image viewers open.
 */
import type { RocCurve } from './metrics.js';

/** One curve of the plot. */
export interface RocSeries {
  name: string;
  curve: RocCurve;
  /** Shown in the legend, e.g. `"31 B"`. */
  note?: string;
}

/** Options for {@link rocSvg}. */
export interface RocSvgOptions {
  title?: string;
  /** Left end of the FAR axis (a power of ten). @default 1e-4 */
  minFar?: number;
  /** @default 720 */
  width?: number;
  /** @default 480 */
  height?: number;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939'];
const MARGIN = { left: 60, right: 210, top: 36, bottom: 48 };

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Renders the ROC curves of `series` (FAR on a log axis from `minFar` to 1, TAR from 0 to 1). */
export function rocSvg(series: readonly RocSeries[], options: RocSvgOptions = {}): string {
  const { title = 'ROC', minFar = 1e-4, width = 720, height = 480 } = options;
  const plotW = width - MARGIN.left - MARGIN.right, plotH = height - MARGIN.top - MARGIN.bottom;
  const decades = Math.round(-Math.log10(minFar));
  const x = (far: number) => MARGIN.left + (plotW * (Math.log10(Math.max(far, minFar)) + decades)) / decades;
  const y = (tar: number) => MARGIN.top + plotH * (1 - tar);
  const f = (v: number) => v.toFixed(1);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${f(MARGIN.left + plotW / 2)}" y="22" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  ];
  // Grid and axes.
  for (let d = 0; d <= decades; d++) {
    const gx = f(MARGIN.left + (plotW * d) / decades);
    parts.push(`<line x1="${gx}" y1="${MARGIN.top}" x2="${gx}" y2="${MARGIN.top + plotH}" stroke="#ddd"/>`);
    parts.push(`<text x="${gx}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">1e${d - decades}</text>`);
  }
  for (let t = 0; t <= 10; t += 2) {
    const gy = f(y(t / 10));
    parts.push(`<line x1="${MARGIN.left}" y1="${gy}" x2="${MARGIN.left + plotW}" y2="${gy}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${gy}" text-anchor="end" dominant-baseline="middle">${(t / 10).toFixed(1)}</text>`);
  }
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="black"/>`);
  parts.push(`<text x="${f(MARGIN.left + plotW / 2)}" y="${height - 10}" text-anchor="middle">false accept rate (log)</text>`);
  parts.push(`<text x="16" y="${f(MARGIN.top + plotH / 2)}" text-anchor="middle" transform="rotate(-90 16 ${f(MARGIN.top + plotH / 2)})">true accept rate</text>`);

  series.forEach((s, i) => {
    // Past the palette, colours repeat dashed; ours (facevq:*) are drawn thicker.
    const colour = COLOURS[i % COLOURS.length]!;
    const dash = i >= COLOURS.length ? ' stroke-dasharray="6 3"' : '';
    const width = s.name.startsWith('facevq:') ? 2.5 : 1.5;
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="${width}"${dash} points="${polylinePoints(s.curve, x, y)}"/>`);
    const ly = MARGIN.top + 8 + i * 18;
    const lx = MARGIN.left + plotW + 12;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${colour}" stroke-width="3"${dash}/>`);
    const label = s.note ? `${s.name} (${s.note})` : s.name;
    parts.push(`<text x="${lx + 24}" y="${ly}" dominant-baseline="middle">${escapeXml(label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/**
 * The curve through its corner points, with points closer than half a pixel merged so 6,000-pair
 * curves stay small. Consecutive corners differ in one coordinate unless genuine and impostor
 * scores tie; such a segment is straight in linear FAR, so it is drawn through interpolated points
 * to stay true on the log axis.
 */
function polylinePoints(curve: RocCurve, x: (far: number) => number, y: (tar: number) => number): string {
  const out: string[] = [];
  let lastX = NaN, lastY = NaN;
  const push = (px: number, py: number) => {
    if (Math.abs(px - lastX) < 0.5 && Math.abs(py - lastY) < 0.5) return;
    out.push(`${px.toFixed(1)},${py.toFixed(1)}`);
    lastX = px; lastY = py;
  };
  for (let i = 0; i < curve.far.length; i++) {
    const far = curve.far[i]!, tar = curve.tar[i]!;
    if (i > 0 && far !== curve.far[i - 1] && tar !== curve.tar[i - 1]) {
      const f0 = curve.far[i - 1]!, t0 = curve.tar[i - 1]!;
      for (let k = 1; k < 32; k++) push(x(f0 + ((far - f0) * k) / 32), y(t0 + ((tar - t0) * k) / 32));
    }
    push(x(far), y(tar));
  }
  return out.join(' ');
}
