// The order saga's versions. host.json's `defaultVersion` stamps each new saga with the newest;
// a saga keeps its version for life, and the orchestrator branches on it wherever a change would
// otherwise alter the history of sagas already running (which then fail replay as
// non-deterministic). Add a version for every such change and keep the old path until no saga of
// the old version is left running. A branch taken only on an answer that older code never
// produced (e.g. a PENDING capture, which the capture activity reports since payment-pending)
// changes no recorded history and needs no version.
export const sagaVersions = [
  '', // first release (sagas started before versioning)
  '2.0', // an order on hold gets the `delayed` email; a carrier outage holds a paid order instead of refunding it
  '3.0', // a carrier refusal whose refund PayPal does not accept at once emails the customer (cancelled, refund owed) before the retries
  // Orders awaiting the buyer's approval reserve stock once approved; PayPal refusing our credentials holds the payment step;
  // a compensation refund PayPal holds (PENDING) counts once paid out; refund sagas draw their credit-note number by key.
  '4.0',
  // The saga as named steps (saga/order-saga.ts): each step records its stage with its email in one
  // activity, stock is committed by signals; versions before run saga/legacy-order-saga.ts.
  '5.0',
  // After the shipment is booked, its tracking number goes to the PayPal order (shareTracking).
  '6.0',
] as const;

export type SagaVersion = (typeof sagaVersions)[number];

/** Whether a saga of `version` has the behaviour introduced in `feature`. */
export function sagaHas(version: string | undefined, feature: SagaVersion): boolean {
  const at = sagaVersions.indexOf((version ?? '') as SagaVersion);
  // Only a newer worker can start a version this code does not know, and versioning keeps such
  // sagas from reaching it (versionMatchStrategy CurrentOrOlder).
  if (at < 0) throw new Error(`Unknown order saga version '${version}'; this worker knows ${sagaVersions.map((v) => `'${v}'`).join(', ')}`);
  return at >= sagaVersions.indexOf(feature);
}
