// Test client for the order saga on the local stand-in: place orders, wait for statuses, and
// read the simulators' inspection endpoints (emails, PayPal, shipments).
import { randomUUID } from 'node:crypto';
import { waitFor } from 'azure-standin/testing';
import type { HostProcess } from 'azure-standin/testing';
import { mintToken } from 'azure-standin';
import { orderSchema } from '../../functions/http/schemas';
import type { z } from 'zod';
import { acsOperationId } from '../../adapters/email/acs-email-sender';
import { emailStages } from '../../domain/order-events';

export type OrderView = z.infer<typeof orderSchema>;

export function sagaClient(host: () => HostProcess) {
  // Every customer's token carries the verified email the shop mails: `<sub>@example.com`.
  const token = (sub: string, roles: string[] = []) => mintToken(host().dataDir, { subject: sub, roles, email: `${sub}@example.com` });

  async function place(o: { customer?: string; items?: { sku: string; quantity: number }[]; vaultId?: string; line1?: string; postalCode?: string; name?: string; headers?: Record<string, string> }) {
    const customer = o.customer ?? `cust-${randomUUID().slice(0, 8)}`;
    const body = {
      customer: { id: customer, email: `${customer}@example.com`, name: o.name ?? 'Grace Hopper' },
      items: o.items ?? [{ sku: 'COFFEE-ETH-250', quantity: 2 }, { sku: 'NOTE-A5-DOT', quantity: 1 }],
      shippingAddress: { name: 'Grace Hopper', line1: o.line1 ?? 'Invalidenstraße 117', city: 'Berlin', postalCode: o.postalCode ?? '10115', country: 'DE' },
      payment: { method: 'paypal', ...(o.vaultId ? { vaultId: o.vaultId } : {}) },
    };
    const res = await fetch(`${host().api}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(customer)}`, 'idempotency-key': randomUUID(), ...o.headers },
      body: JSON.stringify(body),
    });
    if (res.status !== 202) throw new Error(`POST /orders: ${res.status} ${await res.text()}`);
    return { customer, email: body.customer.email, order: orderSchema.parse(await res.json()) };
  }

  async function get(customer: string, id: string): Promise<OrderView> {
    const res = await fetch(`${host().api}/v1/orders/${id}`, { headers: { authorization: `Bearer ${await token(customer)}` } });
    if (res.status !== 200) throw new Error(`GET ${id}: ${res.status}`);
    return orderSchema.parse(await res.json());
  }

  async function until(customer: string, id: string, statuses: string[], timeoutMs = 60_000): Promise<OrderView> {
    return waitFor(async () => {
      const o = await get(customer, id);
      return statuses.includes(o.status) ? o : undefined;
    }, `${id} to be ${statuses.join(' or ')}`, timeoutMs);
  }

  async function cancel(customer: string, id: string, reason = 'changed my mind') {
    return fetch(`${host().api}/v1/orders/${id}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(customer)}` },
      body: JSON.stringify({ reason }),
    });
  }

  async function dev<T>(path: string): Promise<T> {
    const res = await fetch(`${host().url}${path}`);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  interface Email { operationId: string; subject: string; text: string; html: string; status: string }
  const emails = async (to: string) => (await dev<{ items: Email[] }>(`/dev/emails?to=${encodeURIComponent(to)}`)).items;

  /** Waits until exactly these subjects' stages arrived (and stays for a moment, to catch doubles). */
  async function mailbox(to: string, count: number): Promise<Email[]> {
    await waitFor(async () => ((await emails(to)).length >= count ? true : undefined), `${count} emails to ${to}`, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    return emails(to);
  }

  /** The stage of each email to the order's customer, in the order they were sent. */
  function stages(mails: Email[], orderId: string): string[] {
    const byId = new Map(emailStages.map((st) => [acsOperationId(`${orderId}:${st}`), st]));
    return mails.map((m) => byId.get(m.operationId) ?? `other:${m.subject}`);
  }

  interface PayPalOrder { order: { id: string; status: string }; authorizations: { id: string; status: string }[]; captures: { id: string; status: string; amount: { value: string } }[]; refunds: { id: string; status: string; amount: { value: string } }[] }
  const paypal = async (orderId: string) => (await dev<{ orders: PayPalOrder[] }>(`/dev/paypal/orders?reference=${orderId}`)).orders;

  /** Raises an event on an orchestration, as an operator would through the Durable HTTP API. */
  async function raise(instanceId: string, event: string, data: unknown = {}) {
    const res = await fetch(`${host().url}/durabletask/instances/${encodeURIComponent(instanceId)}/raiseEvent/${event}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) });
    if (res.status !== 202) throw new Error(`raiseEvent ${event} on ${instanceId}: ${res.status} ${await res.text()}`);
  }

  /** Starts an orchestration by name, as an operator would through the Durable HTTP API. */
  async function startOrchestrator(name: string, instanceId: string, input: unknown) {
    const res = await fetch(`${host().url}/durabletask/orchestrators/${name}/${encodeURIComponent(instanceId)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
    if (res.status !== 202) throw new Error(`start ${name} ${instanceId}: ${res.status} ${await res.text()}`);
  }

  return { token, place, get, until, cancel, dev, emails, mailbox, stages, paypal, raise, startOrchestrator };
}
