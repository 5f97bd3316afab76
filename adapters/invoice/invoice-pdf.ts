// Renders an invoice or credit note as a one-page A4 PDF with the standard Helvetica fonts
// (pdf-lib: pure JavaScript, nothing to install or embed).
import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import { format } from '../../domain/money';
import type { Invoice } from '../../domain/invoice';

export async function renderInvoicePdf(inv: Invoice): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`${inv.kind === 'invoice' ? 'Invoice' : 'Credit note'} ${inv.number}`);
  pdf.setCreator('order-backend');
  // Deterministic bytes for the same invoice: a retried upload writes the identical file.
  pdf.setCreationDate(new Date(inv.issuedAt));
  pdf.setModificationDate(new Date(inv.issuedAt));
  const page = pdf.addPage([595.28, 841.89]);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  let y = 800;
  const text = (s: string, x: number, size = 10, font = regular) => page.drawText(s, { x, y, size, font, color: rgb(0.1, 0.1, 0.1) });
  const right = (s: string, xRight: number, size = 10, font = regular) => page.drawText(s, { x: xRight - font.widthOfTextAtSize(s, size), y, size, font });

  text(inv.kind === 'invoice' ? 'INVOICE' : 'CREDIT NOTE', 50, 20, bold);
  right(inv.number, 545, 12, bold);
  y -= 18;
  right(`Issued ${inv.issuedAt.slice(0, 10)}  ·  Order ${inv.orderId}`, 545, 9);
  if (inv.corrects) {
    y -= 12;
    right(`Corrects invoice ${inv.corrects}`, 545, 9);
  }
  y -= 30;
  const top = y;
  for (const [x, party, label] of [[50, inv.seller, 'From'], [320, inv.buyer, 'Bill to']] as const) {
    y = top;
    text(label, x, 8, bold);
    for (const line of [party.name, ...party.lines, ...(party.vatId ? [`VAT ${party.vatId}`] : [])]) {
      y -= 13;
      text(line, x);
    }
  }
  y -= 40;
  text('Item', 50, 9, bold); right('Qty', 330, 9, bold); right('Unit', 400, 9, bold); right('VAT', 450, 9, bold); right('Net', 545, 9, bold);
  y -= 6;
  page.drawLine({ start: { x: 50, y }, end: { x: 545, y }, thickness: 0.5 });
  for (const l of inv.lines) {
    y -= 15;
    text(l.description.slice(0, 48), 50);
    right(String(l.quantity), 330);
    right(format(l.unitPrice), 400);
    right(`${(l.taxRate / 100).toFixed(l.taxRate % 100 ? 1 : 0)}%`, 450);
    right(format(l.net), 545);
  }
  y -= 10;
  page.drawLine({ start: { x: 300, y }, end: { x: 545, y }, thickness: 0.5 });
  y -= 15;
  text('Net', 300); right(format(inv.totals.net), 545);
  for (const t of inv.taxBreakdown) {
    y -= 14;
    text(`VAT ${(t.taxRate / 100).toFixed(t.taxRate % 100 ? 1 : 0)}% on ${format(t.net)}`, 300); right(format(t.tax), 545);
  }
  y -= 18;
  text(inv.kind === 'invoice' ? 'Total' : 'Total credited', 300, 12, bold); right(format(inv.totals.gross), 545, 12, bold);
  return pdf.save({ useObjectStreams: false });
}
