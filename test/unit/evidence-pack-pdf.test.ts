import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { EvidencePackTooLargeError, renderEvidencePack } from '../../adapters/disputes/evidence-pack-pdf';
import { money } from '../../domain/money';
import { sampleEvidencePackInput } from '../support/evidence-pack-input';

const winAnsi = new TextDecoder('windows-1252');

/** The text drawn on all pages: pdf-lib writes it as hex strings (WinAnsi) in Flate-compressed content streams. */
async function pageText(pdf: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(pdf);
  let out = '';
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFRawStream)) continue;
    const raw = obj.dict.get(PDFName.of('Filter')) === PDFName.of('FlateDecode') ? inflateSync(obj.contents) : Buffer.from(obj.contents);
    for (const m of raw.toString('latin1').matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) out += `${winAnsi.decode(Buffer.from(m[1], 'hex'))}\n`;
  }
  return out;
}

test('a realistic pack parses back, with metadata from the input', async () => {
  const input = sampleEvidencePackInput();
  const r = await renderEvidencePack(input);
  const doc = await PDFDocument.load(r.pdf, { updateMetadata: false });
  expect(doc.getPageCount()).toBe(r.pages);
  expect(r.pages).toBeGreaterThan(1);
  expect(doc.getTitle()).toBe('Evidence for PayPal dispute PP-D-4711');
  expect(doc.getCreationDate()?.toISOString()).toBe(input.generatedAt);
  expect(doc.getModificationDate()?.toISOString()).toBe(input.generatedAt);
  expect(r.sha256).toBe(createHash('sha256').update(r.pdf).digest('hex'));
  const text = await pageText(r.pdf);
  for (const s of ['PP-D-4711', 'ord-20261102-0042', 'INV-2026-000042', '3C679366HH908993F', '1234567890', 'MATCH', 'Delivered - signed for by ADA LOVELACE', '203.0.113.7', 'Return and refund policy']) {
    expect(text).toContain(s);
  }
  expect(text).not.toContain('MISMATCH');
});

test('an address that differs from PayPal\'s is marked MISMATCH', async () => {
  const input = sampleEvidencePackInput();
  input.payment.payPalShippingAddress = { ...input.order.shippingAddress, postalCode: '80331' };
  expect(await pageText((await renderEvidencePack(input)).pdf)).toContain('MISMATCH');
});

test('a huge pack with text the standard fonts cannot encode wraps, paginates and stays deterministic', async () => {
  const input = sampleEvidencePackInput({ shipments: 1, scans: 200, emails: 100 });
  const long = 'Zoë Ångström-Łukasiewicz 张伟 Σωκράτης 🚚 ';
  input.order.customer.name = long.repeat(20);
  input.order.shippingAddress.name = long;
  input.order.lines[0].name = `${long.repeat(10)}${'X'.repeat(400)}`;
  input.emails[3].subject = 'Ünïcödé “quotes” — dash\ttab\nnewline ✓ '.repeat(30);
  input.shipments[0].scans[5].description = 'A'.repeat(30_000);
  input.refunds = Array.from({ length: 30 }, (_, i) => ({ id: `rf-${i}`, providerRefundId: `R${i}`, amount: money(100 + i, 'EUR'), at: `2026-11-1${i % 10}T08:00:00Z`, reason: 'partial return '.repeat(i) }));
  const a = await renderEvidencePack(input);
  const b = await renderEvidencePack(structuredClone(input));
  expect(a.pages).toBeGreaterThan(10);
  expect((await PDFDocument.load(a.pdf)).getPageCount()).toBe(a.pages);
  expect(Buffer.from(a.pdf).equals(Buffer.from(b.pdf))).toBe(true);
  expect(a.sha256).toBe(b.sha256);
  const text = await pageText(a.pdf);
  // Accents WinAnsi has stay; what it lacks is reduced to its letter or replaced.
  expect(text).toContain('Zoë Ångström-?ukasiewicz ?? ???????? ?');
  expect(text).toContain('“quotes” — dash tab newline ?');
  expect(text).toContain(`page ${a.pages} of ${a.pages}`);
});

test('the same input gives the same bytes; a different generation time does not', async () => {
  const input = sampleEvidencePackInput();
  const first = await renderEvidencePack(input);
  expect((await renderEvidencePack(sampleEvidencePackInput())).sha256).toBe(first.sha256);
  expect((await renderEvidencePack({ ...input, generatedAt: '2026-11-16T10:00:01.000Z' })).sha256).not.toBe(first.sha256);
});

test('a pack at or above the size limit is refused', async () => {
  const input = sampleEvidencePackInput();
  const { pdf } = await renderEvidencePack(input);
  await expect(renderEvidencePack(input, { maxBytes: pdf.length })).rejects.toThrow(EvidencePackTooLargeError);
  await expect(renderEvidencePack(input, { maxBytes: pdf.length + 1 })).resolves.toMatchObject({ pages: expect.any(Number) });
});
