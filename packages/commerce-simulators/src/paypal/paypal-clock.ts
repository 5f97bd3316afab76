// The simulator's business clock: real time plus an offset that tests move forward
// (POST /sim/paypal/clock), so a 29-day authorization life can be played in milliseconds. The
// offset lives in pp_meta, so a restart keeps simulated time as it keeps the rest of the state.
import type { PayPalStore } from './paypal-store';

const OFFSET_KEY = 'clock_offset_ms';

export class SimulatorClock {
  private offsetMs: number;

  constructor(private readonly store: PayPalStore, private readonly base: () => number) {
    this.offsetMs = Number(store.getMeta(OFFSET_KEY) ?? '0');
  }

  /** Milliseconds since the epoch, as PayPal would see them. */
  readonly now = (): number => this.base() + this.offsetMs;

  get offsetSeconds(): number {
    return this.offsetMs / 1000;
  }

  /** Moves simulated time forward; never back, as neither PayPal's time nor its state can go back. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`cannot advance the clock by ${seconds} s`);
    this.offsetMs += Math.round(seconds * 1000);
    this.store.setMeta(OFFSET_KEY, String(this.offsetMs));
  }
}
