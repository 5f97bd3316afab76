// The actions an out-of-process orchestrator returns (durable-functions' OrchestratorState).
export enum ActionType {
  CallActivity = 0,
  CallActivityWithRetry = 1,
  CallSubOrchestrator = 2,
  CallSubOrchestratorWithRetry = 3,
  ContinueAsNew = 4,
  CreateTimer = 5,
  WaitForExternalEvent = 6,
  CallEntity = 7,
  CallHttp = 8,
  SignalEntity = 9,
  ScheduledSignalEntity = 10,
  WhenAny = 11,
  WhenAll = 12,
}

export interface RetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export interface Action {
  actionType: ActionType;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  /** A sub-orchestration's requested version. */
  version?: string;
  operation?: string;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  retryOptions?: RetryOptions;
  compoundActions?: Action[];
  httpRequest?: { method: string; uri: string; content?: string; headers?: Record<string, string>; tokenSource?: unknown; asynchronousPatternEnabled?: boolean };
}

export interface OrchestratorState {
  isDone: boolean;
  actions: Action[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
}

/** durable-functions marks the orchestrator state inside a thrown error's message with this label. */
const outOfProcLabel = '$OutOfProcData$:';

export function parseFailedState(message: string): OrchestratorState | undefined {
  const i = message.indexOf(outOfProcLabel);
  if (i < 0) return undefined;
  try {
    return JSON.parse(message.slice(i + outOfProcLabel.length)) as OrchestratorState;
  } catch {
    return undefined;
  }
}

/** The JSON value the host records for an action's input: durable-functions pre-stringifies strings. */
export function inputText(input: unknown): string | null {
  return input === undefined ? null : JSON.stringify(input);
}
