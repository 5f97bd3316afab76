import fc from 'fast-check';
import { renderStageEmail } from '../../adapters/email/stage-email';
import { catalog, pricingRules } from '../../adapters/catalog/store-config';
import { emailStages } from '../../domain/order-events';
import type { EmailStage, OrderStageEvent } from '../../domain/order-events';
import { priceCart, shippingMethods } from '../../domain/pricing';
import type { Quote } from '../../domain/pricing';

const orderUrl = 'https://shop.example/orders/o-42';

function event(stage: EmailStage, extra: Partial<OrderStageEvent> = {}): OrderStageEvent {
  return {
    orderId: 'o-42',
    stage,
    occurredAt: '2024-05-01T10:00:00Z',
    customer: { id: 'c-1', email: 'ada@example.org', name: 'Ada Lovelace' },
    total: { amount: 8488, currency: 'EUR' },
    lines: [
      { sku: 'MUG-1', name: 'Enamel mug', quantity: 2, lineTotal: { amount: 2490, currency: 'EUR' } },
      { sku: 'KET-9', name: 'Kettle', quantity: 1, lineTotal: { amount: 5998, currency: 'EUR' } },
    ],
    ...extra,
  };
}

/** The key facts each stage must state, in both the HTML and the text. */
const cases: { stage: EmailStage; extra: Partial<OrderStageEvent>; facts: string[] }[] = [
  { stage: 'received', extra: {}, facts: ['o-42', 'received', 'EUR 84.88'] },
  { stage: 'invoiced', extra: { invoiceNumber: 'INV-2024-0007' }, facts: ['INV-2024-0007', 'EUR 84.88'] },
  { stage: 'paid', extra: {}, facts: ['payment of EUR 84.88'] },
  { stage: 'payment-pending', extra: {}, facts: ['still confirming', 'EUR 84.88', 'will not be charged'] },
  { stage: 'delayed', extra: { reason: 'DHL refused our credentials (401)' }, facts: ['delayed', 'cancel the order', 'EUR 84.88'] },
  { stage: 'payment-delayed', extra: { reason: 'PayPal 401 AUTHENTICATION_FAILURE' }, facts: ['delayed', 'problem on our side', 'payment method is fine', 'cancel the order', 'EUR 84.88'] },
  { stage: 'payment-expired', extra: {}, facts: ['authorization expired', 'cancelled', 'not been charged', 'EUR 84.88'] },
  {
    stage: 'shipped',
    extra: { carrier: 'DHL', trackingNumber: 'JD014600', trackingUrl: 'https://track.example/JD014600' },
    facts: ['DHL', 'JD014600', 'https://track.example/JD014600'],
  },
  { stage: 'delivered', extra: { carrier: 'DHL' }, facts: ['delivered', 'DHL'] },
  { stage: 'cancelled', extra: { reason: 'Out of stock' }, facts: ['cancelled', 'Out of stock', 'not been charged'] },
  { stage: 'payment-failed', extra: { reason: 'Card declined' }, facts: ['Card declined', 'not been charged', 'EUR 84.88'] },
  { stage: 'refunded', extra: { refunded: { amount: 2490, currency: 'EUR' } }, facts: ['EUR 24.90', 'refunded'] },
];

test('every stage has a template under test', () => {
  expect(cases.map((c) => c.stage).sort()).toEqual([...emailStages].sort());
});

describe.each(cases)('$stage email', ({ stage, extra, facts }) => {
  const r = renderStageEmail(event(stage, extra), { orderUrl });

  test('states its key facts in the HTML and in the text', () => {
    for (const fact of facts) {
      expect(r.html).toContain(fact);
      expect(r.text).toContain(fact);
    }
  });

  test('names the order in the subject and links to it', () => {
    expect(r.subject).toContain('o-42');
    expect(r.html).toContain(`href="${orderUrl}"`);
    expect(r.text).toContain(orderUrl);
  });

  test('lists the order lines with quantities and amounts', () => {
    for (const [name, amount] of [['Enamel mug', 'EUR 24.90'], ['Kettle', 'EUR 59.98']]) {
      expect(r.html).toContain(name);
      expect(r.text).toMatch(new RegExp(`${name}.*${amount}`));
    }
    expect(r.text).toContain('2 × Enamel mug');
  });

  test('text and HTML show the same amounts', () => {
    const amounts = (s: string) => [...new Set(s.match(/EUR [\d,]+\.\d{2}/g) ?? [])].sort();
    expect(amounts(r.html)).toEqual(amounts(r.text));
    expect(amounts(r.text)).toContain('EUR 84.88');
  });
});

