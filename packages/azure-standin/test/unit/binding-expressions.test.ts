// Binding expressions in binding paths: %settings%, {names} from the trigger's binding data,
// the built-ins, and trigger paths matched against blob names.
import { BindingTemplate, bindingDataFor, formatDateTime, formatGuid, httpBindingData, resolveAppSettings } from '../../src/host/binding-expressions';
import type { RegisteredFunction } from '../../src/host/core-api';

const fixedNow = () => new Date('2024-02-07T00:47:18.123Z');
const guid = () => '0F8FAD5B-D9CB-469F-A165-70867728950E';

describe('resolveAppSettings', () => {
  test('replaces %Name% from the settings, names compared case-insensitively', () => {
    expect(resolveAppSettings('%Env%/invoices/{id}.pdf', { ENV: 'dev' })).toBe('dev/invoices/{id}.pdf');
    expect(resolveAppSettings('no settings', {})).toBe('no settings');
    expect(() => resolveAppSettings('%Missing%/x', {})).toThrow(/Missing/);
  });
});

describe('BindingTemplate.bind', () => {
  const bind = (pattern: string, data: Record<string, unknown> = {}) => new BindingTemplate(pattern).bind(data, { now: fixedNow, newGuid: guid, functionName: 'fn1' });

  test('names and dotted paths, case-insensitively', () => {
    expect(bind('out/{name}.txt', { Name: 'a' })).toBe('out/a.txt');
    expect(bind('out/{Query.id}/{headers.x-tenant}', { Query: { ID: '42' }, Headers: { 'x-tenant': 't1' } })).toBe('out/42/t1');
    expect(bind('out/{order.customer.id}-{n}-{flag}', { order: { customer: { id: 7 } }, n: 3.5, flag: true })).toBe('out/7-3.5-True');
  });

  test('a missing name fails with the SDK\'s message', () => {
    expect(() => bind('out/{id}', {})).toThrow("No value for named parameter 'id'.");
    expect(() => bind('out/{a.b}', { a: {} })).toThrow("No value for named parameter 'a.b'.");
    expect(() => bind('out/{a}', { a: null })).toThrow(/No value/);
  });

  test('built-ins: rand-guid, DateTime, sys.*', () => {
    expect(bind('out/{rand-guid}')).toBe('out/0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(bind('out/{rand-guid:N}')).toBe('out/0f8fad5bd9cb469fa16570867728950e');
    expect(bind('out/{sys.randguid}')).toBe('out/0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(bind('out/{DateTime}.txt')).toBe('out/2024-02-07T00-47-18Z.txt');
    expect(bind('out/{datetime:yyyy/MM/dd}/x')).toBe('out/2024/02/07/x');
    expect(bind('out/{sys.utcnow}')).toBe('out/2024-02-07T00-47-18Z');
    expect(bind('out/{sys.methodname}')).toBe('out/fn1');
    // User data called DateTime wins over the built-in.
    expect(bind('out/{DateTime}', { datetime: 'mine' })).toBe('out/mine');
  });

  test('doubled braces are literal; malformed templates are refused', () => {
    expect(bind('out/{{x}}/{y}', { y: 1 })).toBe('out/{x}/1');
    expect(() => new BindingTemplate('out/{x')).toThrow(/missing closing brace/);
    expect(() => new BindingTemplate('out/x}')).toThrow(/unmatched closing brace/);
    expect(() => new BindingTemplate('out/{}')).toThrow(/invalid parameter/);
  });
});

describe('BindingTemplate.match (trigger paths)', () => {
  test('each parameter captures greedily, across slashes', () => {
    const t = new BindingTemplate('{name}.{ext}');
    expect(t.match('a.b.c')).toEqual({ name: 'a.b', ext: 'c' });
    expect(t.match('noext')).toBeUndefined();
    expect(new BindingTemplate('{name}').match('dir/sub/file.txt')).toEqual({ name: 'dir/sub/file.txt' });
    const prefixed = new BindingTemplate('in/{id}-report.csv');
    expect(prefixed.literalPrefix).toBe('in/');
    expect(prefixed.match('in/42-report.csv')).toEqual({ id: '42' });
    expect(prefixed.match('out/42-report.csv')).toBeUndefined();
    expect(new BindingTemplate('fixed.txt').match('fixed.txt')).toEqual({});
  });
});

describe('.NET formats', () => {
  test('DateTime custom and standard formats', () => {
    const d = new Date('2024-02-07T13:04:05.120Z');
    expect(formatDateTime(d, 'yyyyMMddHHmmss')).toBe('20240207130405');
    expect(formatDateTime(d, "yyyy-MM-dd'T'HH:mm:ss.fff")).toBe('2024-02-07T13:04:05.120');
    expect(formatDateTime(d, 'h:mm tt, ddd d MMM yy')).toBe('1:04 PM, Wed 7 Feb 24');
    expect(formatDateTime(d, 'FFF')).toBe('12');
    expect(formatDateTime(d, 'o')).toBe('2024-02-07T13:04:05.1200000Z');
    expect(formatDateTime(d, 's')).toBe('2024-02-07T13:04:05');
  });
  test('Guid formats', () => {
    expect(formatGuid('A-B', 'B')).toBe('{a-b}');
    expect(formatGuid('A-B', 'P')).toBe('(a-b)');
    expect(() => formatGuid('a', 'Q')).toThrow();
  });
});

describe('bindingDataFor', () => {
  const fn = (trigger: Record<string, unknown>): RegisteredFunction => ({ metadata: { name: 'f', bindings: { trig: { direction: 'in', ...trigger } as never } }, callback: () => undefined });

  test('HTTP: JSON body properties, then query (not code), then route params; Query and Headers whole', () => {
    const data = httpBindingData({
      method: 'POST', url: 'http://x/api/o/9?id=q&code=secret&extra=e', headers: { 'content-type': 'application/json' },
      query: { id: 'q', code: 'secret', extra: 'e' }, params: { ID: 'route' },
      body: { bytes: Buffer.from(JSON.stringify({ id: 'body', customer: { name: 'Ann' } })) },
    });
    expect(data.ID).toBe('route');
    expect(data.id).toBeUndefined();
    expect(data.extra).toBe('e');
    expect(data.code).toBeUndefined();
    expect(data.customer).toEqual({ name: 'Ann' });
    expect(data.Query).toEqual({ id: 'q', code: 'secret', extra: 'e' });
    expect(data.Headers).toEqual({ 'content-type': 'application/json' });
    const t = new BindingTemplate('out/{id}/{customer.name}/{Query.extra}');
    expect(t.bind(data)).toBe('out/route/Ann/e');
  });

  test('HTTP through bindingDataFor, with nullable collections', () => {
    const data = bindingDataFor(fn({ type: 'httpTrigger' }), {
      inputData: [{ name: 'trig', data: { http: { method: 'GET', url: 'http://x', headers: {}, query: {}, params: {}, nullableQuery: { id: { value: '5' } }, nullableParams: {} } } }],
    });
    expect(new BindingTemplate('{id}-{Query.id}').bind(data)).toBe('5-5');
  });

  test('HTTP streaming: only route params in the trigger, the rest from the trigger metadata', () => {
    const data = bindingDataFor(fn({ type: 'httpTrigger' }), {
      inputData: [{ name: 'trig', data: { http: { params: { id: '7' } } as never } }],
      triggerMetadata: { Query: { json: JSON.stringify({ tenant: 'acme' }) }, Headers: { json: JSON.stringify({ 'x-a': 'b' }) }, tenant: { string: 'acme' } },
    });
    expect(new BindingTemplate('{id}/{Query.tenant}/{tenant}/{Headers.x-a}').bind(data)).toBe('7/acme/acme/b');
  });

  test('activity: the input under the trigger name and `data`, plus extra (instanceId)', () => {
    const data = bindingDataFor(fn({ type: 'activityTrigger' }), { inputData: [{ name: 'trig', data: { string: JSON.stringify({ orderId: 'o-1' }) } }] }, { instanceId: 'inst' });
    expect(new BindingTemplate('invoices/{instanceId}/{data.orderId}/{trig.orderId}').bind(data)).toBe('invoices/inst/o-1/o-1');
  });

  test('a JSON object trigger value lends its top-level properties, but arrays (the host\'s ApplyBindingData): {backupPath} of an activity input', () => {
    const data = bindingDataFor(fn({ type: 'activityTrigger' }), { inputData: [{ name: 'trig', data: { string: JSON.stringify({ backupPath: 'a/b.txt', size: 3, tags: ['x'], nested: { k: 'v' } }) } }] });
    expect(new BindingTemplate('backups/{backupPath}-{size}-{nested.k}').bind(data)).toBe('backups/a/b.txt-3-v');
    expect(() => new BindingTemplate('{tags}').bind(data)).toThrow("No value for named parameter 'tags'.");
    // Any trigger: a Service Bus message body that is a JSON object too.
    const message = bindingDataFor(fn({ type: 'serviceBusTrigger' }), { inputData: [{ name: 'trig', data: { json: JSON.stringify({ tenant: 'acme' }) } }] });
    expect(new BindingTemplate('{tenant}').bind(message)).toBe('acme');
  });

  test('other triggers: the trigger metadata', () => {
    const data = bindingDataFor(fn({ type: 'serviceBusTrigger' }), {
      inputData: [{ name: 'trig', data: { string: 'hi' } }],
      triggerMetadata: { MessageId: { string: 'm1' }, ApplicationProperties: { json: JSON.stringify({ tenant: 't9' }) } },
    });
    expect(new BindingTemplate('{messageId}/{ApplicationProperties.tenant}').bind(data)).toBe('m1/t9');
  });
});
