// The logging surface the emulator needs; the embedded host's Logger satisfies it.
export type LogFields = Record<string, unknown>;

export interface EmulatorLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const silentLogger: EmulatorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
