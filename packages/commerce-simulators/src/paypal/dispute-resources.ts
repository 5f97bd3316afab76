// The JSON PayPal's Disputes API v1 returns: the full `dispute` (GET /{id}), the `dispute_info`
// of a list, and the partial dispute a CUSTOMER.DISPUTE.* webhook carries (no top-level `id`:
// PayPal names it dispute_id). Links point at the simulator.
import { ACTION_PATHS, allows, disputeState, SELLER_ACTIONS } from './dispute-machine';
import type { DisputeRecord } from './dispute-store';
import { NO_PROTECTION_VAULT, SIM_MERCHANT, SIM_PAYER } from './paypal-resources';
import type { PayPalStore } from './paypal-store';

type Link = { href: string; rel: string; method: string };

export class DisputeResources {
  /** `apiBase` is `${publicBaseUrl}/sim/paypal`. */
  constructor(private readonly store: PayPalStore, private readonly apiBase: string) {}

  selfUrl(id: string): string {
    return `${this.apiBase}/v1/customer/disputes/${encodeURIComponent(id)}`;
  }

  selfLink(id: string): Link {
    return { href: this.selfUrl(id), rel: 'self', method: 'GET' };
  }

  /** HATEOAS: self, plus one link per seller action allowed right now. */
  links(d: DisputeRecord): Link[] {
    const self = this.selfUrl(d.dispute_id);
    return [this.selfLink(d.dispute_id), ...SELLER_ACTIONS.filter((a) => allows(d, a)).map((a) => ({ href: `${self}/${ACTION_PATHS[a]}`, rel: a, method: 'POST' }))];
  }

  full(d: DisputeRecord): Record<string, unknown> {
    const capture = this.store.getCapture(d.capture_id);
    const unit = this.store.getOrder(d.order_id)?.purchase_units[0];
    const invoice = unit?.invoice_id ?? capture?.invoice_id;
    const custom = capture?.custom_id ?? unit?.custom_id;
    return {
      dispute_id: d.dispute_id,
      create_time: d.create_time,
      update_time: d.update_time,
      disputed_transactions: [
        {
          buyer_transaction_id: d.buyer_transaction_id,
          seller_transaction_id: d.capture_id,
          create_time: capture?.create_time,
          transaction_status: capture?.status === 'PARTIALLY_REFUNDED' || capture?.status === 'REFUNDED' ? capture.status : 'COMPLETED',
          gross_amount: capture?.amount,
          ...(invoice ? { invoice_number: invoice } : {}),
          ...(custom ? { custom } : {}),
          buyer: { name: `${SIM_PAYER.name.given_name} ${SIM_PAYER.name.surname}` },
          seller: { email: SIM_MERCHANT.email_address, merchant_id: SIM_MERCHANT.merchant_id, name: SIM_MERCHANT.name },
          items: [],
          seller_protection_eligible: this.store.getOrder(d.order_id)?.vault_id !== NO_PROTECTION_VAULT,
        },
      ],
      reason: d.reason,
      status: d.status,
      dispute_amount: d.dispute_amount,
      ...(d.outcome ? { dispute_outcome: d.outcome } : {}),
      ...(d.money_movements.length ? { money_movements: d.money_movements } : {}),
      dispute_life_cycle_stage: d.stage,
      dispute_channel: d.channel,
      messages: d.messages,
      evidences: d.evidences.map((e) => ({ ...e, documents: e.documents.map(({ name }) => ({ name })) })),
      ...(d.offer ? { offer: d.offer } : {}),
      ...(d.buyer_response_due_date ? { buyer_response_due_date: d.buyer_response_due_date } : {}),
      ...(d.seller_response_due_date ? { seller_response_due_date: d.seller_response_due_date } : {}),
      ...this.allowedResponseOptions(d),
      links: this.links(d),
    };
  }

  /** One item of GET /v1/customer/disputes. */
  info(d: DisputeRecord): Record<string, unknown> {
    return {
      dispute_id: d.dispute_id,
      create_time: d.create_time,
      update_time: d.update_time,
      reason: d.reason,
      status: d.status,
      dispute_state: disputeState(d),
      dispute_amount: d.dispute_amount,
      dispute_life_cycle_stage: d.stage,
      dispute_channel: d.channel,
      ...(d.buyer_response_due_date ? { buyer_response_due_date: d.buyer_response_due_date } : {}),
      ...(d.seller_response_due_date ? { seller_response_due_date: d.seller_response_due_date } : {}),
      links: [this.selfLink(d.dispute_id)],
    };
  }

  /** The resource of a CUSTOMER.DISPUTE.* webhook: partial, so receivers must GET the dispute. */
  webhook(d: DisputeRecord): Record<string, unknown> {
    return {
      dispute_id: d.dispute_id,
      create_time: d.create_time,
      update_time: d.update_time,
      disputed_transactions: [{ seller_transaction_id: d.capture_id, seller: { merchant_id: SIM_MERCHANT.merchant_id } }],
      reason: d.reason,
      status: d.status,
      dispute_amount: d.dispute_amount,
      ...(d.outcome ? { dispute_outcome: d.outcome } : {}),
      dispute_life_cycle_stage: d.stage,
      dispute_channel: d.channel,
      links: [this.selfLink(d.dispute_id)],
    };
  }

  private allowedResponseOptions(d: DisputeRecord): Record<string, unknown> {
    const snad = d.reason === 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED';
    const options: Record<string, unknown> = {};
    if (allows(d, 'accept_claim')) options.accept_claim = { accept_claim_types: snad ? ['REFUND', 'PARTIAL_REFUND', 'REFUND_WITH_RETURN'] : ['REFUND', 'PARTIAL_REFUND'] };
    if (allows(d, 'make_offer')) options.make_offer = { offer_types: snad ? ['REFUND', 'REFUND_WITH_RETURN', 'REFUND_WITH_REPLACEMENT', 'REPLACEMENT_WITHOUT_REFUND'] : ['REFUND', 'REFUND_WITH_REPLACEMENT', 'REPLACEMENT_WITHOUT_REFUND'] };
    if (allows(d, 'acknowledge_return_item')) options.acknowledge_return_item = { acknowledgement_types: ['ITEM_RECEIVED', 'ITEM_NOT_RECEIVED', 'DAMAGED', 'EMPTY_PACKAGE_OR_DIFFERENT', 'MISSING_ITEMS'] };
    return Object.keys(options).length ? { allowed_response_options: options } : {};
  }
}
