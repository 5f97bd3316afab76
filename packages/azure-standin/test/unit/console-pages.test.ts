// The console's pure parts: escaping, the history timeline, the telemetry waterfall's nesting, and
// the refusal of callers from other machines.
import type http from 'node:http';
import { ConsoleService, ConsoleSources } from '../../src/console/console-service';
import { escapeHtml, html, raw } from '../../src/console/html';
import { timeline } from '../../src/console/timeline';
import { operations, waterfallRows } from '../../src/console/telemetry-pages';
import { event, EventType } from '../../src/durable/history';
import type { TelemetryItem } from '../../src/telemetry/local-telemetry';

test('html escapes every interpolated value, arrays included; only Html passes through', () => {
  const name = '<img src=x onerror="alert(1)">';
  expect(html`<p title="${name}">${name}</p>`.text).toBe('<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>');
  expect(html`<ul>${['<a>', html`<li>${"'"}</li>`]}</ul>`.text).toBe('<ul>&lt;a&gt;<li>&#39;</li></ul>');
  expect(html`${null}${undefined}${false}${0}`.text).toBe('0');
  expect(html`${raw('<b>')}`.text).toBe('<b>');
  expect(escapeHtml('&')).toBe('&amp;');
});

const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();

test('the timeline folds scheduled/completed pairs, numbers retries, and keeps the raw events', () => {
  const events = [
    event(EventType.OrchestratorStarted, t(0)),
    event(EventType.ExecutionStarted, t(0), { Name: 'orch', Input: '{"a":1}' }),
    event(EventType.TaskScheduled, t(0), { Name: 'charge', Input: '1' }, 0),
    event(EventType.OrchestratorCompleted, t(0)),
    event(EventType.TaskFailed, t(1), { TaskScheduledId: 0, Reason: 'card declined' }),
    event(EventType.TimerCreated, t(1), { FireAt: t(3) }, 1),
    event(EventType.TimerFired, t(3), { TimerId: 1, FireAt: t(3) }),
    event(EventType.TaskScheduled, t(3), { Name: 'charge', Input: '1' }, 2),
    event(EventType.TaskCompleted, t(5), { TaskScheduledId: 2, Result: '"ok"' }),
    event(EventType.EventRaised, t(6), { Name: 'approve', Input: '{"by":"me"}' }),
    event(EventType.SubOrchestrationInstanceCreated, t(6), { Name: 'child', InstanceId: 'c-1', Input: null }, 3),
    event(EventType.ExecutionCompleted, t(7), { OrchestrationStatus: 1, Result: '"done"' }),
  ];
  const rows = timeline(events);
  expect(rows.map((r) => [r.kind, r.title, r.outcome, r.attempt ?? null, r.durationMs ?? null])).toEqual([
    ['start', 'Started orch', 'info', null, null],
    ['activity', 'charge', 'fail', 1, 1000],
    ['timer', 'Timer', 'ok', null, 2000],
    ['activity', 'charge', 'ok', 2, 2000],
    ['event', "Event 'approve' received", 'info', null, null],
    ['suborchestration', 'child', 'wait', null, null],
    ['end', 'Completed', 'ok', null, null],
  ]);
  expect(rows[1].detail).toBe('card declined');
  expect(rows[1].raw).toHaveLength(2);
  expect(rows[2].fireAt).toBe(t(3));
  expect(rows[3].payload).toEqual({ input: 1, result: 'ok' });
  expect(rows[4].payload).toEqual({ by: 'me' });
  expect(rows[5].instanceId).toBe('c-1');
});

const item = (o: Partial<TelemetryItem> & { name: string; time: string }): TelemetryItem => ({ kind: 'request', source: 'host', properties: {}, ...o });

test('operations group by trace id and match a custom dimension; the waterfall nests children under parents', () => {
  const items = [
    item({ name: 'createOrder', time: t(0), operationId: 'op1', id: 'a', durationMs: 900 }),
    item({ name: 'charge', time: t(0.2), operationId: 'op1', id: 'b', parentId: 'a', durationMs: 300, kind: 'dependency', source: 'app' }),
    item({ name: 'order saved', time: t(0.5), operationId: 'op1', parentId: 'a', kind: 'trace', source: 'app', properties: { orderId: 'o-42' } }),
    item({ name: 'sendEmail', time: t(10), operationId: 'op2', id: 'c', durationMs: 50, success: false }),
    item({ name: 'metric', time: t(11), kind: 'metric' }),
  ];
  const ops = operations(items, '', 10);
  expect(ops.map((o) => [o.operationId, o.name, o.items, o.failed])).toEqual([['op2', 'sendEmail', 1, true], ['op1', 'createOrder', 3, false]]);
  expect(operations(items, 'o-42', 10).map((o) => o.operationId)).toEqual(['op1']);
  expect(operations(items, 'op2', 10).map((o) => o.operationId)).toEqual(['op2']);
  expect(waterfallRows(items.slice(0, 3)).map((r) => [r.item.name, r.depth])).toEqual([['createOrder', 0], ['charge', 1], ['order saved', 1]]);
});

test('a caller from another machine gets 403', async () => {
  const service = new ConsoleService({} as ConsoleSources);
  let status = 0;
  const res = { writeHead: (s: number) => ((status = s), { end: () => undefined }) } as unknown as http.ServerResponse;
  const req = { socket: { remoteAddress: '192.0.2.7', localAddress: '192.0.2.1' }, method: 'GET', headers: {} } as unknown as http.IncomingMessage;
  await service.handle(req, res, new URL('http://192.0.2.1:7071/console'));
  expect(status).toBe(403);
});
