// One readable line per event, in the spirit of the Functions host console output.
export type Level = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical';
const order: Record<Level | 'none', number> = { trace: 0, debug: 1, information: 2, warning: 3, error: 4, critical: 5, none: 6 };

export class Logger {
  constructor(
    private readonly minLevel: Level | 'none' = 'information',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  ) {}

  enabled(level: Level): boolean {
    return order[level] >= order[this.minLevel];
  }

  log(level: Level, message: string, fields?: Record<string, unknown>): void {
    if (!this.enabled(level)) return;
    const extra = fields
      ? Object.entries(fields)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join('')
      : '';
    const tag = level === 'information' ? '' : ` ${level.toUpperCase()}`;
    this.write(`[${new Date().toISOString()}]${tag} ${message}${extra}`);
  }

  /**
   * What a person needs whatever the level (the console URL, the functions and routes): printed
   * as is, without a timestamp; only `none` silences it.
   */
  summary(message: string): void {
    if (this.minLevel !== 'none') this.write(message);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.log('information', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('warning', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.log('error', message, fields);
  }
  debug(message: string, fields?: Record<string, unknown>): void {
    this.log('debug', message, fields);
  }
}
