// What the order's evidence ledger holds besides the order itself: facts that arrive from outside
// the saga (each email the provider took, each carrier scan). Entries are written once and never
// changed: a dispute answer cites them as they were recorded.
export type LedgerEntry =
  | {
      kind: 'email-sent';
      orderId: string;
      /** When the provider accepted it. */
      at: string;
      stage: string;
      subject: string;
      to: string;
      /** The provider's message (operation) id. */
      messageId: string;
      refundId?: string;
    }
  | {
      kind: 'carrier-scan';
      orderId: string;
      /** When the carrier scanned it. */
      at: string;
      trackingNumber: string;
      /** The carrier's event code (DHL: PU picked up, PL processed, OK delivered, ...). */
      code: string;
      description: string;
      status: string;
    };

/** A stable id per fact, so a redelivered message or webhook records nothing new. */
export function ledgerEntryId(e: LedgerEntry): string {
  switch (e.kind) {
    case 'email-sent':
      return `email:${e.messageId}`;
    case 'carrier-scan':
      return `scan:${e.trackingNumber}:${e.code}:${e.at}`;
  }
}

export const emailsOf = (entries: readonly LedgerEntry[]) => entries.filter((e): e is Extract<LedgerEntry, { kind: 'email-sent' }> => e.kind === 'email-sent');
export const scansOf = (entries: readonly LedgerEntry[]) => entries.filter((e): e is Extract<LedgerEntry, { kind: 'carrier-scan' }> => e.kind === 'carrier-scan');
