// npm run bench:evidence — how long building a dispute's evidence pack takes (the evidences JSON
// plus the PDF) and how big the PDF gets, for a typical order (1 shipment, 8 scans, 7 emails)
// and a large one (3 shipments of 20 scans each, 40 emails). BENCH_PACKS packs per case (200).
import os from 'node:os';
import { renderEvidencePack } from '../adapters/disputes/evidence-pack-pdf';
import { evidencesFor } from '../domain/evidence-pack';
import { sampleEvidencePackInput } from '../test/support/evidence-pack-input';
import type { SampleSize } from '../test/support/evidence-pack-input';
import { percentile } from './http-load';

const packs = Number(process.env.BENCH_PACKS ?? 200);
const cases: { label: string; size: SampleSize }[] = [
  { label: 'typical: 1 shipment, 8 scans, 7 emails', size: { shipments: 1, scans: 8, emails: 7 } },
  { label: 'large: 3 shipments, 60 scans, 40 emails', size: { shipments: 3, scans: 20, emails: 40 } },
];

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${packs} packs per case`);
  const rows = [];
  for (const c of cases) {
    const input = sampleEvidencePackInput(c.size);
    // Warm-up: font metrics, JIT.
    for (let i = 0; i < 5; i++) await renderEvidencePack(input);
    const ms: number[] = [];
    let bytes = 0;
    let pages = 0;
    for (let i = 0; i < packs; i++) {
      const t0 = performance.now();
      evidencesFor(input);
      const r = await renderEvidencePack(input);
      ms.push(performance.now() - t0);
      bytes = r.pdf.length;
      pages = r.pages;
    }
    ms.sort((a, b) => a - b);
    rows.push({ case: c.label, 'p50 ms': ms[Math.floor(ms.length / 2)].toFixed(1), 'p95 ms': percentile(ms, 95).toFixed(1), 'max ms': ms[ms.length - 1].toFixed(1), 'size KiB': (bytes / 1024).toFixed(1), pages });
  }
  console.table(rows);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
