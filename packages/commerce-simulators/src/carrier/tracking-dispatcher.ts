// Makes simulated tracking happen: emits events whose due time has come and pushes each one to
// the webhook receiver, signed, retrying with exponential backoff until a 2xx or the attempt
// limit. Everything it needs is in the store, so a restarted simulator resumes where it stopped
// (an attempt cut short by a crash is simply made again: delivery is at-least-once).
import { signTrackingPush } from './push-signature';
import type { CarrierStore, TrackingEventRecord, WebhookDelivery } from './carrier-store';

export interface DispatcherOptions {
  store: CarrierStore;
  now: () => number;
  webhookUrl?: string;
  webhookSecret?: string;
  /** First retry delay; doubles per failed attempt. */
  retryBaseMs: number;
  maxAttempts: number;
  /** Per-attempt timeout of the POST to the receiver. */
  attemptTimeoutMs: number;
}

/** Longest sleep between checks, so a clock that jumps (tests, suspended laptops) is noticed. */
const maxSleepMs = 30_000;
const maxRetryDelayMs = 5 * 60_000;

/** The pushed JSON (see docs/carrier-simulator.md); built once per event and stored verbatim. */
export function webhookBody(event: TrackingEventRecord, reference: string | null): string {
  return JSON.stringify({
    shipmentTrackingNumber: event.trackingNumber,
    reference: reference ?? '',
    event: { typeCode: event.typeCode, description: event.description, timestamp: new Date(event.dueAt).toISOString() },
    status: event.status,
  });
}

export class TrackingDispatcher {
  private readonly o: DispatcherOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(options: DispatcherOptions) {
    this.o = options;
  }

  /** Emits what is due now (synchronously), so readers see tracking consistent with the clock. */
  emitDue(): void {
    this.o.store.emitDue(this.o.now(), this.o.webhookUrl ? webhookBody : undefined);
  }

  /** Runs a pass now and re-arms the timer; overlapping requests collapse into one extra pass. */
  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      } else {
        this.arm();
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private arm(): void {
    if (this.closed) return;
    const next = this.o.store.nextWakeAt();
    if (next === undefined) return;
    const delay = Math.min(Math.max(0, next - this.o.now()), maxSleepMs);
    // unref: a simulator with pending events must not keep a process (or a test run) alive.
    this.timer = setTimeout(() => this.wake(), delay).unref();
  }

  private async pass(): Promise<void> {
    try {
      this.emitDue();
      if (!this.o.webhookUrl) return;
      // One delivery per shipment at a time (the store returns only each shipment's oldest).
      await Promise.all(this.o.store.dueDeliveries(this.o.now()).map((d) => this.deliver(d)));
    } catch (err) {
      // A pass must never kill the timer loop; the next pass retries whatever is still pending.
      console.error('carrier simulator: tracking pass failed', err);
    }
  }

  private async deliver(d: WebhookDelivery): Promise<void> {
    // Signed afresh per attempt: the body stays byte-identical, but a retry hours later must not
    // carry a timestamp the receiver already considers stale.
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(this.o.webhookSecret ? signTrackingPush(d.body, this.o.webhookSecret, this.o.now()) : {}) };
    let outcome: string;
    let ok = false;
    try {
      const res = await fetch(this.o.webhookUrl!, { method: 'POST', headers, body: d.body, signal: AbortSignal.timeout(this.o.attemptTimeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      ok = res.status >= 200 && res.status < 300;
      outcome = `HTTP ${res.status}`;
    } catch (err) {
      outcome = `network: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (this.closed && !ok) return; // shutting down: leave it pending for the next start
    const at = this.o.now();
    const attempts = d.attempts + 1;
    if (ok) this.o.store.recordAttempt(d.id, at, { ok: true, outcome });
    else if (attempts >= this.o.maxAttempts) this.o.store.recordAttempt(d.id, at, { ok: false, outcome });
    else this.o.store.recordAttempt(d.id, at, { ok: false, outcome, retryAt: at + Math.min(this.o.retryBaseMs * 2 ** (attempts - 1), maxRetryDelayMs) });
  }
}
