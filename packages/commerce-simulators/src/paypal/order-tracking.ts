// Orders v2 tracking: POST /v2/checkout/orders/{id}/track adds a shipment's tracking number to a
// capture of the order, PATCH /v2/checkout/orders/{id}/trackers/{tracker_id} cancels it or changes
// its items / notify_payer. PayPal uses this to judge Seller Protection for Item Not Received claims.
import { invalidRequest, notFound, PayPalApiError, unprocessable } from './paypal-errors';
import type { ErrorDetail } from './paypal-errors';
import { isObject } from './http-io';
import type { OperationResult } from './paypal-operations';
import type { PayPalResources } from './paypal-resources';
import type { CaptureRecord, PayPalStore, TrackerItem, TrackerRecord } from './paypal-store';

/** A capture can carry tracking once money moved (or is about to): PayPal's documented states. */
const TRACKABLE: ReadonlySet<CaptureRecord['status']> = new Set(['COMPLETED', 'PARTIALLY_REFUNDED', 'PENDING']);
/**
 * ShipmentCarrier has 1,400+ values (DHL, DHL_API, DHL_GLOBAL_ECOMMERCE, UPS, USPS, FEDEX, …,
 * OTHER); the simulator accepts any value of that shape rather than carrying the list.
 */
const CARRIER = /^[A-Z0-9][A-Z0-9_]{1,63}$/;
const UPC_TYPES = new Set(['UPC-A', 'UPC-B', 'UPC-C', 'UPC-D', 'UPC-E', 'UPC-2', 'UPC-5']);

const missing = (field: string): PayPalApiError => invalidRequest({ field, issue: 'MISSING_REQUIRED_PARAMETER', description: 'A required field / parameter is missing.' }, 'orders');
const invalidValue = (field: string, value: unknown): PayPalApiError =>
  invalidRequest({ field, value: typeof value === 'string' ? value : JSON.stringify(value), issue: 'INVALID_PARAMETER_VALUE', description: 'The value of a field is invalid.' }, 'orders');
const syntax = (field: string, value: unknown): PayPalApiError =>
  invalidRequest({ field, value: JSON.stringify(value), issue: 'INVALID_PARAMETER_SYNTAX', description: 'The value of a field does not conform to the expected format.' }, 'orders');

export class OrderTracking {
  constructor(private readonly store: PayPalStore, private readonly resources: PayPalResources, private readonly iso: () => string) {}

  /** POST /v2/checkout/orders/{id}/track: 201 with the whole order, trackers included. */
  track(orderId: string, body: unknown): OperationResult {
    const order = this.store.getOrder(orderId);
    if (!order) throw notFound(orderId, 'orders');
    const req = trackRequest(body);
    const captures = this.store.capturesOf(order.id);
    if (!captures.some((c) => TRACKABLE.has(c.status))) {
      throw unprocessable('ORDER_NOT_CAPTURED', 'Tracking information can be added only to an order with a capture in status COMPLETED, PARTIALLY_REFUNDED or PENDING.', 'orders');
    }
    const capture = captures.find((c) => c.id === req.capture_id);
    if (!capture) {
      throw unprocessable('CAPTURE_ID_NOT_FOUND', 'The capture_id is not a capture of this order.', 'orders', { field: '/capture_id', value: req.capture_id, location: 'body' });
    }
    if (!TRACKABLE.has(capture.status)) {
      throw unprocessable('CAPTURE_STATUS_NOT_VALID', `Tracking information cannot be added to a capture in status ${capture.status}.`, 'orders', { field: '/capture_id', value: capture.id, location: 'body' });
    }
    const time = this.iso();
    // Without a number PayPal still records the shipment; the simulator gives it a unique suffix.
    const id = `${capture.id}-${req.tracking_number ?? `NO-TRACKING-${this.store.trackersOf(order.id).length + 1}`}`;
    const existing = this.store.getTracker(id);
    if (existing?.status === 'SHIPPED') {
      throw unprocessable('TRACKER_ALREADY_EXISTS', 'This tracking number has already been added to the capture. Use PATCH /v2/checkout/orders/{id}/trackers/{tracker_id} to change it.', 'orders', { field: '/tracking_number', value: req.tracking_number, location: 'body' });
    }
    // A cancelled tracker posted again ships again, under the same id.
    this.store.saveTracker({
      id,
      order_id: order.id,
      capture_id: capture.id,
      status: 'SHIPPED',
      ...(req.tracking_number !== undefined ? { tracking_number: req.tracking_number } : {}),
      ...(req.carrier !== undefined ? { carrier: req.carrier } : {}),
      ...(req.carrier_name_other !== undefined ? { carrier_name_other: req.carrier_name_other } : {}),
      notify_payer: req.notify_payer ?? false,
      items: req.items ?? [],
      create_time: existing?.create_time ?? time,
      update_time: time,
    });
    return { status: 201, body: this.resources.order({ ...order }), events: [] };
  }

