// CarrierGateway over the DHL Express MyDHL API: POST /shipments books, GET /tracking finds what
// an earlier booking created (by our reference). The same code talks to DHL and to the local
// simulator (runtime/simulators/carrier); only baseUrl and credentials differ. The signed tracking
// push our webhook receives lives in ./carrier-webhook and is re-exported here.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { BookedShipment, CarrierGateway, ShipmentRequest } from '../../application/ports';
import { currencies } from '../../domain/money';

export { carrierSignatureHeader, carrierTimestampHeader, carrierTrackingEventSchema, defaultCarrierWebhookToleranceSeconds, signCarrierWebhook, verifyCarrierWebhook } from './carrier-webhook';
export type { CarrierTrackingEvent, CarrierWebhookVerdict } from './carrier-webhook';

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
  /**
   * How many days back findShipment searches (default 30). MyDHL wants a date range with every
   * search by reference; it must cover the oldest booking that may still be retried (a shipment
   * held for our credentials is retried for 7 days, then on an operator's RetryNow).
   */
  lookupWindowDays?: number;
  /** The customers' tracking page with a `{trackingNumber}` placeholder (default DHL's public one). */
  trackingUrlTemplate?: string;
}

type CreateShipmentResult = Awaited<ReturnType<CarrierGateway['createShipment']>>;
type FindShipmentResult = Awaited<ReturnType<CarrierGateway['findShipment']>>;
type Exchange = { ok: true; status: number; text: string } | { ok: false; reason: string };

const defaultBaseUrl = 'https://express.api.dhl.com/mydhlapi';
const eu = new Set('AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '));

const dhlTrackingPage = 'https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={trackingNumber}';

/**
 * The tracking page customers get: DHL's public, unauthenticated one, or `template` (with a
 * `{trackingNumber}` placeholder) where another page stands in, as the local simulator's does.
 */
