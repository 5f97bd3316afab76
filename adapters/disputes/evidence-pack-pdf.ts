// Renders a dispute's evidence pack as one A4 PDF for PayPal's provide-evidence upload, with the
// standard Helvetica fonts (pdf-lib). The same input always gives the same bytes, so a pack
// rebuilt after a crash is identical to the one that may already have been submitted.
import { createHash } from 'node:crypto';
import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import type { PDFFont, PDFPage, RGB } from 'pdf-lib';
import { format } from '../../domain/money';
import type { ShippingAddress } from '../../domain/order';
import { deliveryAddressMatches, evidenceDocumentName, rebuttalFor, timelineOf } from '../../domain/evidence-pack';
import type { EvidencePackInput } from '../../domain/evidence-pack';

/** PayPal takes evidence files below 10 MB each. */
export const maxEvidencePackBytes = 10 * 1024 * 1024;

export interface RenderedEvidencePack {
  pdf: Uint8Array;
  /** Of the PDF bytes, hex. */
  sha256: string;
  pages: number;
}

export class EvidencePackTooLargeError extends Error {}

const pageSize: [number, number] = [595.28, 841.89];
const left = 50;
const right = 545;
const top = 800;
const bottom = 56;
const ink = rgb(0.1, 0.1, 0.1);
const grey = rgb(0.45, 0.45, 0.45);