  /** PATCH /v2/checkout/orders/{id}/trackers/{tracker_id}: 204; all operations or none. */
  patch(orderId: string, trackerId: string, body: unknown): OperationResult {
    if (!this.store.getOrder(orderId)) throw notFound(orderId, 'orders');
    const tracker = this.store.getTracker(trackerId);
    if (!tracker || tracker.order_id !== orderId) throw notFound(trackerId, 'orders');
    if (!Array.isArray(body) || body.length === 0) throw invalidRequest({ issue: 'MALFORMED_REQUEST_JSON', description: 'The request JSON is not well formed: a JSON Patch array is expected.' }, 'orders');
    let next: TrackerRecord = { ...tracker };
    body.forEach((raw, i) => {
      next = applyOperation(next, raw, i);
    });
    this.store.saveTracker({ ...next, update_time: this.iso() });
    return { status: 204, events: [] };
  }
}

interface TrackRequest {
  capture_id: string;
  tracking_number?: string;
  carrier?: string;
  carrier_name_other?: string;
  notify_payer?: boolean;
  items?: TrackerItem[];
}

function trackRequest(body: unknown): TrackRequest {
  if (!isObject(body)) throw invalidRequest({ issue: 'MALFORMED_REQUEST_JSON', description: 'The request JSON is not well formed.' }, 'orders');
  const { capture_id, tracking_number, carrier, carrier_name_other, notify_payer, items } = body;
  if (capture_id === undefined || capture_id === '') throw missing('/capture_id');
  if (typeof capture_id !== 'string') throw syntax('/capture_id', capture_id);
  if (tracking_number !== undefined && (typeof tracking_number !== 'string' || tracking_number === '' || tracking_number.length > 64)) throw syntax('/tracking_number', tracking_number);
  if (tracking_number !== undefined && carrier === undefined) throw missing('/carrier');
  if (carrier !== undefined && (typeof carrier !== 'string' || !CARRIER.test(carrier))) throw invalidValue('/carrier', carrier);
  if (carrier_name_other !== undefined && (typeof carrier_name_other !== 'string' || carrier_name_other.length > 64)) throw syntax('/carrier_name_other', carrier_name_other);
  if (carrier === 'OTHER' && !carrier_name_other) throw missing('/carrier_name_other');
  if (notify_payer !== undefined && typeof notify_payer !== 'boolean') throw syntax('/notify_payer', notify_payer);
  return {
    capture_id,
    ...(tracking_number !== undefined ? { tracking_number } : {}),
    ...(carrier !== undefined ? { carrier } : {}),
    ...(carrier_name_other !== undefined ? { carrier_name_other } : {}),
    ...(notify_payer !== undefined ? { notify_payer } : {}),
    ...(items !== undefined ? { items: itemsOf(items, '/items') } : {}),
  };
}

