/**
 * The evaluation's outputs: a plain-text table for people and one JSON object for machines
 * (`{ "methods": [ ... ], ... }`, the fields `facevq eval --json` promises).
 */
import type { FaceStats } from './faces.js';
import type { IdentificationResult } from './identify.js';
import type { VerificationResult } from './verify.js';

/** What the report says about the run besides the per-method numbers. */
export interface RunInfo {
  /** `lfw`, `pairs` or `identify`. */
  command: string;
  data: string;
  /** One line on the protocol used. */
  protocol: string;
  images: number;
  faces: FaceStats;
  /** One line per method: what it is exactly. */
  descriptions: Record<string, string>;
  seconds: number;
  notes: string[];
}

/** Right-aligned columns under a header, first column left-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const pct = (x: number, digits = 2) => (Number.isFinite(x) ? (100 * x).toFixed(digits) : '-');
const num = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

function preamble(info: RunInfo): string[] {
  const f = info.faces;
  return [
    `facevq eval ${info.command}: ${info.data}`,
    info.protocol,
    `${info.images} images; detections: ${f.teacherCache} from the teacher cache, ${f.ownCache} from the eval cache, ${f.detected} run now; ${f.fallback} without a detected face (fallback box)`,
    '',
  ];
}

function epilogue(info: RunInfo): string[] {
  const lines = ['', 'methods:'];
  for (const [name, d] of Object.entries(info.descriptions)) lines.push(`  ${name.padEnd(22)} ${d}`);
  if (info.notes.length) lines.push('', ...info.notes.map((n) => `note: ${n}`));
  lines.push(`time: ${num(info.seconds, 0)} s`);
  return lines;
}

/** The verification report as text. */
export function verificationText(results: readonly VerificationResult[], info: RunInfo): string {
  const rows = results.map((r) => [
    r.name,
    num(r.bytesMean),
    num(r.bytesMax, 0),
    `${pct(r.accuracyMean)} ± ${pct(r.accuracyStd)}`,
    pct(r.tarAtFar1e3),
    r.auc.toFixed(4),
    String(r.failures),
  ]);
  const table = formatTable(['method', 'bytes mean', 'max', 'accuracy % (± std)', 'TAR@FAR=1e-3 %', 'AUC', 'failed'], rows);
  return [...preamble(info), table, ...epilogue(info)].join('\n') + '\n';
}

/** The identification report as text. */
export function identificationText(results: readonly IdentificationResult[], info: RunInfo): string {
  const rows = results.map((r) => [r.name, num(r.bytesMean), num(r.bytesMax, 0), pct(r.top1, 1), pct(r.top5, 1), String(r.failures)]);
  const table = formatTable(['method', 'bytes mean', 'max', 'top-1 %', 'top-5 %', 'failed'], rows);
  return [...preamble(info), table, ...thresholdCheckText(results), ...epilogue(info)].join('\n') + '\n';
}

/** The profiles' thresholds measured on every pair of the set (methods that have thresholds). */
function thresholdCheckText(results: readonly IdentificationResult[]): string[] {
  const checked = results.filter((r) => r.thresholdCheck);
  if (checked.length === 0) return [];
  const rows = checked.flatMap((r) => Object.entries(r.thresholdCheck!.points).map(([key, p]) => [
    r.name,
    key,
    p.threshold.toFixed(4),
    `${pct(p.far, 3)} (${pct(p.farInterval95[0], 3)}-${pct(p.farInterval95[1], 3)})`,
    pct(p.gar, 1),
  ]));
  const c = checked[0]!.thresholdCheck!;
  return [
    '',
    `the profiles' thresholds on every pair of these faces (${c.impostorPairs} impostor, ${c.genuinePairs} genuine):`,
    formatTable(['method', 'nominal FAR', 'threshold', 'measured FAR % (95%)', 'GAR %'], rows),
  ];
}

/** The `--json` object for verification. */
export function verificationJson(results: readonly VerificationResult[], info: RunInfo): object {
  return {
    methods: results.map((r) => ({
      name: r.name,
      bytesMean: r.bytesMean,
      bytesMax: r.bytesMax,
      accuracyMean: r.accuracyMean,
      accuracyStd: r.accuracyStd,
      tarAtFar1e3: r.tarAtFar1e3,
      auc: r.auc,
      foldAccuracies: r.foldAccuracies,
      failures: r.failures,
      description: info.descriptions[r.name],
    })),
    ...runJson(info),
  };
}

/** The `--json` object for identification. */
export function identificationJson(results: readonly IdentificationResult[], info: RunInfo): object {
  return {
    methods: results.map((r) => ({ ...r, description: info.descriptions[r.name] })),
    ...runJson(info),
  };
}

function runJson(info: RunInfo) {
  return { command: info.command, data: info.data, protocol: info.protocol, images: info.images, faces: info.faces, seconds: info.seconds, notes: info.notes };
}
