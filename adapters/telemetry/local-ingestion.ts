// When the connection string names an ingestion endpoint on this machine (the local stand-in's),
// the SDK's calls to Microsoft's own services have nothing to do and, offline, only fail:
// - the exporter's SDK configuration poll (OneSettings: settings.sdk.monitor.azure.com, 5–15 s
//   after start, then hourly), which switches the SDK's self-diagnostics on and off;
// - statsbeat, the SDK's usage metrics, sent to Microsoft's own Application Insights resource
//   (westus-0 / westeurope-5.in.applicationinsights.azure.com).
// Against a real Application Insights resource both stay as the SDK ships them.
import path from 'node:path';

const loopback = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True when the connection string's IngestionEndpoint is a loopback address. */
export function isLocalIngestion(connectionString: string): boolean {
  const endpoint = connectionString
    .split(';')
    .map((part) => part.split('='))
    .find(([key]) => key.trim().toLowerCase() === 'ingestionendpoint')?.[1];
  if (!endpoint) return false;
  try {
    return loopback.has(new URL(endpoint.trim()).hostname.toLowerCase());
  } catch {
    return false;
  }
}

/** Before the SDK starts: no statsbeat (unless the environment already says otherwise). */
export function disableStatsbeat(env: NodeJS.ProcessEnv = process.env): void {
  // The first turns off the optional statsbeat, the legacy one all of it, SDK stats included.
  env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED ??= 'true';
  env.APPLICATION_INSIGHTS_NO_STATSBEAT ??= 'true';
}

interface ConfigurationManagerModule {
  ConfigurationManager?: { getInstance(): { shutdown(): void } };
}

/**
 * After the SDK started: stops the exporter's OneSettings poll. No option or environment variable
 * turns it off, so this reaches the exporter's process-wide ConfigurationManager, the one the
 * distro's exporters started, in the copy of the exporter the distro itself loads. Returns false
 * if this exporter version has no such module (a unit test then fails).
 */
export function stopSdkConfigurationPoll(): boolean {
  /* eslint-disable @typescript-eslint/no-require-imports */
  try {
    const distro = path.dirname(require.resolve('@azure/monitor-opentelemetry', { paths: [path.dirname(require.resolve('applicationinsights'))] }));
    const exporter = path.dirname(require.resolve('@azure/monitor-opentelemetry-exporter', { paths: [distro] }));
    const m = require(path.join(exporter, '_configuration', 'configurationManager.js')) as ConfigurationManagerModule;
    if (typeof m.ConfigurationManager?.getInstance !== 'function') return false;
    m.ConfigurationManager.getInstance().shutdown();
    return true;
  } catch {
    return false;
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}
