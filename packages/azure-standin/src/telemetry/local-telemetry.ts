// What Application Insights would hold, kept in memory and printed: the host's requests (one per
// invocation, as the Functions host reports them) and the app's own telemetry that its
// Application Insights SDK sends to the local ingestion endpoint. Items carry the operation
// (trace) id, so one order's path across HTTP, orchestration, activities, Service Bus and the
// email function reads as one operation, as in the portal's transaction view.
import type { Logger } from '../core/logger';

export type TelemetryKind = 'request' | 'dependency' | 'trace' | 'exception' | 'metric' | 'event';

export interface TelemetryItem {
  kind: TelemetryKind;
  time: string;
  /** Who reported it: the Functions host, or the app's SDK. */
  source: 'host' | 'app';
  operationId?: string;
  /** The item's own span id (requests, dependencies). */
  id?: string;
  parentId?: string;
  name: string;
  durationMs?: number;
  success?: boolean;
  resultCode?: string;
  severity?: string;
  /** Metrics: the aggregated value (sum) and the count of measurements in it. */
  value?: number;
  count?: number;
  properties: Record<string, string>;
}

export interface TelemetryQuery {
  operationId?: string;
  kind?: string;
  name?: string;
  orderId?: string;
  limit?: number;
}

// Metrics the SDK emits on its own (standard metrics, performance counters, resource data):
// kept for queries, not printed.
const sdkConfigHost = 'settings.sdk.monitor.azure.com';
const builtInMetric = /^(\\|_|azureMonitor|http\.|Statsbeat)/;

export class LocalTelemetry {
  private items: TelemetryItem[] = [];
  /** Everything ever recorded, by `<source> <kind>` (the list keeps only the latest items). */
  readonly counts: Record<string, number> = {};

  constructor(
    private readonly logger: Logger,
    private readonly capacity = 50_000,
  ) {}

  record(item: TelemetryItem): void {
    const key = `${item.source} ${item.kind}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    this.items.push(item);
    // Trimmed in steps of a fifth: keeps the newest `capacity` items without a copy per item.
    if (this.items.length > this.capacity * 1.2) this.items = this.items.slice(-this.capacity);
    this.print(item);
  }

  query(q: TelemetryQuery): TelemetryItem[] {
    const out = this.items.filter(
      (i) =>
        (q.operationId === undefined || i.operationId === q.operationId) &&
        (q.kind === undefined || i.kind === q.kind) &&
        (q.name === undefined || i.name === q.name) &&
        (q.orderId === undefined || i.properties.orderId === q.orderId),
    );
    return q.limit !== undefined ? out.slice(-q.limit) : out;
  }

  private print(i: TelemetryItem): void {
    const op = i.operationId;
    switch (i.kind) {
      case 'trace': {
        const level = i.severity === 'Error' || i.severity === 'Critical' ? 'error' : i.severity === 'Warning' ? 'warning' : 'information';
        this.logger.log(level, `[app] ${i.name}`, { ...i.properties, op });
        return;
      }
      case 'exception':
        // The SDK polls Microsoft's configuration service, which is unreachable offline.
        if (!i.name.includes(sdkConfigHost)) this.logger.warn(`[app] exception ${i.name}`, { op });
        return;
      case 'metric':
        if (!builtInMetric.test(i.name)) this.logger.info(`[app] metric ${i.name}`, { sum: i.value, count: i.count, ...i.properties });
        return;
      case 'dependency':
        // Most of what the app sends: no fields built for a level that prints nothing.
        if (!this.logger.enabled('debug')) return;
        this.logger.debug(`[app] dependency ${i.name}`, { result: i.resultCode, ms: i.durationMs?.toFixed(1), op });
        return;
      default:
        // Requests are the host's "Executed" lines already.
        return;
    }
  }
}
