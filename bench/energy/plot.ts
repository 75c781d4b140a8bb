/**
 * The energy-accuracy plot as a standalone SVG: millijoules per identification (log scale) against
 * LFW View 2 accuracy, one mark per option and link (LoRa at SF7 and SF12 joined by a line, BLE
 * alone). Options without a measured accuracy are left out and named in the caption.
 */
import type { EnergyResult } from './model.js';

const W = 900, H = 480, LEFT = 70, RIGHT = 300, TOP = 40, BOTTOM = 76;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The SVG text of the plot of `results`. */
export function energyAccuracySvg(results: readonly EnergyResult[]): string {
  const shown = results.filter((r) => r.accuracy !== undefined);
  const energies = shown.flatMap((r) => Object.values(r.totalMj));
  const lo = Math.floor(Math.log10(Math.min(...energies))), hi = Math.ceil(Math.log10(Math.max(...energies)));
  const accs = shown.map((r) => r.accuracy!);
  const yLo = Math.floor(Math.min(...accs) / 10) * 10, yHi = 100;
  const x = (mj: number) => LEFT + ((Math.log10(mj) - lo) / (hi - lo)) * (W - LEFT - RIGHT);
  const y = (acc: number) => TOP + ((yHi - acc) / (yHi - yLo)) * (H - TOP - BOTTOM);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${LEFT}" y="22" font-size="14" font-weight="bold">Energy per identification vs LFW View 2 accuracy</text>`,
  ];
  for (let e = lo; e <= hi; e++) {
    parts.push(`<line x1="${x(10 ** e)}" y1="${TOP}" x2="${x(10 ** e)}" y2="${H - BOTTOM}" stroke="#ddd"/>`,
      `<text x="${x(10 ** e)}" y="${H - BOTTOM + 16}" text-anchor="middle">${10 ** e >= 1 ? 10 ** e : (10 ** e).toPrecision(1)}</text>`);
  }
  for (let a = yLo; a <= yHi; a += 10) {
    parts.push(`<line x1="${LEFT}" y1="${y(a)}" x2="${W - RIGHT}" y2="${y(a)}" stroke="#ddd"/>`,
      `<text x="${LEFT - 6}" y="${y(a) + 4}" text-anchor="end">${a}%</text>`);
  }
  parts.push(`<text x="${(LEFT + W - RIGHT) / 2}" y="${H - BOTTOM + 34}" text-anchor="middle">mJ per identification (log scale): device compute + radio</text>`,
    `<text transform="translate(18 ${(TOP + H - BOTTOM) / 2}) rotate(-90)" text-anchor="middle">LFW View 2 accuracy</text>`);
  shown.forEach((r, i) => {
    const colour = `hsl(${(i * 67) % 360} 65% 40%)`, yy = y(r.accuracy!);
    if (r.link === 'ble') {
      const xx = x(r.totalMj[0]!);
      parts.push(`<path d="M ${xx} ${yy - 6} L ${xx + 6} ${yy} L ${xx} ${yy + 6} L ${xx - 6} ${yy} Z" fill="${colour}"/>`);
    } else {
      const a = x(r.totalMj[7]!), b = x(r.totalMj[12]!);
      parts.push(`<line x1="${a}" y1="${yy}" x2="${b}" y2="${yy}" stroke="${colour}" stroke-width="2"/>`,
        `<circle cx="${a}" cy="${yy}" r="5" fill="${colour}"/>`, `<circle cx="${b}" cy="${yy}" r="5" fill="white" stroke="${colour}" stroke-width="2"/>`);
    }
    // a legend on the right: the marks sit too close to label in place
    const ly = TOP + 10 + i * 20;
    parts.push(`<rect x="${W - RIGHT + 20}" y="${ly - 9}" width="12" height="12" fill="${colour}"/>`,
      `<text x="${W - RIGHT + 38}" y="${ly + 1}">${esc(`${r.name}: ${r.accuracy}%`)}</text>`);
  });
  const left = results.filter((r) => r.accuracy === undefined).map((r) => r.name);
  parts.push(`<text x="${LEFT}" y="${H - 24}" font-size="11" fill="#555">LoRa (SX1262, +14 dBm): filled mark SF7, open mark SF12; BLE (nRF52840, 0 dBm): diamond. Compute: nRF52840 at 64 MHz.</text>`);
  if (left.length) parts.push(`<text x="${LEFT}" y="${H - 8}" font-size="11" fill="#555">${esc(`No LFW accuracy measured, so not drawn: ${left.join(', ')}.`)}</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
