// Due times of future inbox messages (timers, delayed retries), as a min-heap driving one
// setTimeout, so thousands of pending timers cost one OS timer.
export class WakeupQueue {
  private heap: { at: number; id: string }[] = [];
  private handle: NodeJS.Timeout | undefined;
  private armedAt = Infinity;

  constructor(private readonly onDue: (id: string) => void, private readonly now: () => number = Date.now) {}

  add(id: string, at: number): void {
    this.heap.push({ at, id });
    let i = this.heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.heap[p].at <= this.heap[i].at) break;
      [this.heap[p], this.heap[i]] = [this.heap[i], this.heap[p]];
      i = p;
    }
    if (at < this.armedAt) this.arm();
  }

  get size(): number {
    return this.heap.length;
  }

  stop(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.armedAt = Infinity;
  }

  private pop(): { at: number; id: string } {
    const top = this.heap[0];
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && this.heap[l].at < this.heap[m].at) m = l;
        if (r < this.heap.length && this.heap[r].at < this.heap[m].at) m = r;
        if (m === i) break;
        [this.heap[m], this.heap[i]] = [this.heap[i], this.heap[m]];
        i = m;
      }
    }
    return top;
  }

  private arm(): void {
    this.stop();
    if (this.heap.length === 0) return;
    const at = this.heap[0].at;
    // Node timers overflow past ~24.8 days; wake hourly and re-arm instead.
    const delay = Math.min(Math.max(0, at - this.now()), 3_600_000);
    this.armedAt = at;
    this.handle = setTimeout(() => this.fire(), delay);
    this.handle.unref?.();
  }

  private fire(): void {
    this.handle = undefined;
    this.armedAt = Infinity;
    const now = this.now();
    while (this.heap.length > 0 && this.heap[0].at <= now) this.onDue(this.pop().id);
    this.arm();
  }
}
