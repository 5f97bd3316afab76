// The JSON representations PayPal returns for orders, authorizations, captures and refunds,
// with their HATEOAS links pointing at the simulator (so a person can follow them locally).
import type { AuthorizationRecord, CaptureRecord, OrderRecord, PayPalStore, RefundRecord, TrackerRecord } from './paypal-store';

/** A sandbox merchant; PayPal names the payee in every purchase unit. */
const PAYEE = { email_address: 'merchant@example.com', merchant_id: 'SIMMERCHANT01' };
/** The same merchant as a dispute's `seller`. */
export const SIM_MERCHANT = { ...PAYEE, name: 'Simulator Merchant' };
export const SIM_PAYER = { payer_id: 'SIMPAYER0001', email_address: 'buyer@example.com', name: { given_name: 'Sim', surname: 'Buyer' } };

/** Magic vault id: its payments are not covered by PayPal's Seller Protection. */
export const NO_PROTECTION_VAULT = 'vault-no-protection';

type Link = { href: string; rel: string; method: string };

export class PayPalResources {
  /** `apiBase` is `${publicBaseUrl}/sim/paypal`. */
  constructor(private readonly store: PayPalStore, private readonly apiBase: string) {}

  approveUrl(orderId: string): string {
    return `${this.apiBase}/checkoutnow?token=${encodeURIComponent(orderId)}`;
  }

  order(o: OrderRecord): Record<string, unknown> {
    const authorizations = this.store.authorizationsOf(o.id).map((a) => this.authorization(a, false));
    const captures = this.store.capturesOf(o.id).map((c) => this.capture(c, false));
    const payments = authorizations.length || captures.length
      ? { payments: { ...(authorizations.length ? { authorizations } : {}), ...(captures.length ? { captures } : {}) } }
      : {};
    const trackers = this.store.trackersOf(o.id).map((t) => this.tracker(t));
    // Trackers live on the shipping of the (only) purchase unit, as PayPal shows them.
    const shipping = trackers.length ? { shipping: { trackers } } : {};
    const approved = o.payer_id !== undefined || o.vault_id !== undefined;
    return {
      id: o.id,
      intent: o.intent,
      status: o.status,
      ...(approved ? { payment_source: { paypal: this.wallet(o) } } : {}),
      purchase_units: o.purchase_units.map((u, i) => ({ ...u, payee: PAYEE, ...(i === 0 ? { ...shipping, ...payments } : {}) })),
      ...(o.payer_id ? { payer: SIM_PAYER } : {}),
      create_time: o.create_time,
      update_time: o.update_time,
      links: this.orderLinks(o),
    };
  }

  /** What `Prefer: return=minimal` (PayPal's default for create) returns. */
  minimal(resource: Record<string, unknown>): Record<string, unknown> {
    return { id: resource.id, status: resource.status, links: resource.links };
  }

  authorization(a: AuthorizationRecord, standalone = true): Record<string, unknown> {
    const self = `${this.apiBase}/v2/payments/authorizations/${a.id}`;
    const open = a.status === 'CREATED' || a.status === 'PARTIALLY_CAPTURED';
    // HATEOAS: only the actions PayPal would accept (a reauthorization is voided through its parent, and renewed once).
    const links: Link[] = [
      { href: self, rel: 'self', method: 'GET' },
      ...(open ? [link(`${self}/capture`, 'capture', 'POST')] : []),
      ...(open && a.parent_id === undefined ? [link(`${self}/void`, 'void', 'POST')] : []),
      ...(a.status === 'CREATED' && a.parent_id === undefined && a.reauthorized_by === undefined ? [link(`${self}/reauthorize`, 'reauthorize', 'POST')] : []),
      link(`${this.apiBase}/v2/checkout/orders/${a.order_id}`, 'up', 'GET'),
    ];
    return {
      id: a.id,
      status: a.status,
      amount: a.amount,
      ...(a.custom_id ? { custom_id: a.custom_id } : {}),
      ...(a.invoice_id ? { invoice_id: a.invoice_id } : {}),
      seller_protection: this.sellerProtection(a.order_id),
      expiration_time: a.expiration_time,
      ...(standalone ? { supplementary_data: { related_ids: { order_id: a.order_id } } } : {}),
      create_time: a.create_time,
      update_time: a.update_time,
      links,
    };
  }

