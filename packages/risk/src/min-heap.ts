/** A binary min-heap ordered by `key`; entries may go stale and are skipped by the owner. */
export class MinHeap<T> {
  private readonly items: { key: number; value: T }[] = [];

  get size(): number {
    return this.items.length;
  }

  push(key: number, value: T): void {
    const items = this.items;
    items.push({ key, value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as { key: number; value: T };
      const c = items[i] as { key: number; value: T };
      if (p.key <= c.key) break;
      items[parent] = c;
      items[i] = p;
      i = parent;
    }
  }

  peek(): { key: number; value: T } | undefined {
    return this.items[0];
  }

  pop(): { key: number; value: T } | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && (items[l] as { key: number }).key < (items[m] as { key: number }).key) m = l;
      if (r < items.length && (items[r] as { key: number }).key < (items[m] as { key: number }).key) m = r;
      if (m === i) break;
      const tmp = items[i] as { key: number; value: T };
      items[i] = items[m] as { key: number; value: T };
      items[m] = tmp;
      i = m;
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}
