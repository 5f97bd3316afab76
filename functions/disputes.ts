// The admin dispute API: list and read the disputes PayPal opened on our captures, download a
// dispute's evidence pack, and answer by hand (submit the pack, or accept the claim). Actions go
// through the same use cases as the dispute's orchestration, which is then told to read the
// dispute again; both record once, so a hand and the saga never answer twice.
import { app } from '@azure/functions';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import * as df from 'durable-functions';
import { acceptClaim } from '../application/dispute-answers';
import { buildEvidencePack, submitEvidence } from '../application/dispute-evidence';
import type { Dispute } from '../domain/dispute';
import { decodeCursor, encodeCursor } from './http/cursor';
import { clientEndpoint, endpoint } from './http/endpoint';
import { forbidden, guard } from './http/guard';
import type { Principal } from '../adapters/auth/token-verifier';
import { orderPath } from './http/presenters';
import { jsonResponse, problemResponse, requestId } from './http/problem';
import { readJson, validationProblem } from './http/read-json';
import { acceptDisputeSchema, disputeSchema, listDisputesQuerySchema } from './http/schemas';
import type { z } from 'zod';
import { disputeUseCaseDeps, getDisputeServices } from './wiring/dispute-services';
import { startOrNotify } from './wiring/dispute-workflow';
import { getSagaServices } from './wiring/saga-services';
import { settings } from './wiring/settings';

const disputePath = (id: string): string => `/api/v1/disputes/${encodeURIComponent(id)}`;
const disputeIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

function presentDispute(d: Dispute): z.infer<typeof disputeSchema> {
  return {
    id: d.id,
    orderId: d.orderId ?? null,
    captureIds: d.captureIds,
    reason: d.reason,
    stage: d.stage,
    status: d.status,
    channel: d.channel,
    amount: d.amount.amount,
    currency: d.amount.currency,
    dueAt: d.dueAt ?? null,
    allowedActions: d.allowed,
    decision: d.decision ? { ...d.decision } : null,
    evidencePack: d.pack ? { sha256: d.pack.sha256, bytes: d.pack.bytes, pages: d.pack.pages, builtAt: d.pack.builtAt, missing: d.pack.missing } : null,
    submission: d.submission ? { ...d.submission } : null,
    accepted: d.accepted ? { ...d.accepted } : null,
    messageSent: d.messageSent ? { ...d.messageSent } : null,
    outcome: d.outcome ? { code: d.outcome.code, at: d.outcome.at, amountRefunded: d.outcome.amountRefunded?.amount ?? null } : null,
    moneyMovements: (d.moneyMovements ?? []).map((m) => ({ party: m.party, type: m.type, amount: m.amount.amount, reason: m.reason ?? null, at: m.at ?? null })),
    creditNote: d.creditNote?.number ?? null,
    alerts: d.alerts,
    events: d.events,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    receivedAt: d.receivedAt,
    links: { self: disputePath(d.id), order: d.orderId ? orderPath(d.orderId) : null, evidencePack: d.pack ? `${disputePath(d.id)}/evidence-pack` : null },
  };
}

/** Admins only; answers the principal or the refusal. */
async function admin(req: HttpRequest): Promise<{ ok: true; principal: Principal; headers: Record<string, string> } | { ok: false; response: HttpResponseInit }> {
  const g = await guard(req);
  if (!g.ok) return g;
  if (!g.principal.isAdmin) return { ok: false, response: forbidden(req, 'Disputes are for admins (role Orders.Admin).') };
  return { ok: true, principal: g.principal, headers: g.headers };
}

const notFound = (req: HttpRequest, id: string) => problemResponse(req, { status: 404, type: 'dispute-not-found', title: 'Dispute not found', detail: `There is no dispute ${id}.` });

/** An admin's request about one dispute: the caller checked, the dispute loaded (or the refusal). */
async function adminDispute(req: HttpRequest): Promise<{ ok: true; principal: Principal; headers: Record<string, string>; dispute: Dispute } | { ok: false; response: HttpResponseInit }> {
  const g = await admin(req);
  if (!g.ok) return g;
  const id = req.params.id;
  const dispute = disputeIdPattern.test(id) ? (await getDisputeServices().disputes.get(id))?.value : undefined;
  return dispute ? { ...g, dispute } : { ok: false, response: notFound(req, id) };
}

app.http('listDisputes', {
  route: 'v1/disputes',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: endpoint(async (req: HttpRequest): Promise<HttpResponseInit> => {
    const g = await admin(req);
    if (!g.ok) return g.response;
    const parsed = listDisputesQuerySchema.safeParse(Object.fromEntries(req.query.entries()));
    if (!parsed.success) return problemResponse(req, validationProblem(parsed.error, 'query string'));
    const q = parsed.data;
    const filter = JSON.stringify([q.status ?? null, q.reason ?? null, q.orderId ?? null]);
    let after: { updatedAt: string; id: string } | undefined;
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor, filter);
      if (c === 'invalid' || c === 'wrong-filter') {
        return problemResponse(req, { status: 400, type: 'invalid-cursor', title: 'Invalid cursor', detail: c === 'invalid' ? 'The cursor is not one this API issued.' : 'The cursor belongs to a listing with other filters.', errors: [{ pointer: '/cursor', detail: 'invalid cursor' }] });
      }
      after = { updatedAt: c.createdAt, id: c.id };
    }
    const page = await getDisputeServices().disputes.list({ ...(q.status ? { status: q.status } : {}), ...(q.reason ? { reason: q.reason } : {}), ...(q.orderId ? { orderId: q.orderId } : {}), limit: q.limit, ...(after ? { after } : {}) });
    const nextCursor = page.next ? encodeCursor({ createdAt: page.next.updatedAt, id: page.next.id }, filter) : null;
    const link = (cursor?: string) => {
      const params = new URLSearchParams();
      if (q.status) params.set('status', q.status);
      if (q.reason) params.set('reason', q.reason);
      if (q.orderId) params.set('orderId', q.orderId);
      params.set('limit', String(q.limit));
      if (cursor) params.set('cursor', cursor);
      return `/api/v1/disputes?${params.toString()}`;
    };
    return jsonResponse(req, 200, { items: page.items.map(presentDispute), nextCursor, links: { self: link(q.cursor), next: nextCursor ? link(nextCursor) : null } }, { 'cache-control': 'no-store', ...g.headers });
  }),
});