test('the stages are distinguishable by subject', () => {
  const subjects = cases.map(({ stage, extra }) => renderStageEmail(event(stage, extra), { orderUrl }).subject);
  expect(new Set(subjects).size).toBe(cases.length);
});

test('customer-controlled text is HTML-escaped, not interpreted', () => {
  const r = renderStageEmail(
    event('cancelled', { customer: { id: 'c', email: 'x@example.org', name: '<script>alert("x")</script>' }, reason: 'Tom & Jerry <b>' }),
    { orderUrl },
  );
  expect(r.html).not.toContain('<script>');
  expect(r.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  expect(r.html).toContain('Tom &amp; Jerry &lt;b&gt;');
  expect(r.text).toContain('Hello <script>alert("x")</script>,'); // plain text needs no escaping
});

test('a tracking link that is not http(s) is shown as text, never as a link', () => {
  const r = renderStageEmail(event('shipped', { carrier: 'X', trackingNumber: 'T1', trackingUrl: 'javascript:alert(1)' }), { orderUrl });
  expect(r.html).not.toContain('href="javascript:');
  expect(r.html).toContain('T1');
});

test('a cancellation after capture tells the customer about the refund instead of "not charged"', () => {
  const r = renderStageEmail(event('cancelled', { reason: 'Customer request', refunded: { amount: 8488, currency: 'EUR' } }), { orderUrl });
  expect(r.text).toContain('refunding EUR 84.88');
  expect(r.text).not.toContain('not been charged');
});

test('a refund PayPal has not accepted yet is stated as owed, never as "not charged" or as done', () => {
  for (const stage of ['cancelled', 'payment-failed'] as const) {
    const r = renderStageEmail(event(stage, { reason: 'Customer request', refundPending: { amount: 8488, currency: 'EUR' } }), { orderUrl });
    expect(r.text).toContain('You were charged EUR 84.88 and we owe you a refund');
    expect(r.text).toContain('Refund due');
    expect(r.text).not.toContain('not been charged');
    expect(r.text).not.toContain('refunding');
  }
});

test('a failed payment that was captured after all and refunded says so', () => {
  const r = renderStageEmail(event('payment-failed', { reason: 'PayPal did not confirm the payment.', refunded: { amount: 8488, currency: 'EUR' } }), { orderUrl });
  expect(r.text).toContain('refunding EUR 84.88');
  expect(r.text).not.toContain('not been charged');
});

test('payment approval link appears when the buyer still has to approve', () => {
  const r = renderStageEmail(event('received', { approveUrl: 'https://paypal.example/approve?token=A&b=1' }), { orderUrl });
  expect(r.html).toContain('href="https://paypal.example/approve?token=A&amp;b=1"');
  expect(r.text).toContain('https://paypal.example/approve?token=A&b=1');
});

test('amounts keep the currency and its minor units', () => {
  const r = renderStageEmail(event('paid', { total: { amount: 123456, currency: 'USD' }, lines: [] }), { orderUrl });
  expect(r.text).toContain('USD 1,234.56');
  const yen = renderStageEmail(event('paid', { total: { amount: 5000, currency: 'JPY' }, lines: [] }), { orderUrl });
  expect(yen.text).toContain('JPY 5,000');
});

test("the delayed email keeps the operators' reason (credentials, outages) out of the customer's mail", () => {
  const r = renderStageEmail(event('delayed', { reason: 'DHL refused our credentials (401)' }), { orderUrl });
  expect(r.html).not.toContain('credentials');
  expect(r.text).not.toContain('401');
});

// ---- the totals under the items ----

/** The event the saga publishes for a priced cart, and the totals the email function reads from the order. */
function pricedEvent(stage: EmailStage, quote: Quote): { event: OrderStageEvent; totals: Quote['totals'] } {
  return {
    event: { ...event(stage), total: quote.totals.total, lines: quote.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, lineTotal: l.lineTotal })) },
    totals: quote.totals,
  };
}

/** Minor units of "EUR 1,234.56" / "-EUR 8.49". */
const minor = (text: string): number => {
  const m = /^(-?)EUR ([\d,]+)\.(\d{2})$/.exec(text.trim());
  if (!m) throw new Error(`not an amount: ${text}`);
  return (m[1] ? -1 : 1) * (Number(m[2].replace(/,/g, '')) * 100 + Number(m[3]));
};

