// Imported first by the entry point: telemetry starts before the SDKs it instruments are loaded,
// and is flushed when the host stops the worker.
import { app } from '@azure/functions';
import { startAzureMonitor, stopAzureMonitor } from '../adapters/telemetry/azure-monitor';
import { telemetrySettings } from './wiring/settings';

const s = telemetrySettings();
if (startAzureMonitor({ connectionString: s.APPLICATIONINSIGHTS_CONNECTION_STRING, authenticationString: s.APPLICATIONINSIGHTS_AUTHENTICATION_STRING })) {
  app.hook.appTerminate(() => stopAzureMonitor());
}