app.http('getDispute', {
  route: 'v1/disputes/{id}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: endpoint(async (req: HttpRequest): Promise<HttpResponseInit> => {
    const g = await adminDispute(req);
    if (!g.ok) return g.response;
    const d = g.dispute;
    return jsonResponse(req, 200, presentDispute(d), { 'cache-control': 'no-store', ...g.headers });
  }),
});

app.http('getDisputeEvidencePack', {
  route: 'v1/disputes/{id}/evidence-pack',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: endpoint(async (req: HttpRequest): Promise<HttpResponseInit> => {
    const g = await adminDispute(req);
    if (!g.ok) return g.response;
    const d = g.dispute;
    const pdf = d.pack ? await getSagaServices().documents.get(d.pack.document) : undefined;
    if (!d.pack || !pdf) return problemResponse(req, { status: 404, type: 'evidence-pack-not-ready', title: 'No evidence pack yet', detail: `Dispute ${d.id} has no evidence pack yet: it is built once the dispute is matched to its order and the answer is decided.` });
    return {
      status: 200,
      headers: { 'content-type': 'application/pdf', 'content-disposition': `inline; filename="evidence-${d.id}.pdf"`, 'cache-control': 'private, no-cache', etag: `"${d.pack.sha256}"`, 'x-request-id': requestId(req), ...g.headers },
      body: pdf,
    };
  }),
});

const payPalDown = (req: HttpRequest, err: unknown) =>
  problemResponse(req, { status: 502, type: 'provider-unavailable', title: 'PayPal did not answer', detail: `Nothing was changed on our side; try again. (${err instanceof Error ? err.message : String(err)})` }, { 'retry-after': '5' });

/** Tells the dispute's orchestration that an admin acted, so it reads the dispute again. */
async function notify(client: df.DurableClient, d: Dispute, action: string): Promise<void> {
  const s = settings();
  await startOrNotify(client, { disputeId: d.id, retryDelaySeconds: s.SAGA_RETRY_DELAY_SECONDS, resyncSeconds: s.DISPUTE_RESYNC_SECONDS }, { action });
}

df.app.client.http('submitDispute', {
  route: 'v1/disputes/{id}/submit',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: clientEndpoint(async (req: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const g = await adminDispute(req);
    if (!g.ok) return g.response;
    const d = g.dispute;
    if (d.submission) return jsonResponse(req, 200, presentDispute(d), g.headers);
    if (d.accepted || d.status === 'RESOLVED') return problemResponse(req, { status: 409, type: 'dispute-not-actionable', title: 'The dispute is answered', detail: d.accepted ? 'The claim was accepted.' : 'PayPal has resolved the dispute.' });
    if (!d.orderId) return problemResponse(req, { status: 409, type: 'dispute-not-actionable', title: 'No order yet', detail: 'The dispute matches no order yet, so there is no evidence to submit.' });
    const at = new Date().toISOString();
    try {
      const deps = disputeUseCaseDeps();
      await buildEvidencePack(deps, { disputeId: d.id, at });
      const r = await submitEvidence(deps, { disputeId: d.id, at, by: g.principal.customerId });
      if (!r.ok) {
        return r.kind === 'not-allowed'
          ? problemResponse(req, { status: 409, type: 'dispute-not-actionable', title: 'PayPal takes no evidence now', detail: `The dispute is ${r.status}; PayPal offers no provide_evidence action. The pack is submitted once it does.` })
          : problemResponse(req, { status: 422, type: 'dispute-action-refused', title: 'PayPal refused the evidence', detail: r.reason });
      }
      await notify(client, r.dispute, 'evidence-submitted');
      return jsonResponse(req, 200, presentDispute(r.dispute), g.headers);
    } catch (err) {
      return payPalDown(req, err);
    }
  }),
});

df.app.client.http('acceptDispute', {
  route: 'v1/disputes/{id}/accept',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: clientEndpoint(async (req: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const g = await adminDispute(req);
    if (!g.ok) return g.response;
    const body = await readJson(req, acceptDisputeSchema);
    if (!body.ok) return problemResponse(req, body.problem);
    const d = g.dispute;
    if (d.accepted) return jsonResponse(req, 200, presentDispute(d), g.headers);
    if (d.submission) return problemResponse(req, { status: 409, type: 'dispute-not-actionable', title: 'Evidence was submitted', detail: 'PayPal is reviewing the evidence; the dispute can no longer be accepted through this API.' });
    try {
      const r = await acceptClaim(getDisputeServices(), { disputeId: d.id, at: new Date().toISOString(), by: g.principal.customerId, note: body.value.note });
      if (!r.ok) {
        return r.kind === 'not-allowed'
          ? problemResponse(req, { status: 409, type: 'dispute-not-actionable', title: 'PayPal takes no acceptance now', detail: r.reason })
          : problemResponse(req, { status: 422, type: 'dispute-action-refused', title: 'PayPal refused the acceptance', detail: r.reason });
      }
      await notify(client, r.dispute, 'claim-accepted');
      return jsonResponse(req, 200, presentDispute(r.dispute), g.headers);
    } catch (err) {
      return payPalDown(req, err);
    }
  }),
});
