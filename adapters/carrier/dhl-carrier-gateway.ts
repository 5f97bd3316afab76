// CarrierGateway over the DHL Express MyDHL API (POST /shipments), plus the verification and
// schema of the signed tracking push our webhook receives. The same code talks to DHL and to the
// local simulator (runtime/simulators/carrier); only baseUrl and credentials differ.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { CarrierGateway, ShipmentRequest } from '../../application/ports';
import { currencies } from '../../domain/money';

export interface DhlCarrierConfig {
  /** Default https://express.api.dhl.com/mydhlapi (test environment: .../mydhlapi/test). */
  baseUrl?: string;
  apiKey: string;
  apiSecret: string;
  /** The DHL Express shipper account billed for shipments. */
  accountNumber: string;
  shipper: { name: string; line1: string; city: string; postalCode: string; country: string; email: string; phone: string };
  /** Per request, including reading the response (default 15000 ms). */
  timeoutMs?: number;
}

type CreateShipmentResult = Awaited<ReturnType<CarrierGateway['createShipment']>>;

const defaultBaseUrl = 'https://express.api.dhl.com/mydhlapi';
const eu = new Set('AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '));

/** DHL's public, unauthenticated tracking page: what customers get. */
export function publicTrackingUrl(trackingNumber: string): string {
  return `https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=${encodeURIComponent(trackingNumber)}`;
}

/**
 * MyDHL's Message-Reference (28–36 characters), derived from our reference so every retry of the
 * same shipment sends the same value.
 */
export function messageReferenceFor(reference: string): string {
  return createHash('sha256').update(`shipment:${reference}`, 'utf8').digest('hex').slice(0, 32);
}

/**
 * DHL global product: domestic shipments only have DOMESTIC EXPRESS (N); abroad, express is
 * EXPRESS WORLDWIDE (P) and standard is ECONOMY SELECT, which has an EU (W) and a non-EU (H) code.
 */
export function productCodeFor(service: ShipmentRequest['service'], from: string, to: string): string {
  if (from === to) return 'N';
  if (service === 'express') return 'P';
  return eu.has(from) && eu.has(to) ? 'W' : 'H';
}

/** MyDHL's date format: local time with an explicit offset, e.g. 2025-01-18T17:00:00 GMT+00:00. */
function plannedShippingDateAndTime(at: Date): string {
  return `${at.toISOString().slice(0, 19)} GMT+00:00`;
}

export class DhlCarrierGateway implements CarrierGateway {
  private readonly config: DhlCarrierConfig;
  private readonly baseUrl: string;

  constructor(config: DhlCarrierConfig) {
    this.config = config;
    this.baseUrl = (config.baseUrl ?? defaultBaseUrl).replace(/\/+$/, '');
  }

