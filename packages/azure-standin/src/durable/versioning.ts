// Orchestration versioning as the Durable extension applies it (host.json `defaultVersion`,
// `versionMatchStrategy`, `versionFailureStrategy`): a new instance is stamped with the worker's
// default version, and a worker runs only the instances its strategy lets it run.

export type VersionMatchStrategy = 'None' | 'Strict' | 'CurrentOrOlder';
export type VersionFailureStrategy = 'Reject' | 'Fail';

export interface VersioningOptions {
  defaultVersion: string;
  matchStrategy: VersionMatchStrategy;
  failureStrategy: VersionFailureStrategy;
}

/** System.Version's shape (2 to 4 numeric parts) or a plain number: compared part by part. */
function numericParts(v: string): number[] | null {
  return /^\d+(\.\d+){0,3}$/.test(v) ? v.split('.').map(Number) : null;
}

/**
 * The extension's rules: empty (or absent) versions are equal and older than any other; two
 * numeric versions compare part by part; anything else compares as case-insensitive text.
 */
export function compareVersions(a: string | null | undefined, b: string | null | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  if (x === '' || y === '') return x === y ? 0 : x === '' ? -1 : 1;
  const nx = numericParts(x);
  const ny = numericParts(y);
  if (nx && ny) {
    for (let i = 0; i < Math.max(nx.length, ny.length); i++) {
      const d = (nx[i] ?? -1) - (ny[i] ?? -1); // "1.0" > "1", as System.Version has it
      if (d !== 0) return Math.sign(d);
    }
    return 0;
  }
  const [lx, ly] = [x.toLowerCase(), y.toLowerCase()];
  return lx < ly ? -1 : lx > ly ? 1 : 0;
}

/** Why this worker must not run an instance of `instanceVersion`, or null when it may. */
export function versionMismatch(instanceVersion: string, o: VersioningOptions): string | null {
  const c = compareVersions(instanceVersion, o.defaultVersion);
  if (o.matchStrategy === 'Strict' && c !== 0) return `its version '${instanceVersion}' is not this worker's version '${o.defaultVersion}' (Strict)`;
  if (o.matchStrategy === 'CurrentOrOlder' && c > 0) return `its version '${instanceVersion}' is newer than this worker's version '${o.defaultVersion}' (CurrentOrOlder)`;
  return null;
}
