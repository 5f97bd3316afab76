// The sagas replayed against histories recorded from real runs of every order flow (npm run
// record:histories): each episode must schedule the same work in the same order and end as
// recorded. Orders in flight when a new build is deployed replay exactly these histories, so a
// change that fails here must go behind a new saga version (functions/wiring/saga-versions.ts).
import fs from 'node:fs';
import path from 'node:path';
import { replayRecordedHistory } from 'azure-standin/testing';
import type { HistoryEvent, OrchestratorFunction } from 'azure-standin/testing';
import { orderSaga } from '../../functions/order-saga';
import { refundOrder } from '../../functions/refund-saga';

const root = path.resolve(__dirname, '..', '..', '..');
const dir = path.join(root, 'test', 'fixtures', 'saga-histories');
interface Recorded { flow: string; orchestrator: 'orderSaga' | 'refundOrder'; version: string; history: HistoryEvent[] }
// One folder per saga version (test/fixtures/saga-histories/<version>/<flow>.json).
const recordings = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Recorded);
const orchestrators: Record<Recorded['orchestrator'], OrchestratorFunction> = { orderSaga: orderSaga as OrchestratorFunction, refundOrder: refundOrder as OrchestratorFunction };

test('the recordings cover the flows and both sagas, of the saga versions still in flight', () => {
  const versions = new Set(recordings.map((r) => r.version));
  expect(versions).toEqual(new Set(['4.0', '5.0', '6.0']));
  for (const v of versions) {
    const of = recordings.filter((r) => r.version === v);
    expect(of.length).toBeGreaterThanOrEqual(12);
    expect(new Set(of.map((r) => r.orchestrator))).toEqual(new Set(['orderSaga', 'refundOrder']));
  }
});

test.each(recordings.map((r) => [`${r.version} ${r.flow}`, r] as const))('%s replays episode by episode', async (_flow, r) => {
  expect(await replayRecordedHistory(orchestrators[r.orchestrator], r.history, root)).toEqual([]);
});