  async createShipment(req: ShipmentRequest): Promise<CreateShipmentResult> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.baseUrl}/shipments`, {
        method: 'POST',
        headers: {
          authorization: 'Basic ' + Buffer.from(`${this.config.apiKey}:${this.config.apiSecret}`).toString('base64'),
          'content-type': 'application/json',
          accept: 'application/json',
          'message-reference': messageReferenceFor(req.reference),
          'message-reference-date': new Date().toUTCString(),
        },
        body: JSON.stringify(this.requestBody(req)),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 15_000),
      });
      text = await res.text();
    } catch (err) {
      // Timeout or network failure: the shipment may or may not exist; a retry with the same
      // Message-Reference is safe either way.
      return { ok: false, kind: 'unavailable', retryable: true, reason: `DHL unreachable: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (res.status === 200 || res.status === 201) return this.parseCreated(text);
    const reason = describeError(res.status, text);
    if (res.status >= 500 || res.status === 429 || res.status === 408) return { ok: false, kind: 'unavailable', retryable: true, reason };
    // Wrong or expired credentials, or an account without the product: our configuration, not the
    // order's fault. Retried like an outage (as the PayPal adapter does with its 401/403), and the
    // saga holds the order rather than refunding it.
    if (res.status === 401 || res.status === 403) return { ok: false, kind: 'unauthorized', retryable: true, reason: `DHL refused our credentials: ${reason}` };
    return { ok: false, kind: 'refused', retryable: false, reason };
  }

  private requestBody(req: ShipmentRequest): object {
    const s = this.config.shipper;
    const r = req.recipient;
    const domesticOrEu = r.country === s.country || (eu.has(r.country) && eu.has(s.country));
    const exponent = currencies[req.declaredValue.currency];
    return {
      plannedShippingDateAndTime: plannedShippingDateAndTime(new Date(Date.now() + 60 * 60_000)),
      pickup: { isRequested: false },
      productCode: productCodeFor(req.service, s.country, r.country),
      accounts: [{ typeCode: 'shipper', number: this.config.accountNumber }],
      outputImageProperties: { encodingFormat: 'pdf', imageOptions: [{ typeCode: 'label' }] },
      // Our order id, so tracking data (and our webhook) can be matched to the order.
      customerReferences: [{ value: req.orderId, typeCode: 'CU' }],
      customerDetails: {
        shipperDetails: {
          postalAddress: { postalCode: s.postalCode, cityName: s.city, countryCode: s.country, addressLine1: s.line1 },
          contactInformation: { fullName: s.name, companyName: s.name, phone: s.phone, email: s.email },
        },
        receiverDetails: {
          postalAddress: { postalCode: r.postalCode, cityName: r.city, countryCode: r.country, addressLine1: r.line1, ...(r.line2 ? { addressLine2: r.line2 } : {}) },
          // MyDHL requires a receiver phone and company name; our orders carry neither, so the
          // person's name stands in for the company and the shop's phone for the receiver's.
          contactInformation: { fullName: r.name, companyName: r.name, phone: s.phone, email: r.email },
        },
      },
      content: {
        packages: req.packages.map((p) => ({ weight: Math.max(p.weightGrams, 1) / 1000 })),
        // Goods moving inside one customs union need no customs declaration.
        isCustomsDeclarable: !domesticOrEu,
        declaredValue: req.declaredValue.amount / 10 ** exponent,
        declaredValueCurrency: req.declaredValue.currency,
        description: `Order ${req.orderId}`.slice(0, 70),
        incoterm: 'DAP',
        unitOfMeasurement: 'metric',
      },
    };
  }

  private parseCreated(text: string): CreateShipmentResult {
    const parsed = createdSchema.safeParse(safeJson(text));
    if (!parsed.success) return { ok: false, kind: 'refused', retryable: false, reason: 'DHL answered success without a tracking number or label' };
    const label = parsed.data.documents.find((d) => d.typeCode === 'label' && d.imageFormat.toUpperCase() === 'PDF');
    if (!label) return { ok: false, kind: 'refused', retryable: false, reason: 'DHL answered success without a PDF label' };
    const trackingNumber = parsed.data.shipmentTrackingNumber;
    // MyDHL's `trackingUrl` points at its authenticated tracking API, so customers get DHL's
    // public tracking page instead.
    return { ok: true, carrier: 'DHL Express', trackingNumber, trackingUrl: publicTrackingUrl(trackingNumber), labelPdfBase64: label.content };
  }
}

const createdSchema = z.object({
  shipmentTrackingNumber: z.string().min(1),
  documents: z.array(z.object({ typeCode: z.string(), imageFormat: z.string(), content: z.string().min(1) })),
});

const errorSchema = z.object({
  title: z.string().optional(),
  detail: z.string().optional(),
  additionalDetails: z.array(z.unknown()).optional(),
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeError(status: number, text: string): string {
  const e = errorSchema.safeParse(safeJson(text));
  if (!e.success) return `DHL ${status}: ${text.slice(0, 200) || 'no body'}`;
  const extra = e.data.additionalDetails?.length ? ` (${e.data.additionalDetails.map((d) => (typeof d === 'string' ? d : JSON.stringify(d))).join('; ')})` : '';
  return `DHL ${status}: ${[e.data.title, e.data.detail].filter(Boolean).join(': ')}${extra}`;
}

// ---- the tracking push (our simulator's signed JSON; see docs/carrier-simulator.md) ----

export const carrierTrackingEventSchema = z.object({
  shipmentTrackingNumber: z.string().min(1),
  /** Our order id (the shipment's first customer reference). */
  reference: z.string(),
  event: z.object({
    /** DHL event code: PU picked up, PL processed at facility, OK delivered, ... */
    typeCode: z.string().min(1),
    description: z.string(),
    timestamp: z.iso.datetime({ offset: true }),
  }),
  status: z.enum(['picked-up', 'in-transit', 'delivered']),
});

export type CarrierTrackingEvent = z.infer<typeof carrierTrackingEventSchema>;

/**
 * Checks `x-dhl-signature: sha256=<hex HMAC-SHA256 of the raw body>` in constant time against each
 * secret: the current one and, during a rotation, the previous one. Empty secrets never match.
 */
export function verifyCarrierWebhook(rawBody: string, signatureHeader: string | null, secrets: string | readonly (string | undefined)[]): boolean {
  const m = /^sha256=([0-9a-f]{64})$/i.exec(signatureHeader?.trim() ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1], 'hex');
  let valid = false;
  // Every secret is checked (no early exit), so the time taken does not tell which one matched.
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    if (!secret) continue;
    if (timingSafeEqual(given, createHmac('sha256', secret).update(rawBody, 'utf8').digest())) valid = true;
  }
  return valid;
}
