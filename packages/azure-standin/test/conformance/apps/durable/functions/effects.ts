// What the tests observe beyond the Durable APIs: one JSON line per activity run, appended to
// CONFORMANCE_EFFECTS_FILE, and gates (files in CONFORMANCE_GATE_DIR) that hold an activity
// until the test opens them.
import fs from 'node:fs';
import path from 'node:path';

export function recordEffect(kind: string, fields: Record<string, unknown>): void {
  const file = process.env.CONFORMANCE_EFFECTS_FILE;
  if (file) fs.appendFileSync(file, JSON.stringify({ kind, at: Date.now(), ...fields }) + '\n');
}

/** Resolves once the test has created the gate file named `key`. */
export async function passGate(key: string): Promise<void> {
  const dir = process.env.CONFORMANCE_GATE_DIR;
  if (!dir) throw new Error('CONFORMANCE_GATE_DIR is not set');
  const deadline = Date.now() + 60_000;
  while (!fs.existsSync(path.join(dir, key))) {
    if (Date.now() > deadline) throw new Error(`gate '${key}' was never opened`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