/** The rows under the items in the plain text: label → amount. */
function textRows(text: string): Map<string, number> {
  const after = text.slice(text.indexOf('Items:'));
  return new Map([...after.matchAll(/^(Subtotal|Discount|Shipping|VAT|Total|Shipping, VAT and discounts):\s+(-?EUR [\d,]+\.\d{2})$/gm)].map((m) => [m[1], minor(m[2])]));
}

/** The same rows in the HTML table's footer. */
function htmlRows(html: string): Map<string, number> {
  const foot = html.slice(html.indexOf('<tfoot>'), html.indexOf('</tfoot>'));
  return new Map([...foot.matchAll(/<t[hd] colspan="2"[^>]*>([^<]+)<\/t[hd]><t[hd][^>]*>([^<]+)<\/t[hd]>/g)].map((m) => [m[1], minor(m[2])]));
}

const skus = [...catalog.keys()];
const cart = fc.record({
  lines: fc.uniqueArray(fc.record({ sku: fc.constantFrom(...skus), quantity: fc.integer({ min: 1, max: 12 }) }), { minLength: 1, maxLength: 6, selector: (l) => l.sku }),
  country: fc.constantFrom(...Object.keys(pricingRules.taxRates)),
  shippingMethod: fc.constantFrom(...shippingMethods),
  discountCode: fc.constantFrom(undefined, ...Object.keys(pricingRules.discounts)),
});

test('every stage email shows subtotal, discount, shipping, VAT and total, and they add up exactly (property over carts)', () => {
  fc.assert(
    fc.property(cart, fc.constantFrom(...emailStages), (c, stage) => {
      const priced = priceCart(c, catalog, pricingRules);
      fc.pre(priced.ok);
      if (!priced.ok) return;
      const { event: e, totals } = pricedEvent(stage, priced.quote);
      const r = renderStageEmail(e, { orderUrl, totals });
      for (const rows of [textRows(r.text), htmlRows(r.html)]) {
        const itemSum = priced.quote.lines.reduce((n, l) => n + l.lineTotal.amount, 0);
        expect(rows.get('Subtotal')).toBe(itemSum);
        expect(rows.has('Discount')).toBe(totals.discount.amount > 0);
        const sum = (rows.get('Subtotal') ?? 0) + (rows.get('Discount') ?? 0) + (rows.get('Shipping') ?? NaN) + (rows.get('VAT') ?? NaN);
        expect(sum).toBe(rows.get('Total'));
        expect(rows.get('Total')).toBe(priced.quote.totals.total.amount);
      }
    }),
    { numRuns: 300 },
  );
});

test('a discount is shown as a negative row; VAT is added on top of the net prices', () => {
  const priced = priceCart({ lines: [{ sku: skus[0], quantity: 3 }], country: 'DE', shippingMethod: 'standard', discountCode: 'WELCOME10' }, catalog, pricingRules);
  if (!priced.ok) throw new Error('cart not priced');
  const { event: e, totals } = pricedEvent('paid', priced.quote);
  const r = renderStageEmail(e, { orderUrl, totals });
  expect(r.text).toMatch(/^Discount: +-EUR /m);
  expect(r.text).toMatch(/^VAT: +EUR /m);
});

test('without the order totals (or with totals that disagree) the rows still add up to the total', () => {
  const e = event('paid', { total: { amount: 10_000, currency: 'EUR' } });
  for (const totals of [undefined, { subtotal: { amount: 1, currency: 'EUR' as const }, discount: { amount: 0, currency: 'EUR' as const }, shipping: { amount: 0, currency: 'EUR' as const }, tax: { amount: 0, currency: 'EUR' as const }, total: { amount: 1, currency: 'EUR' as const } }]) {
    const rows = textRows(renderStageEmail(e, { orderUrl, totals }).text);
    expect(rows.get('Subtotal')).toBe(8488);
    expect(rows.get('Shipping, VAT and discounts')).toBe(10_000 - 8488);
    expect(rows.get('Total')).toBe(10_000);
  }
});

test('the delayed emails offer cancelling on the order page', () => {
  for (const stage of ['delayed', 'payment-delayed'] as const) {
    const r = renderStageEmail(event(stage), { orderUrl });
    expect(r.html).toContain(`<a href="${orderUrl}">cancel the order</a>`);
    expect(r.text).toContain(`cancel the order (${orderUrl})`);
  }
});
