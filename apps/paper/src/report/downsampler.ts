/**
 * Keeps a long series small as it streams in: when more than `2 x max` points are held, neighbours are merged
 * pairwise (so every kept point stands for 2^k inputs). A year of minute bars never sits in memory, and each
 * chart point still summarises every input it replaced (`merge` decides how: last close, true high/low...).
 */
export class Downsampler<T> {
  private points: T[] = [];
  /** Inputs per kept point. */
  private width = 1;
  private pending: T | undefined;
  private pendingCount = 0;

  constructor(
    private readonly max: number,
    private readonly merge: (older: T, newer: T) => T,
  ) {}

  push(point: T): void {
    this.pending = this.pending === undefined ? point : this.merge(this.pending, point);
    this.pendingCount += 1;
    if (this.pendingCount < this.width) return;
    this.points.push(this.pending);
    this.pending = undefined;
    this.pendingCount = 0;
    if (this.points.length > 2 * this.max) {
      const merged: T[] = [];
      for (let i = 0; i + 1 < this.points.length; i += 2) {
        merged.push(this.merge(this.points[i] as T, this.points[i + 1] as T));
      }
      if (this.points.length % 2 === 1) merged.push(this.points[this.points.length - 1] as T);
      this.points = merged;
      this.width *= 2;
    }
  }

  /** The kept points, including a partly filled last one. */
  values(): T[] {
    return this.pending === undefined ? [...this.points] : [...this.points, this.pending];
  }
}
