// npm run record:histories — runs each order flow once on the local stand-in and saves the
// orchestration histories (the stored DTFx events) to test/fixtures/saga-histories/<version>/, which
// test/unit/saga-replay.test.ts replays against the current sagas. Record again only when a new
// saga version is deliberately introduced: the fixtures stand for orders already in flight.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { EventType, rawHistory, startHost, tempDir, waitFor } from 'azure-standin/testing';
import type { HistoryEvent, HostProcess } from 'azure-standin/testing';
import { sagaClient } from '../test/support/saga-client';

const root = path.resolve(__dirname, '..', '..');
const out = path.join(root, 'test', 'fixtures', 'saga-histories');

export interface RecordedHistory {
  flow: string;
  orchestrator: 'orderSaga' | 'refundOrder';
  instanceId: string;
  /** The saga version the recording ran (ExecutionStarted.Version). */
  version: string;
  history: HistoryEvent[];
}

async function finished(host: HostProcess, id: string): Promise<HistoryEvent[]> {
  return waitFor(async () => {
    const h = (await rawHistory(host, id)) ?? [];
    return h.some((e) => e.EventType === EventType.ExecutionCompleted) ? h : undefined;
  }, `${id} to finish`, 120_000);
}

async function main(): Promise<void> {
  const host = await startHost({
    appRoot: root,
    dataDir: tempDir('record-histories-'),
    logLevel: 'warning',
    env: { API_RATE_LIMIT_PER_SECOND: '0', SIM_CARRIER_TRANSIT_MS: '200', SIM_CARRIER_DELIVERED_MS: '600', PAYMENT_APPROVAL_TIMEOUT_SECONDS: '5', SAGA_RETRY_DELAY_SECONDS: '1', SIM_PAYPAL_PENDING_MS: '500' },
  });
  const c = sagaClient(() => host);
  const recorded: RecordedHistory[] = [];
  const keep = async (flow: string, orchestrator: RecordedHistory['orchestrator'], instanceId: string) => {
    const history = await finished(host, instanceId);
    const version = String(history.find((e) => e.EventType === EventType.ExecutionStarted)?.Version ?? '');
    recorded.push({ flow, orchestrator, instanceId, version, history });
    console.log(`${flow}: ${history.length} events`);
  };
  const approve = async (approveUrl: string) => {
    const res = await fetch(approveUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=approve', redirect: 'manual' });
    await fetch(res.headers.get('location')!);
  };
  try {
    const flows: [string, () => Promise<string>][] = [
      ['vaulted-delivered', async () => (await c.place({ vaultId: 'vault-ok' })).order.id],
      ['approved-delivered', async () => {
        const { customer, order } = await c.place({});
        await approve((await c.until(customer, order.id, ['awaiting-payment'])).payment.approveUrl!);
        return order.id;
      }],
      ['approval-timed-out', async () => (await c.place({})).order.id],
      ['authorize-declined', async () => (await c.place({ vaultId: 'vault-declined' })).order.id],
      ['capture-declined', async () => (await c.place({ vaultId: 'vault-capture-declined' })).order.id],
      ['cancelled-awaiting-approval', async () => {
        const { customer, order } = await c.place({});
        await c.until(customer, order.id, ['awaiting-payment']);
        await c.cancel(customer, order.id);
        return order.id;
      }],
      ['out-of-stock', async () => (await c.place({ vaultId: 'vault-ok', items: [{ sku: 'LAMP-DESK-LED', quantity: 41 }] })).order.id],
      ['carrier-refused-refunded', async () => (await c.place({ vaultId: 'vault-ok', postalCode: '99999' })).order.id],
      ['capture-pending-completed', async () => (await c.place({ vaultId: 'vault-capture-pending' })).order.id],
      ['payment-held-then-captured', async () => (await c.place({ vaultId: 'vault-capture-unauthorized-2' })).order.id],
      ['carrier-down-held-then-shipped', async () => (await c.place({ vaultId: 'vault-ok', line1: 'CARRIER-DOWN-3 Invalidenstraße 117' })).order.id],
    ];
    for (const [flow, run] of flows) await keep(flow, 'orderSaga', await run());

    // A refund after delivery: its own saga.
    const { customer, order } = await c.place({ vaultId: 'vault-ok' });
    await c.until(customer, order.id, ['delivered']);
    const res = await fetch(`${host.api}/v1/orders/${order.id}/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await c.token('support-1', ['Orders.Admin'])}`, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ items: [{ sku: 'COFFEE-ETH-250', quantity: 1, restock: true }], reason: 'One bag arrived torn' }),
    });
    const refundId = ((await res.json()) as { id: string }).id;
    await keep('refund-after-delivery', 'refundOrder', `${order.id}:refund:${refundId}`);
  } finally {
    await host.stop();
  }
  // One folder per saga version: the recordings of older versions stay, for their sagas in flight.
  for (const r of recorded) {
    const dir = path.join(out, r.version || 'unversioned');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${r.flow}.json`), `${JSON.stringify(r, null, 1)}\n`);
  }
  console.log(`${recorded.length} histories in ${out}/${[...new Set(recorded.map((r) => r.version || 'unversioned'))].join(', ')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