export function publicTrackingUrl(trackingNumber: string, template: string = dhlTrackingPage): string {
  return template.split('{trackingNumber}').join(encodeURIComponent(trackingNumber));
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
    const res = await this.exchange('POST', '/shipments', messageReferenceFor(req.reference), JSON.stringify(this.requestBody(req)));
    // Timeout or network failure: the shipment may or may not exist. DHL does not deduplicate on
    // Message-Reference, so the caller asks findShipment before booking again.
    if (!res.ok) return { ok: false, kind: 'unavailable', retryable: true, reason: res.reason };
    if (res.status === 200 || res.status === 201) return this.parseCreated(res.text);
    const reason = describeError(res.status, res.text);
    if (res.status >= 500 || res.status === 429 || res.status === 408) return { ok: false, kind: 'unavailable', retryable: true, reason };
    // Wrong or expired credentials, or an account without the product: our configuration, not the
    // order's fault. Retried like an outage (as the PayPal adapter does with its 401/403), and the
    // saga holds the order rather than refunding it.
    if (res.status === 401 || res.status === 403) return { ok: false, kind: 'unauthorized', retryable: true, reason: `DHL refused our credentials: ${reason}` };
    return { ok: false, kind: 'refused', retryable: false, reason };
  }

  /**
   * MyDHL's tracking search by shipper reference (GET /tracking?shipmentReference=…), limited to
   * our account and a date range as MyDHL requires. The booking carries `reference` as a CU
   * customer reference, so this finds it even when its answer was lost. Several matches (blind
   * retries before this existed) yield the oldest: the one to keep.
   */
  async findShipment(reference: string): Promise<FindShipmentResult> {
    const now = Date.now();
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const query = new URLSearchParams({
      shipmentReference: reference,
      shipmentReferenceType: 'CU',
      shipperAccountNumber: this.config.accountNumber,
      dateRangeFrom: day(now - (this.config.lookupWindowDays ?? 30) * 86_400_000),
      // Tomorrow (UTC): DHL may date a booking made just now in a time zone ahead of ours.
      dateRangeTo: day(now + 86_400_000),
      trackingView: 'shipment-details-only',
      levelOfDetail: 'shipment',
    });
    // A fresh Message-Reference: here it only traces the request.
    const res = await this.exchange('GET', `/tracking?${query.toString()}`, randomUUID());
    if (!res.ok) return { ok: false, kind: 'unavailable', reason: res.reason };
    // MyDHL answers 404 "No data found" when nothing matches.
    if (res.status === 404) return { ok: true };
    if (res.status === 200) return this.parseFound(res.text, reference);
    const reason = describeError(res.status, res.text);
    if (res.status >= 500 || res.status === 429 || res.status === 408) return { ok: false, kind: 'unavailable', reason };
    if (res.status === 401 || res.status === 403) return { ok: false, kind: 'unauthorized', reason: `DHL refused our credentials: ${reason}` };
    return { ok: false, kind: 'refused', reason };
  }

  /** One request to MyDHL with our credentials; a network failure or timeout is `ok: false`. */
  private async exchange(method: 'GET' | 'POST', path: string, messageReference: string, body?: string): Promise<Exchange> {
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: 'Basic ' + Buffer.from(`${this.config.apiKey}:${this.config.apiSecret}`).toString('base64'),
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          'message-reference': messageReference,
          'message-reference-date': new Date().toUTCString(),
        },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 15_000),
      });
      return { ok: true, status: res.status, text: await res.text() };
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
      return { ok: false, reason: `DHL unreachable: ${err instanceof Error ? err.message : String(err)}${cause}` };
    }
  }

  private parseFound(text: string, reference: string): FindShipmentResult {
    const parsed = trackingSchema.safeParse(safeJson(text));
    // Unreadable: we cannot tell whether the shipment exists, and booking again might duplicate it.
    if (!parsed.success) return { ok: false, kind: 'unavailable', reason: 'DHL answered the tracking search with an unreadable body' };
    const matches = parsed.data.shipments
      .filter((s) => s.status === undefined || /^success$/i.test(s.status))
      // Defensive: should DHL match references loosely, only an exact one is ours.
      .filter((s) => s.shipperReferences === undefined || s.shipperReferences.some((r) => r.value === reference))
      .sort((a, b) => (a.shipmentTimestamp ?? '\uffff').localeCompare(b.shipmentTimestamp ?? '\uffff'));
    const first = matches[0];
    if (!first) return { ok: true };
    const shipment: BookedShipment = { carrier: 'DHL Express', trackingNumber: first.shipmentTrackingNumber, trackingUrl: publicTrackingUrl(first.shipmentTrackingNumber, this.config.trackingUrlTemplate) };
    return { ok: true, shipment };
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
      // Our order id first, so tracking data (and our webhook) can be matched to the order; and
      // the booking's reference, by which findShipment looks for it (the same value in the saga).
      customerReferences: [{ value: req.orderId, typeCode: 'CU' }, ...(req.reference !== req.orderId ? [{ value: req.reference, typeCode: 'CU' }] : [])],
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
    return { ok: true, carrier: 'DHL Express', trackingNumber, trackingUrl: publicTrackingUrl(trackingNumber, this.config.trackingUrlTemplate), labelPdfBase64: label.content };
  }
}

const createdSchema = z.object({
  shipmentTrackingNumber: z.string().min(1),
  documents: z.array(z.object({ typeCode: z.string(), imageFormat: z.string(), content: z.string().min(1) })),
});

const trackingSchema = z.object({
  shipments: z.array(
    z.object({
      shipmentTrackingNumber: z.string().min(1),
      status: z.string().optional(),
      /** Local time without offset, e.g. 2024-04-19T10:06:31. */
      shipmentTimestamp: z.string().optional(),
      shipperReferences: z.array(z.object({ value: z.string(), typeCode: z.string().optional() })).optional(),
    }),
  ),
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