export async function renderEvidencePack(input: EvidencePackInput, options: { maxBytes?: number } = {}): Promise<RenderedEvidencePack> {
  const maxBytes = options.maxBytes ?? maxEvidencePackBytes;
  const generatedAt = new Date(input.generatedAt);
  if (Number.isNaN(generatedAt.getTime())) throw new Error(`generatedAt "${input.generatedAt}" is not a date`);
  const { dispute, order, payment } = input;

  // No automatic metadata: pdf-lib would stamp the current time.
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(`Evidence for PayPal dispute ${dispute.disputeId}`);
  doc.setSubject(`Order ${order.orderId}, ${dispute.reason}`);
  doc.setCreator(input.generator);
  doc.setProducer('order-backend evidence pack');
  doc.setCreationDate(generatedAt);
  doc.setModificationDate(generatedAt);
  const w = new Writer(doc, await doc.embedFont(StandardFonts.Helvetica), await doc.embedFont(StandardFonts.HelveticaBold));

  // 1 Cover
  w.title(`Evidence for PayPal dispute ${dispute.disputeId}`);
  w.keyValues([
    ['Dispute', dispute.disputeId],
    ['Reason', dispute.reason],
    ['Stage / channel', `${dispute.stage} / ${dispute.channel}`],
    ['Disputed amount', format(dispute.amount)],
    ['Opened', dispute.createdAt],
    ['Response due', dispute.dueAt ?? 'not given'],
    ['Our order', order.orderId],
    ['PayPal order / capture', `${payment.providerOrderId} / ${payment.captureId ?? 'none'}`],
    ['Customer', `${order.customer.name} <${order.customer.email}>`],
  ]);
  w.heading('Summary');
  w.paragraph(rebuttalFor(input));
  w.heading('Contents');
  for (const s of ['2 Timeline', '3 Invoice', '4 Payment record', '5 Fulfilment proof', '6 Communications log', '7 Policies and checkout acceptance', '8 Refunds and credit notes', '9 Appendix']) w.paragraph(s);
  w.newPage();

  // 2 Timeline
  w.heading('2 Timeline');
  w.table(
    [{ title: 'When', width: 112 }, { title: 'Source', width: 52 }, { title: 'Event', width: 160 }, { title: 'Detail', width: 171 }],
    timelineOf(input).map((r) => [r.at, r.source, r.event, r.detail ?? '']),
  );

  // 3 Invoice
  w.heading('3 Invoice');
  w.keyValues(input.invoice ? [['Invoice number', input.invoice.number], ['Issued', input.invoice.issuedAt], ['Invoice total', format(input.invoice.total)]] : [['Invoice', 'none issued; order lines as placed']]);
  w.table(
    [{ title: 'SKU', width: 80 }, { title: 'Item', width: 190 }, { title: 'Qty', width: 35, align: 'right' }, { title: 'Unit price', width: 95, align: 'right' }, { title: 'Line total', width: 95, align: 'right' }],
    order.lines.map((l) => [l.sku, l.name, String(l.quantity), format(l.unitPrice), format(l.lineTotal)]),
  );
  w.keyValues([['Items', format(order.totals.items)], ['Shipping', format(order.totals.shipping)], ['Tax', format(order.totals.tax)], ['Total', format(order.totals.total)]], true);

  // 4 Payment
  w.heading('4 Payment record');
  const sp = payment.sellerProtection;
  w.keyValues([
    ['Provider', 'PayPal'],
    ['PayPal order', payment.providerOrderId],
    ['Authorization', payment.authorizationId ?? 'none'],
    ['Capture', payment.captureId ?? 'none'],
    ['Captured at', payment.capturedAt ?? 'not captured'],
    ['Amount', format(payment.amount)],
    ['Payer id', payment.payerId ?? 'not recorded'],
    ['Payer email', payment.payerEmail ?? 'not recorded'],
    ['Seller protection', sp ? `${sp.status}${sp.disputeCategories.length ? ` (${sp.disputeCategories.join(', ')})` : ''}` : 'not recorded'],
  ]);

  // 5 Fulfilment
  w.heading('5 Fulfilment proof');
  const match = deliveryAddressMatches(input);
  w.marker('Delivery address vs PayPal shipping address: ', match === undefined ? ['NOT RECORDED', grey] : match ? ['MATCH', rgb(0.05, 0.45, 0.15)] : ['MISMATCH', rgb(0.75, 0.1, 0.1)]);
  w.table(
    [{ title: '', width: 80 }, { title: 'Order delivery address', width: 207 }, { title: 'PayPal shipping address', width: 208 }],
    addressRows(order.shippingAddress, payment.payPalShippingAddress),
  );
  if (input.shipments.length === 0) w.paragraph('No shipment recorded.');
  input.shipments.forEach((s, i) => {
    w.subheading(`Shipment ${i + 1} of ${input.shipments.length}`);
    w.keyValues([
      ['Carrier', s.carrier + (s.payPalCarrier ? ` (PayPal carrier ${s.payPalCarrier})` : '')],
      ['Tracking number', s.trackingNumber],
      ['Tracking URL', s.trackingUrl],
      ['Shipped', s.shippedAt],
      ['Delivered', s.deliveredAt ?? 'not reported by the carrier'],
      ...(s.payPalTrackerId ? [['PayPal tracker', s.payPalTrackerId] as [string, string]] : []),
    ]);
    w.table(
      [{ title: 'Scan time', width: 112 }, { title: 'Code', width: 45 }, { title: 'Description', width: 203 }, { title: 'Location', width: 135 }],
      s.scans.map((c) => [c.at, c.code, c.description, c.location ?? '']),
    );
  });

  // 6 Communications
  w.heading('6 Communications log');
  w.table(
    [{ title: 'Sent', width: 112 }, { title: 'Stage', width: 70 }, { title: 'Subject', width: 150 }, { title: 'To', width: 73 }, { title: 'Message id', width: 90 }],
    input.emails.map((e) => [e.sentAt, e.stage, e.subject, e.to, e.messageId]),
  );

  // 7 Policies
  w.heading('7 Policies and checkout acceptance');
  w.table([{ title: 'Policy', width: 150 }, { title: 'Version', width: 80 }, { title: 'URL', width: 265 }], input.policies.map((p) => [p.name, p.version, p.url ?? '']));
  const c = order.checkout;
  w.keyValues([
    ['Terms version', c?.termsVersion ?? 'not recorded'],
    ['Accepted at', c?.acceptedAt ?? 'not recorded'],
    ['Checkout IP', c?.ip ?? 'not recorded'],
    ['User agent', c?.userAgent ?? 'not recorded'],
    ['Customer account', `${order.customer.id} <${order.customer.email}>`],
  ]);

  // 8 Refunds
  w.heading('8 Refunds and credit notes');
  w.table(
    [{ title: 'Date', width: 112 }, { title: 'Refund', width: 90 }, { title: 'PayPal refund', width: 90 }, { title: 'Amount', width: 80, align: 'right' }, { title: 'Reason', width: 123 }],
    input.refunds.map((r) => [r.at, r.id, r.providerRefundId ?? '', format(r.amount), r.reason]),
  );
  w.table([{ title: 'Credit note', width: 150 }, { title: 'Issued', width: 150 }, { title: 'Corrects', width: 195 }], input.creditNotes.map((n) => [n.number, n.issuedAt, n.corrects]));

  // 9 Appendix
  w.heading('9 Appendix');
  w.keyValues([
    ['Generated at', input.generatedAt],
    ['Generator', input.generator],
    ['Document', evidenceDocumentName(dispute.disputeId)],
    ['Input SHA-256', sha256Hex(canonicalJson(input))],
  ]);
  w.paragraph('The input hash is over the pack\'s source record as canonical JSON (keys sorted); times are as recorded (ISO 8601).', 8, grey);

  w.footers(`PayPal dispute ${dispute.disputeId} - order ${order.orderId}`);
  const pdf = await doc.save({ useObjectStreams: false });
  if (pdf.length >= maxBytes) throw new EvidencePackTooLargeError(`evidence pack for ${dispute.disputeId} is ${pdf.length} bytes; PayPal takes files below ${maxBytes}`);
  return { pdf, sha256: sha256Hex(pdf), pages: doc.getPageCount() };
}

