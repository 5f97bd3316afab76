// Renders the simulator's shipping label: a real one-page PDF (4×6 in, the usual thermal-label
// size) so downstream code that stores, attaches or prints labels handles a genuine document.
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';

export interface LabelContent {
  trackingNumber: string;
  pieceId: string;
  productCode: string;
  shipper: string[];
  receiver: string[];
  weightKg: number;
  pieces: number;
  reference?: string;
  createdAt: Date;
}

/**
 * The standard Helvetica font only encodes WinAnsi (cp1252); pdf-lib throws on anything else, so
 * characters outside printable ASCII and Latin-1 are replaced rather than failing the shipment.
 */
export function toWinAnsi(text: string): string {
  return Array.from(text, (ch) => {
    const c = ch.codePointAt(0)!;
    return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) ? ch : '?';
  }).join('');
}

export async function renderLabelPdf(label: LabelContent): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`DHL Express label ${label.trackingNumber}`);
  pdf.setProducer('commerce-simulators DHL Express');
  // Fixed dates keep a retried request's label identical to the first one.
  pdf.setCreationDate(label.createdAt);
  pdf.setModificationDate(label.createdAt);
  const page = pdf.addPage([288, 432]);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  let y = 410;
  const line = (text: string, size = 9, font = regular): void => {
    page.drawText(toWinAnsi(text), { x: 14, y, size, font, color: rgb(0, 0, 0) });
    y -= size + 4;
  };
  line('DHL EXPRESS (SIMULATED)', 14, bold);
  line(`Product ${label.productCode}`, 10, bold);
  y -= 6;
  line('From:', 8, bold);
  label.shipper.forEach((l) => line(l, 8));
  y -= 6;
  line('To:', 10, bold);
  label.receiver.forEach((l) => line(l, 11, bold));
  y -= 10;
  line(`Weight: ${label.weightKg.toFixed(3)} kg   Pieces: ${label.pieces}`, 10);
  if (label.reference) line(`Ref: ${label.reference}`, 9);
  line(`Date: ${label.createdAt.toISOString().slice(0, 10)}`, 9);
  y -= 12;
  line('WAYBILL', 9, bold);
  line(formatWaybill(label.trackingNumber), 22, bold);
  line(`Piece ID: ${label.pieceId}`, 9);
  return Buffer.from(await pdf.save());
}

/** DHL prints waybills grouped as "12 3456 7890". */
function formatWaybill(n: string): string {
  return n.length === 10 ? `${n.slice(0, 2)} ${n.slice(2, 6)} ${n.slice(6)}` : n;
}
