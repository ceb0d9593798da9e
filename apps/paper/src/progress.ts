/** A one-line progress bar on stderr, drawn only when stderr is a terminal, at most ~10 times a second. */
export class ProgressBar {
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    public total: number | undefined,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = stream.isTTY === true;
  }

  update(done: number, label = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 30;
    let bar: string;
    if (this.total !== undefined && this.total > 0) {
      const ratio = Math.min(1, done / this.total);
      const filled = Math.round(ratio * width);
      bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%`;
    } else {
      bar = `${done} bars`;
    }
    this.stream.write(`\r${bar} ${label}`.padEnd(80));
  }

  finish(): void {
    if (this.enabled) this.stream.write(`\r${' '.repeat(80)}\r`);
  }
}
