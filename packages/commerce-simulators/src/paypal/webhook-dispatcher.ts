// Delivers webhook events fire-and-forget: API responses never wait for the receiver. Failed
// deliveries are retried with exponential backoff a few times, as PayPal does (over days there,
// seconds here). Pending deliveries live in memory only; a restart drops them.
import type { WebhookEvent } from './webhook-event';
import type { WebhookSigner } from './webhook-signer';

export interface WebhookDispatcherOptions {
  url: string;
  signer: WebhookSigner;
  /** Delays before each attempt; the default makes 4 attempts over about 10 s. */
  delaysMs?: readonly number[];
  now: () => number;
}

export class WebhookDispatcher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(private readonly o: WebhookDispatcherOptions) {}

  /** `afterMs` holds the first attempt back (the dispute trigger's reorder knob uses it). */
  send(event: WebhookEvent, afterMs = 0): void {
    // Serialized once: every attempt sends (and signs) the same bytes.
    this.schedule(Buffer.from(JSON.stringify(event), 'utf8'), 0, afterMs);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inFlight) c.abort();
  }

  private schedule(body: Buffer, attempt: number, extraMs = 0): void {
    const delays = this.o.delaysMs ?? [0, 500, 2_000, 8_000];
    if (this.closed || attempt >= delays.length) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.deliver(body).then((ok) => {
        if (!ok) this.schedule(body, attempt + 1);
      });
    }, delays[attempt] + extraMs);
    timer.unref();
    this.timers.add(timer);
  }

  private async deliver(body: Buffer): Promise<boolean> {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), 10_000);
    this.inFlight.add(controller);
    try {
      const time = new Date(this.o.now()).toISOString();
      const res = await fetch(this.o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.o.signer.headers(body, time) },
        body,
        signal: controller.signal,
      });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
  }
}
