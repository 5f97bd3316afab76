// One JSON line per invocation, appended to CONFORMANCE_EFFECTS_FILE, for the tests to read.
import fs from 'node:fs';

export function recordEffect(kind: string, fields: Record<string, unknown>): void {
  const file = process.env.CONFORMANCE_EFFECTS_FILE;
  if (file) fs.appendFileSync(file, JSON.stringify({ kind, at: Date.now(), ...fields }) + '\n');
}