function itemsOf(raw: unknown, field: string): TrackerItem[] {
  if (!Array.isArray(raw)) throw syntax(field, raw);
  return raw.map((item, i) => {
    const at = `${field}/${i}`;
    if (!isObject(item)) throw syntax(at, item);
    const out: TrackerItem = {};
    for (const key of ['name', 'quantity', 'sku', 'url', 'image_url'] as const) {
      const v = item[key];
      if (v === undefined) continue;
      if (typeof v !== 'string') throw syntax(`${at}/${key}`, v);
      out[key] = v;
    }
    if (out.quantity !== undefined && !/^[1-9]\d{0,9}$/.test(out.quantity)) throw syntax(`${at}/quantity`, out.quantity);
    if (item.upc !== undefined) {
      const upc = item.upc;
      if (!isObject(upc) || typeof upc.type !== 'string' || typeof upc.code !== 'string') throw syntax(`${at}/upc`, upc);
      if (!UPC_TYPES.has(upc.type)) throw invalidValue(`${at}/upc/type`, upc.type);
      out.upc = { type: upc.type, code: upc.code };
    }
    return out;
  });
}

/** One JSON Patch operation on a tracker: PayPal allows items (replace), notify_payer (add, replace), status (replace, CANCELLED only). */
function applyOperation(tracker: TrackerRecord, raw: unknown, index: number): TrackerRecord {
  const at = (detail: Omit<ErrorDetail, 'location'>): Omit<ErrorDetail, 'location'> => ({ ...detail, field: detail.field ?? `/${index}` });
  if (!isObject(raw)) throw invalidRequest(at({ issue: 'MALFORMED_REQUEST_JSON', description: 'Each patch operation must be a JSON object.' }), 'orders');
  const { op, path, value } = raw;
  if (op === undefined) throw invalidRequest(at({ field: `/${index}/op`, issue: 'MISSING_REQUIRED_PARAMETER', description: 'A required field / parameter is missing.' }), 'orders');
  if (typeof op !== 'string' || !['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op)) {
    throw invalidRequest(at({ field: `/${index}/op`, value: String(op), issue: 'INVALID_PARAMETER_VALUE', description: 'The value of a field is invalid.' }), 'orders');
  }
  if (typeof path !== 'string' || path === '') throw invalidRequest(at({ field: `/${index}/path`, issue: 'PATCH_PATH_REQUIRED', description: 'Specify a `path` for the field for which the operation needs to be performed.' }), 'orders');
  const notPatchable = (): PayPalApiError =>
    unprocessable('INVALID_PATCH_OPERATION', `The operation '${op}' on '${path}' is not supported: only replace /items, add or replace /notify_payer, replace /status.`, 'orders', { field: `/${index}/op`, value: op, location: 'body' });
  if (value === undefined && op !== 'remove') throw invalidRequest(at({ field: `/${index}/value`, issue: 'PATCH_VALUE_REQUIRED', description: 'Please specify a value for the field that is being patched.' }), 'orders');
  switch (path) {
    case '/status':
      if (op !== 'replace') throw notPatchable();
      if (value !== 'CANCELLED') {
        throw unprocessable('INVALID_PARAMETER_VALUE', 'Only a status of CANCELLED can be set on a tracker.', 'orders', { field: `/${index}/value`, value: String(value), location: 'body' });
      }
      return { ...tracker, status: 'CANCELLED' };
    case '/notify_payer':
      if (op !== 'add' && op !== 'replace') throw notPatchable();
      if (typeof value !== 'boolean') throw syntax(`/${index}/value`, value);
      return { ...tracker, notify_payer: value };
    case '/items':
      if (op !== 'replace') throw notPatchable();
      return { ...tracker, items: itemsOf(value, `/${index}/value`) };
    default:
      throw unprocessable('NOT_PATCHABLE', `The field '${path}' of a tracker cannot be patched.`, 'orders', { field: `/${index}/path`, value: path, location: 'body' });
  }
}
