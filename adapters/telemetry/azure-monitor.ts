// Starts the Application Insights distro (OpenTelemetry) in the worker. It must run before the
// SDKs it instruments are loaded. The Functions host reports each invocation and hands the worker
// its trace context; the distro's preInvocation hook makes that context current, so Cosmos,
// Service Bus, Blob, PayPal and carrier calls, and the logs and metrics below, join the same
// operation. Service Bus sends carry it on in `Diagnostic-Id`, which the trigger picks up.
import os from 'node:os';
import { ManagedIdentityCredential } from '@azure/identity';
import { SpanKind, trace } from '@opentelemetry/api';
import type { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { disableStatsbeat, isLocalIngestion, stopSdkConfigurationPoll } from './local-ingestion';
import { quietPolls } from './quiet-polls';

// Loaded only when telemetry is on: merely importing the distro measurably slows every request
// (GET /v1/orders/{id} about 20 % on the embedded runtime) even if it is never started.
/* eslint-disable @typescript-eslint/no-require-imports */
const distro = () => require('applicationinsights') as typeof import('applicationinsights');
const undiciInstrumentation = () => require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
/* eslint-enable @typescript-eslint/no-require-imports */

export interface TelemetryOptions {
  connectionString?: string;
  /** `Authorization=AAD;ClientId=<client id>` when the resource accepts Entra ID only. */
  authenticationString?: string;
}

let started = false;
let undici: UndiciInstrumentation | undefined;

export function startAzureMonitor(o: TelemetryOptions): boolean {
  if (started || !o.connectionString) return started;
  const credential = entraCredential(o.authenticationString);
  defaultInstanceId();
  // Locally nothing goes to Microsoft's services: no statsbeat, no SDK configuration poll.
  const local = isLocalIngestion(o.connectionString);
  if (local) disableStatsbeat();
  distro().useAzureMonitor({
    azureMonitorExporterOptions: { connectionString: o.connectionString, ...(credential ? { credential } : {}) },
    // Every trace of the app: an order's trace is what support reads after a complaint. The host's
    // own telemetry is sampled by host.json (requests and exceptions excluded); with the same
    // trace-id hash, a kept trace is complete. OTEL_TRACES_SAMPLER overrides this if volume grows.
    samplingRatio: 1,
    tracesPerSecond: 0,
    spanProcessors: [quietPolls],
    // Live Metrics of a function app come from the Functions host; the worker sending its own
    // stream as well would only process every span twice.
    enableLiveMetrics: false,
    instrumentationOptions: {
      // The worker receives invocations over gRPC: incoming HTTP is the host's, already reported,
      // so incoming requests are not instrumented at all (not even wrapped to be ignored).
      http: { enabled: true, disableIncomingRequestInstrumentation: true, ignoreOutgoingRequestHook: notWorthASpan } as { enabled: boolean },
      azureSdk: { enabled: true },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
    },
  });
  if (local) stopSdkConfigurationPoll();
  // The distro instruments node:http only; the carrier adapter and certificate downloads use fetch.
  undici = new (undiciInstrumentation().UndiciInstrumentation)({ ignoreRequestHook: notWorthASpan });
  started = true;
  return true;
}

export async function stopAzureMonitor(): Promise<void> {
  if (!started) return;
  started = false;
  undici?.disable();
  undici = undefined;
  // Bounded: a host stopping the worker does not wait for an unreachable ingestion endpoint.
  await Promise.race([distro().shutdownAzureMonitor(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
}

/**
 * Outgoing HTTP calls that would only repeat or clutter what is reported:
 * - made inside another client span: an Azure SDK (ACS Email, Blob) reports each of its HTTP
 *   calls as a client span of its own and makes the call inside it, so a node:http span beneath
 *   would be the same call twice;
 * - made outside any invocation (no active span): they belong to no operation (SDK background
 *   refreshes, the distro's own configuration polls; locally also the stand-in's simulators,
 *   which share the process). Every invocation has a context: the host hands one to each.
 */
function notWorthASpan(): boolean {
  // The SDK's span object (not the API's interface) carries its kind; a context from the host is
  // a non-recording span without one.
  const active = trace.getActiveSpan() as { kind?: SpanKind } | undefined;
  return active === undefined || active.kind === SpanKind.CLIENT;
}

/**
 * Without `service.instance.id` the exporter and the standard metrics look the host name up for
 * every span; naming it once sends the same cloud_RoleInstance. Azure's resource detectors, which
 * run later, still take precedence.
 */
function defaultInstanceId(): void {
  const attributes = process.env.OTEL_RESOURCE_ATTRIBUTES ?? '';
  if (/(^|,)\s*service\.instance\.id=/.test(attributes)) return;
  process.env.OTEL_RESOURCE_ATTRIBUTES = [attributes, `service.instance.id=${encodeURIComponent(os.hostname())}`].filter((a) => a !== '').join(',');
}

function entraCredential(authenticationString: string | undefined): ManagedIdentityCredential | undefined {
  if (!authenticationString) return undefined;
  const parts = new Map(authenticationString.split(';').map((p) => p.split('=', 2) as [string, string]).map(([k, v]) => [k.trim().toLowerCase(), (v ?? '').trim()]));
  if (parts.get('authorization')?.toLowerCase() !== 'aad') return undefined;
  const clientId = parts.get('clientid');
  return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
}