  capture(c: CaptureRecord, standalone = true): Record<string, unknown> {
    const self = `${this.apiBase}/v2/payments/captures/${c.id}`;
    const refundable = c.status === 'COMPLETED' || c.status === 'PARTIALLY_REFUNDED';
    const up = c.authorization_id ? `${this.apiBase}/v2/payments/authorizations/${c.authorization_id}` : `${this.apiBase}/v2/checkout/orders/${c.order_id}`;
    const related = { order_id: c.order_id, ...(c.authorization_id ? { authorization_id: c.authorization_id } : {}) };
    return {
      id: c.id,
      status: c.status,
      ...(c.status_details ? { status_details: c.status_details } : {}),
      amount: c.amount,
      final_capture: c.final_capture,
      ...(c.custom_id ? { custom_id: c.custom_id } : {}),
      ...(c.invoice_id ? { invoice_id: c.invoice_id } : {}),
      seller_protection: this.sellerProtection(c.order_id),
      ...(standalone ? { supplementary_data: { related_ids: related } } : {}),
      create_time: c.create_time,
      update_time: c.update_time,
      links: [link(self, 'self', 'GET'), ...(refundable ? [link(`${self}/refund`, 'refund', 'POST')] : []), link(up, 'up', 'GET')],
    };
  }

  refund(r: RefundRecord): Record<string, unknown> {
    return {
      id: r.id,
      status: r.status,
      ...(r.status_details ? { status_details: r.status_details } : {}),
      amount: r.amount,
      create_time: r.create_time,
      update_time: r.update_time,
      links: [link(`${this.apiBase}/v2/payments/refunds/${r.id}`, 'self', 'GET'), link(`${this.apiBase}/v2/payments/captures/${r.capture_id}`, 'up', 'GET')],
    };
  }

  /** OrderTrackerResponse: PayPal shows no carrier or number on it, only status and items. */
  tracker(t: TrackerRecord): Record<string, unknown> {
    const order = `${this.apiBase}/v2/checkout/orders/${t.order_id}`;
    return {
      id: t.id,
      status: t.status,
      ...(t.items.length ? { items: t.items } : {}),
      create_time: t.create_time,
      update_time: t.update_time,
      links: [
        link(`${order}/trackers/${encodeURIComponent(t.id)}`, 'update', 'PATCH'),
        link(order, 'up', 'GET'),
      ],
    };
  }

  /** Seller Protection as PayPal reports it on authorizations and captures (SDK: SellerProtection). */
  private sellerProtection(orderId: string): Record<string, unknown> {
    return this.store.getOrder(orderId)?.vault_id === NO_PROTECTION_VAULT
      ? { status: 'NOT_ELIGIBLE' }
      : { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] };
  }

  private wallet(o: OrderRecord): Record<string, unknown> {
    return {
      email_address: SIM_PAYER.email_address,
      account_id: SIM_PAYER.payer_id,
      account_status: 'VERIFIED',
      name: SIM_PAYER.name,
      ...(o.vault_id ? { attributes: { vault: { id: o.vault_id, status: 'VAULTED' } } } : {}),
    };
  }

  private orderLinks(o: OrderRecord): Link[] {
    const self = `${this.apiBase}/v2/checkout/orders/${o.id}`;
    const links: Link[] = [link(self, 'self', 'GET')];
    if (o.status === 'CREATED' || o.status === 'PAYER_ACTION_REQUIRED') {
      // New-style requests (payment_source.paypal.experience_context) get rel "payer-action".
      links.push(link(this.approveUrl(o.id), o.experience_context ? 'payer-action' : 'approve', 'GET'));
    }
    if (o.status !== 'COMPLETED' && o.status !== 'VOIDED') {
      links.push(link(self, 'update', 'PATCH'));
      links.push(o.intent === 'AUTHORIZE' ? link(`${self}/authorize`, 'authorize', 'POST') : link(`${self}/capture`, 'capture', 'POST'));
    }
    return links;
  }
}

function link(href: string, rel: string, method: string): Link {
  return { href, rel, method };
}
