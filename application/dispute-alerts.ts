// The merchant's emails about a dispute: opened, needs review, deadline near, resolved, and a
// dispute that matches no order. Each goes out once: its email operation id is fixed per dispute
// and kind, and the dispute records it.
import type { Dispute, DisputeAlert } from '../domain/dispute';
import { format } from '../domain/money';
import type { DisputeStore, EmailSender } from './ports';
import { updateDispute } from './dispute-records';

export interface AlertDeps {
  disputes: DisputeStore;
  email: EmailSender;
  merchant: { address: string; name: string };
  /** Where the merchant reads the dispute (the admin API's dispute URL, or a console page). */
  disputeUrl: (disputeId: string) => string;
}

const subjects: Record<DisputeAlert, (d: Dispute) => string> = {
  opened: (d) => `PayPal dispute ${d.id} opened: ${d.reason} (${format(d.amount)})`,
  review: (d) => `PayPal dispute ${d.id} needs your review before ${d.dueAt ?? 'the deadline'}`,
  deadline: (d) => `PayPal dispute ${d.id}: answer due ${d.dueAt ?? 'soon'}`,
  resolved: (d) => `PayPal dispute ${d.id} resolved: ${d.outcome?.code ?? d.status}`,
  uncorrelated: (d) => `PayPal dispute ${d.id} matches no order`,
};

function body(kind: DisputeAlert, d: Dispute, url: string): string {
  const lines = [
    `Dispute ${d.id} on PayPal capture ${d.captureIds.join(', ') || 'unknown'}${d.orderId ? `, order ${d.orderId}` : ''}.`,
    `Reason: ${d.reason}. Stage: ${d.stage}. Status: ${d.status}. Amount: ${format(d.amount)}.`,
    d.dueAt ? `PayPal expects the seller's answer by ${d.dueAt}.` : '',
    d.decision ? `Our decision: ${d.decision.action} (${d.decision.why})` : '',
    d.submission ? `Evidence submitted at ${d.submission.at} (${d.submission.evidenceTypes.join(', ')}).` : '',
    d.accepted ? `Claim accepted at ${d.accepted.at}.` : '',
    kind === 'review' ? 'The evidence pack is ready. Submit it or accept the claim; it is submitted by itself 24 hours before the deadline.' : '',
    kind === 'uncorrelated' ? 'No order has this capture. The dispute is retried; check the PayPal account and the order store.' : '',
    kind === 'resolved' && d.outcome ? `Outcome: ${d.outcome.code}${d.outcome.amountRefunded ? `, ${format(d.outcome.amountRefunded)} returned to the buyer` : ''}.` : '',
    `Details: ${url}`,
  ].filter(Boolean);
  return lines.join('\n');
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Sends the alert unless it went out already; answers whether it was sent now. */
export async function alertMerchant(deps: AlertDeps, a: { disputeId: string; kind: DisputeAlert; at: string }): Promise<boolean> {
  const current = await deps.disputes.get(a.disputeId);
  if (!current) throw new Error(`dispute ${a.disputeId} is not recorded`);
  const d = current.value;
  if (d.alerts.some((x) => x.kind === a.kind)) return false;
  const text = body(a.kind, d, deps.disputeUrl(d.id));
  const r = await deps.email.send({
    operationId: `dispute:${d.id}:${a.kind}`,
    to: { address: deps.merchant.address, displayName: deps.merchant.name },
    subject: subjects[a.kind](d),
    text,
    html: `<!doctype html><html><body style="font-family:sans-serif">${text.split('\n').map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`,
  });
  if (!r.ok && r.retryable) throw new Error(`the ${a.kind} alert of dispute ${d.id} was not sent: ${r.reason}`);
  await updateDispute(deps.disputes, a.disputeId, (x) => (x.alerts.some((y) => y.kind === a.kind) ? undefined : { ...x, alerts: [...x.alerts, { kind: a.kind, at: a.at }] }));
  return r.ok;
}