function addressRows(ours: ShippingAddress, paypal: ShippingAddress | undefined): string[][] {
  const fields: [string, keyof ShippingAddress][] = [['Name', 'name'], ['Line 1', 'line1'], ['Line 2', 'line2'], ['City', 'city'], ['Postal code', 'postalCode'], ['State', 'state'], ['Country', 'country']];
  return fields.map(([label, k]) => [label, ours[k] ?? '', paypal ? (paypal[k] ?? '') : '(not recorded)']);
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted, so the hash does not depend on how the input was assembled. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

interface Column {
  title: string;
  width: number;
  align?: 'right';
}

/** Top-to-bottom text layout with wrapping and page breaks. */
class Writer {
  private page!: PDFPage;
  private y = top;
  private readonly encodable: Set<number>;
  private readonly safeChars = new Map<string, string>();
  private readonly glyphWidths = new Map<PDFFont, Map<string, number>>();

  constructor(private readonly doc: PDFDocument, private readonly regular: PDFFont, private readonly bold: PDFFont) {
    // Helvetica and Helvetica-Bold share the WinAnsi character set.
    this.encodable = new Set(regular.getCharacterSet());
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage(pageSize);
    this.y = top;
  }

  title(text: string): void {
    for (const line of this.wrap(text, this.bold, 18, right - left)) this.line(line, left, 18, this.bold, 24);
    this.y -= 10;
  }

  heading(text: string): void {
    // A heading never ends a page without something under it.
    this.room(90);
    this.y -= 14;
    this.line(text, left, 14, this.bold, 18);
    this.y -= 4;
  }

  subheading(text: string): void {
    this.room(60);
    this.y -= 6;
    this.line(text, left, 11, this.bold, 15);
  }

  paragraph(text: string, size = 10, color: RGB = ink): void {
    for (const para of text.split('\n')) for (const l of this.wrap(para, this.regular, size, right - left)) this.line(l, left, size, this.regular, size * 1.35, color);
    this.y -= 4;
  }

  marker(label: string, [value, color]: [string, RGB]): void {
    this.room(20);
    this.y -= 15;
    const text = this.safe(label);
    this.page.drawText(text, { x: left, y: this.y, size: 10, font: this.bold, color: ink });
    this.page.drawText(value, { x: left + this.measure(text, this.bold, 10), y: this.y, size: 10, font: this.bold, color });
    this.y -= 4;
  }

  keyValues(rows: [string, string][], alignRight = false): void {
    this.rows([{ title: '', width: 130 }, { title: '', width: 365, ...(alignRight ? { align: 'right' as const } : {}) }], rows, 9.5, false);
  }

  table(columns: Column[], rows: string[][]): void {
    if (rows.length === 0) {
      this.paragraph('None recorded.', 9, grey);
      return;
    }
    this.rows(columns, rows, 8.5, true);
  }

  /** Draws a grid of wrapped cells; a row that does not fit moves to the next page, under a repeated header. */
  private rows(columns: Column[], rows: string[][], size: number, header: boolean): void {
    const lineHeight = size * 1.3;
    const pad = 3;
    const drawHeader = () => {
      if (!header) return;
      this.y -= lineHeight;
      let x = left;
      for (const c of columns) {
        this.cell(c.title, x, c, this.bold, size);
        x += c.width;
      }
      this.y -= pad;
      this.page.drawLine({ start: { x: left, y: this.y }, end: { x: right, y: this.y }, thickness: 0.5, color: grey });
    };
    this.room(lineHeight * (header ? 2 : 1) + pad * 2);
    drawHeader();
    const maxLines = Math.floor((top - bottom - lineHeight * 2 - pad * 3) / lineHeight);
    for (const row of rows) {
      const cells = columns.map((c, i) => {
        const font = !header && i === 0 ? this.bold : this.regular;
        const lines = this.wrap(row[i] ?? '', font, size, c.width - pad * 2);
        // One cell never spans pages: text beyond a page is cut, with a mark.
        return { font, lines: lines.length > maxLines ? [...lines.slice(0, maxLines - 1), '[...]'] : lines };
      });
      const height = Math.max(1, ...cells.map((c) => c.lines.length)) * lineHeight + pad;
      if (this.y - height < bottom) {
        this.newPage();
        drawHeader();
      }
      const rowTop = this.y - pad;
      let x = left;
      columns.forEach((c, i) => {
        cells[i].lines.forEach((l, n) => {
          this.y = rowTop - (n + 1) * lineHeight + size * 0.25;
          this.cell(l, x, c, cells[i].font, size, true);
        });
        x += c.width;
      });
      this.y = rowTop - height + pad;
    }
    this.y -= 6;
  }

  private cell(text: string, x: number, c: Column, font: PDFFont, size: number, safe = false): void {
    const t = safe ? text : this.safe(text);
    const dx = c.align === 'right' ? c.width - 3 - this.measure(t, font, size) : 3;
    this.page.drawText(t, { x: x + dx, y: this.y, size, font, color: ink });
  }

  footers(label: string): void {
    const pages = this.doc.getPages();
    const text = this.safe(label);
    pages.forEach((p, i) => {
      p.drawText(`${text} - page ${i + 1} of ${pages.length}`, { x: left, y: 30, size: 8, font: this.regular, color: grey });
    });
  }

  private room(height: number): void {
    if (this.y - height < bottom) this.newPage();
  }

  private line(text: string, x: number, size: number, font: PDFFont, lineHeight: number, color: RGB = ink): void {
    this.room(lineHeight);
    this.y -= lineHeight;
    this.page.drawText(text, { x, y: this.y, size, font, color });
  }

  /** Text the standard fonts can encode: accents dropped where that helps, anything else becomes "?". */
  safe(text: string): string {
    let out = '';
    for (const ch of text.replace(/[\t\r\n]/g, ' ')) {
      let s = this.safeChars.get(ch);
      if (s === undefined) {
        if (this.encodable.has(ch.codePointAt(0)!)) s = ch;
        else {
          const base = [...ch.normalize('NFKD')].filter((d) => !/\p{M}/u.test(d) && this.encodable.has(d.codePointAt(0)!)).join('');
          s = base || '?';
        }
        this.safeChars.set(ch, s);
      }
      out += s;
    }
    return out;
  }

  /**
   * Width of safe text as drawn: the sum of glyph widths. pdf-lib's widthOfTextAtSize also adds
   * kerning, which drawText does not apply, and re-encodes the whole string on every call.
   */
  private measure(text: string, font: PDFFont, size: number): number {
    let widths = this.glyphWidths.get(font);
    if (!widths) this.glyphWidths.set(font, (widths = new Map()));
    let total = 0;
    for (const ch of text) {
      let w = widths.get(ch);
      if (w === undefined) widths.set(ch, (w = font.widthOfTextAtSize(ch, 1000)));
      total += w;
    }
    return (total * size) / 1000;
  }

  /** Safe text broken into lines of at most `width` points; words longer than a line are split. */
  wrap(text: string, font: PDFFont, size: number, width: number): string[] {
    const words = this.safe(text).split(' ').filter((x) => x !== '');
    const space = this.measure(' ', font, size);
    const lines: string[] = [];
    let current = '';
    let currentWidth = 0;
    for (let word of words) {
      let ww = this.measure(word, font, size);
      while (ww > width) {
        // Flush, then cut the longest prefix that fits.
        if (current) {
          lines.push(current);
          current = '';
          currentWidth = 0;
        }
        let n = Math.max(1, Math.floor((word.length * width) / ww));
        while (n > 1 && this.measure(word.slice(0, n), font, size) > width) n--;
        lines.push(word.slice(0, n));
        word = word.slice(n);
        ww = this.measure(word, font, size);
      }
      if (!word) continue;
      if (current && currentWidth + space + ww > width) {
        lines.push(current);
        current = '';
        currentWidth = 0;
      }
      currentWidth += (current ? space : 0) + ww;
      current = current ? `${current} ${word}` : word;
    }
    if (current) lines.push(current);
    return lines;
  }
}
