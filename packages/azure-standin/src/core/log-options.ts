// How much `azure-standin start` prints. Quiet by default: what a person needs (the console URL,
// the functions and HTTP routes, warnings and errors); `--verbose` adds every invocation, the
// local services' information and the app's own logs and metrics; `--log-level` sets the level
// exactly (the test helpers pass it, so their output does not depend on the default).
import type { Level } from './logger';

const levels: readonly (Level | 'none')[] = ['trace', 'debug', 'information', 'warning', 'error', 'critical', 'none'];

export function resolveLogLevel(o: { verbose?: boolean; logLevel?: string }): Level | 'none' {
  if (o.logLevel !== undefined) {
    const level = levels.find((l) => l === o.logLevel);
    if (!level) throw new Error(`invalid --log-level "${o.logLevel}" (${levels.join('|')})`);
    return level;
  }
  return o.verbose ? 'information' : 'warning';
}
