// npm run bench:saga — 1,000 orders with a vaulted PayPal method through the whole saga on the
// embedded runtime (Cosmos emulator, Durable, Service Bus, PayPal/carrier/ACS simulators):
// completed orders/s, POST-to-shipped latency, and per order the inputs of the Azure bill.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Database } from 'azure-standin/sqlite';
import { appTelemetryArgs, startHost, tempDir } from 'azure-standin/testing';
import { httpClient, percentile } from './http-load';
import { mintToken } from 'azure-standin';

const orders = Number(process.env.BENCH_ORDERS ?? 1000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const client = httpClient(concurrency);
const request = client.request;


async function main(): Promise<void> {
  const dataDir = tempDir('bench-saga-');
  const host = await startHost({
    appRoot: path.resolve(__dirname, '..', '..'),
    dataDir,
    logLevel: 'warning',
    env: { API_RATE_LIMIT_PER_SECOND: '0', SIM_CARRIER_TRANSIT_MS: '600000', SIM_CARRIER_DELIVERED_MS: '1200000' },
    args: appTelemetryArgs(),
  });
  const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => mintToken(dataDir, { subject: `bench-${i}`, email: `bench-${i}@example.com` })));
  const body = (i: number) => JSON.stringify({
    customer: { id: `bench-${i % 100}`, email: `bench-${i % 100}@example.com`, name: 'Bench Customer' },
    // Gift cards have the stock for 1,000 orders; the others would sell out (and cancel).
    items: [{ sku: 'GIFT-CARD-25', quantity: 2 }],
    shippingAddress: { name: 'Bench Customer', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' },
    payment: { method: 'paypal', vaultId: 'vault-ok' },
  });
  try {
    const ids: { id: string; customer: number }[] = [];
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < orders) {
        const i = next++;
        const r = await request(`${host.api}/v1/orders`, 'POST', { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % 100]}`, 'idempotency-key': randomUUID() }, body(i));
        if (r.status !== 202) {
          const errors = host.output().split('\n').filter((l) => / failed|ERROR/.test(l)).slice(0, 5).join('\n');
          throw new Error(`POST: ${r.status} ${r.body}\n${errors}`);
        }
        ids.push({ id: (JSON.parse(r.body) as { id: string }).id, customer: i % 100 });
      }
    }));
    const posted = performance.now();
    // Wait until the carrier has booked every shipment, read from its simulator's SQLite file, so
    // that waiting puts no requests on the app or Cosmos; the final statuses are checked below.
    const carrier = new Database(path.join(dataDir, 'simulators.db'), { readonly: true });
    const booked = () => (carrier.prepare('SELECT COUNT(*) AS n FROM cr_shipments').get() as { n: number }).n;
    while (booked() < orders) await new Promise((r) => setTimeout(r, 250));
    carrier.close();
    // The app's own Cosmos requests: counted before this bench reads the orders back.
    const cosmosRequests = JSON.parse((await request(`${host.url}/dev/cosmos/requests`, 'GET', {})).body) as Record<string, number>;
    const seconds = (performance.now() - t0) / 1000;

    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    for (const o of ids) {
      const r = await request(`${host.api}/v1/orders/${o.id}`, 'GET', { authorization: `Bearer ${tokens[o.customer]}` });
      const order = JSON.parse(r.body) as { status: string; createdAt: string; timeline: { status: string; at: string }[] };
      statuses[order.status] = (statuses[order.status] ?? 0) + 1;
      const shipped = order.timeline.find((t) => t.status === 'shipped');
      if (shipped) latencies.push(Date.parse(shipped.at) - Date.parse(order.createdAt));
    }
    latencies.sort((a, b) => a - b);
    // Emails trail the saga (each send waits for ACS' verdict): wait for the four stage emails
    // (received, invoiced, paid, shipped) of every order, then measure how long that took.
    const mail = new Database(path.join(dataDir, 'acs-email.db'), { readonly: true });
    const sent = () => (mail.prepare('SELECT COUNT(*) AS n FROM em_operations').get() as { n: number }).n;
    const mailDeadline = Date.now() + 300_000;
    while (sent() < orders * 4 && Date.now() < mailDeadline) await new Promise((r) => setTimeout(r, 500));
    const mailedAfter = (performance.now() - t0) / 1000;
    mail.close();
    const telemetry = JSON.parse((await request(`${host.url}/dev/telemetry/stats`, 'GET', {})).body) as { items: Record<string, number>; appEnvelopes: number; appBytes: number };
    await host.stop();

    const rt = new Database(path.join(dataDir, 'runtime.db'), { readonly: true });
    const history = rt.prepare("SELECT COUNT(*) AS events, SUM(LENGTH(event)) AS bytes FROM df_history WHERE instance_id LIKE 'ord_%'").get() as { events: number; bytes: number };
    const entityOps = rt.prepare("SELECT COUNT(*) AS n FROM df_entities").get() as { n: number };
    rt.close();
    const sb = new Database(path.join(dataDir, 'servicebus.db'), { readonly: true });
    // Sent messages: the topic's duplicate-detection records (one per distinct messageId).
    const messages = (sb.prepare("SELECT COUNT(*) AS n FROM sb_duplicates WHERE entity = 'order-events'").get() as { n: number }).n;
    sb.close();
    const sims = new Database(path.join(dataDir, 'acs-email.db'), { readonly: true });
    const emails = (sims.prepare('SELECT COUNT(*) AS n FROM em_operations').get() as { n: number }).n;
    sims.close();
    const totalCosmos = Object.values(cosmosRequests).reduce((a, b) => a + b, 0);

    console.log(`\nbench:saga — ${orders} vaulted orders, ${concurrency} concurrent POSTs, load generator on the same machine\n`);
    console.log('| metric | value |');
    console.log('|---|---|');
    console.log(`| all ${orders} shipped after | ${seconds.toFixed(1)} s (POSTs done after ${((posted - t0) / 1000).toFixed(1)} s) |`);
    console.log(`| completed (shipped) orders/s | ${(orders / seconds).toFixed(1)} |`);
    console.log(`| POST → shipped p50 / p99 | ${percentile(latencies, 50)} / ${percentile(latencies, 99)} ms |`);
    console.log(`| final statuses | ${JSON.stringify(statuses)} |`);
    console.log(`| durable history per order | ${(history.events / orders).toFixed(1)} events, ${(history.bytes / orders / 1024).toFixed(1)} KiB |`);
    console.log(`| Cosmos requests per order | ${(totalCosmos / orders).toFixed(1)} (${Object.entries(cosmosRequests).map(([m, n]) => `${m} ${(n / orders).toFixed(1)}`).join(', ')}; RU measured only in Azure) |`);
    console.log(`| Service Bus messages sent per order | ${(messages / orders).toFixed(2)} |`);
    console.log(`| emails per order | ${(emails / orders).toFixed(2)} (all stage emails sent after ${mailedAfter.toFixed(1)} s) |`);
    console.log(`| entities touched | ${entityOps.n} |`);
    const hostRequests = telemetry.items['host request'] ?? 0;
    console.log(`| telemetry per order (incl. the bench reading each order once) | ${(hostRequests / orders).toFixed(1)} host requests; app ${(telemetry.appEnvelopes / orders).toFixed(1)} items, ${(telemetry.appBytes / orders / 1024).toFixed(1)} KiB (${Object.entries(telemetry.items).filter(([k]) => k.startsWith('app')).map(([k, n]) => `${k.slice(4)} ${(n / orders).toFixed(1)}`).join(', ')}) |`);
  } finally {
    client.close();
    await host.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
