// Disputes in SQLite (pp_disputes), one JSON document per dispute plus lookup columns, so a
// restarted simulator resumes them (due dates included). Also answers what Payments v2 needs to
// know about a capture's disputes: is one open, how much did PayPal take back.
import type { Database } from 'azure-standin/sqlite';
import type { Amount } from './paypal-amounts';

export const DISPUTE_REASONS = [
  'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
  'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED',
  'UNAUTHORISED',
  'CREDIT_NOT_PROCESSED',
  'DUPLICATE_TRANSACTION',
  'INCORRECT_AMOUNT',
  'PAYMENT_BY_OTHER_MEANS',
  'CANCELED_RECURRING_BILLING',
  'PROBLEM_WITH_REMITTANCE',
  'OTHER',
] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];
export type DisputeStatus = 'OPEN' | 'WAITING_FOR_BUYER_RESPONSE' | 'WAITING_FOR_SELLER_RESPONSE' | 'UNDER_REVIEW' | 'RESOLVED';
export type DisputeStage = 'INQUIRY' | 'CHARGEBACK' | 'PRE_ARBITRATION' | 'ARBITRATION';
export type DisputeChannel = 'INTERNAL' | 'EXTERNAL';

export interface DisputeMessage {
  posted_by: 'BUYER' | 'SELLER' | 'ARBITER';
  time_posted: string;
  content: string;
}

export interface TrackingInfo {
  carrier_name?: string;
  carrier_name_other?: string;
  tracking_url?: string;
  tracking_number?: string;
}

export interface EvidenceRecord {
  evidence_type: string;
  evidence_info?: { tracking_info?: TrackingInfo[]; refund_ids?: string[] };
  notes?: string;
  documents: { name: string; size: number }[];
  date: string;
  source: 'SUBMITTED_BY_SELLER';
  dispute_life_cycle_stage: DisputeStage;
}

export interface MoneyMovement {
  affected_party: 'SELLER' | 'BUYER';
  amount: Amount;
  initiated_time: string;
  type: 'DEBIT' | 'CREDIT';
  reason: string;
}

export interface OfferRecord {
  offer_type: string;
  seller_offered_amount?: Amount;
  history: { offer_time: string; actor: 'SELLER' | 'BUYER'; event_type: 'PROPOSED' | 'ACCEPTED' | 'DENIED'; offer_type: string; offer_amount?: Amount; notes?: string }[];
}

export interface DisputeRecord {
  dispute_id: string;
  create_time: string;
  update_time: string;
  capture_id: string;
  order_id: string;
  /** The buyer's side of the payment: PayPal shows another id there than the seller's capture id. */
  buyer_transaction_id: string;
  reason: DisputeReason;
  status: DisputeStatus;
  stage: DisputeStage;
  channel: DisputeChannel;
  dispute_amount: Amount;
  /** Days the seller gets to answer each time PayPal waits for them (default 10). */
  response_days: number;
  seller_response_due_date?: string;
  buyer_response_due_date?: string;
  messages: DisputeMessage[];
  evidences: EvidenceRecord[];
  offer?: OfferRecord;
  outcome?: { outcome_code: 'RESOLVED_BUYER_FAVOUR' | 'RESOLVED_SELLER_FAVOUR'; amount_refunded?: Amount };
  money_movements: MoneyMovement[];
  /** Simulator only: what PayPal took back from the capture (minor units) when it resolved for the buyer. */
  reversed_minor?: string;
  /** Simulator only, SNAD disputes: a return the seller asked for (REQUESTED), then sent back by the buyer (SHIPPED). */
  return_state?: 'REQUESTED' | 'SHIPPED';
  /** Simulator only: how this dispute's webhooks are delivered (trigger options). */
  delivery: { duplicate: boolean; reorder: boolean };
}

export class DisputeStore {
  constructor(private readonly db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS pp_disputes (
        id TEXT PRIMARY KEY, capture_id TEXT NOT NULL, order_id TEXT NOT NULL,
        create_time TEXT NOT NULL, update_time TEXT NOT NULL, status TEXT NOT NULL, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS pp_disputes_capture ON pp_disputes (capture_id);
      CREATE INDEX IF NOT EXISTS pp_disputes_order ON pp_disputes (order_id);
      -- The settle tick looks for seller answers past due: index the waiting ones only.
      CREATE INDEX IF NOT EXISTS pp_disputes_waiting ON pp_disputes (json_extract(data, '$.seller_response_due_date')) WHERE status = 'WAITING_FOR_SELLER_RESPONSE';
    `);
  }

  save(d: DisputeRecord): void {
    this.db
      .prepare('INSERT OR REPLACE INTO pp_disputes (id, capture_id, order_id, create_time, update_time, status, data) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(d.dispute_id, d.capture_id, d.order_id, d.create_time, d.update_time, d.status, JSON.stringify(d));
  }

  get(id: string): DisputeRecord | undefined {
    const row = this.db.prepare('SELECT data FROM pp_disputes WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as DisputeRecord) : undefined;
  }

  /** Newest first (PayPal lists so), ties broken by id for stable pages. */
  all(): DisputeRecord[] {
    return this.parseAll(this.db.prepare('SELECT data FROM pp_disputes ORDER BY create_time DESC, rowid DESC').all());
  }

  ofCapture(captureId: string): DisputeRecord[] {
    return this.parseAll(this.db.prepare('SELECT data FROM pp_disputes WHERE capture_id = ? ORDER BY rowid').all(captureId));
  }

  ofOrder(orderId: string): DisputeRecord[] {
    return this.parseAll(this.db.prepare('SELECT data FROM pp_disputes WHERE order_id = ? ORDER BY rowid').all(orderId));
  }

  /** Disputes waiting for the seller whose due date is at or before `at` (ISO). */
  sellerOverdueBy(at: string): DisputeRecord[] {
    return this.parseAll(
      this.db.prepare("SELECT data FROM pp_disputes WHERE status = 'WAITING_FOR_SELLER_RESPONSE' AND json_extract(data, '$.seller_response_due_date') <= ?").all(at),
    );
  }

  /** True while a dispute on the capture is not RESOLVED: PayPal refuses partial refunds then. */
  hasOpenDispute(captureId: string): boolean {
    return this.db.prepare("SELECT 1 FROM pp_disputes WHERE capture_id = ? AND status <> 'RESOLVED' LIMIT 1").get(captureId) !== undefined;
  }

  /** What PayPal took back from the capture through disputes resolved for the buyer. */
  reversedMinor(captureId: string): bigint {
    return this.ofCapture(captureId).reduce((total, d) => total + BigInt(d.reversed_minor ?? '0'), 0n);
  }

  private parseAll(rows: unknown[]): DisputeRecord[] {
    return rows.map((row) => JSON.parse((row as { data: string }).data) as DisputeRecord);
  }
}
