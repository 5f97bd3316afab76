// For an app's own tests: the stand-in started as a child process on free ports (exactly as its
// command line runs it), and helpers to wait for and read Durable instances.
export { appTelemetryArgs, completed, rawHistory, readEffects, startHost, startOrchestration, status, tempDir, waitFor } from './host-process';
export type { HostProcess, InstanceStatus, StartHostOptions, StatusHistoryEvent } from './host-process';
// Durable Task history events, as the stand-in stores them and hands them to orchestrators: for
// tests that build histories or read the stand-in's raw history (rawHistory).
export { event, EventType, eventTypeName } from '../durable/history';
export type { HistoryEvent } from '../durable/history';
export { replayRecordedHistory } from './replay-history';
export type { EpisodeMismatch, OrchestratorFunction } from './replay-history';
