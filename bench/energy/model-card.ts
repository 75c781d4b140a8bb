/**
 * Reads the LFW View 2 table of the model card (models/README.md), so that the energy table and
 * its plot follow the card when the models change: one place holds the accuracy numbers.
 */

/** One row of the card's LFW View 2 table. */
export interface CardRow {
  method: string;
  bytesMean: number;
  bytesMax: number;
  /** Mean accuracy over the ten folds, percent. */
  accuracy: number;
}

/** The rows of the first table after the "**LFW View 2**" paragraph; throws when the card has none. */
export function lfwView2Rows(card: string): CardRow[] {
  const start = card.indexOf('**LFW View 2**');
  if (start < 0) throw new Error('model card: no "**LFW View 2**" section');
  const lines = card.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('| method |'));
  if (first < 0) throw new Error('model card: no table after "**LFW View 2**"');
  const rows: CardRow[] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim().replace(/\*\*/g, ''));
    const bytes = /^([\d.]+) \/ ([\d.]+)$/.exec(cells[1] ?? '');
    const accuracy = /^([\d.]+)/.exec(cells[2] ?? '');
    if (!bytes || !accuracy) throw new Error(`model card: cannot read the row ${JSON.stringify(line)}`);
    rows.push({ method: cells[0]!, bytesMean: Number(bytes[1]), bytesMax: Number(bytes[2]), accuracy: Number(accuracy[1]) });
  }
  return rows;
}

/** The row whose method starts with `prefix`; throws naming the prefix when the card lacks it. */
export function cardRow(rows: readonly CardRow[], prefix: string): CardRow {
  const row = rows.find((r) => r.method.startsWith(prefix));
  if (!row) throw new Error(`model card: no LFW View 2 row starting ${JSON.stringify(prefix)}`);
  return row;
}
