/** A one-line progress bar with rate and ETA on stderr (silent when stderr is not a terminal, except every 5%). */

/** Tracks `done` out of `total` and redraws at most 5 times a second. */
export class Progress {
  private done = 0;
  private lastDraw = 0;
  private lastPercentLogged = -1;
  private readonly start = performance.now();

  constructor(private readonly total: number, private readonly label: string, private readonly stream = process.stderr) {}

  /** Counts `n` more items done. */
  tick(n = 1): void {
    this.done += n;
    const now = performance.now();
    if (now - this.lastDraw < 200 && this.done < this.total) return;
    this.lastDraw = now;
    this.draw(now);
  }

  /** Ends the line. */
  finish(): void {
    this.draw(performance.now());
    if (this.stream.isTTY) this.stream.write('\n');
  }

  private draw(now: number): void {
    const seconds = (now - this.start) / 1000;
    const rate = this.done / Math.max(seconds, 1e-9);
    const eta = rate > 0 ? (this.total - this.done) / rate : Infinity;
    const fraction = this.total > 0 ? this.done / this.total : 1;
    const width = 30;
    const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
    const line = `${this.label} [${bar}] ${this.done}/${this.total} ${(fraction * 100).toFixed(1)}% ${rate.toFixed(1)}/s ETA ${formatSeconds(eta)}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}`);
    } else {
      const percent = Math.floor(fraction * 20);
      if (percent !== this.lastPercentLogged) {
        this.lastPercentLogged = percent;
        this.stream.write(line + '\n');
      }
    }
  }
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}
