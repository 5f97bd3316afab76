// Gapless document numbers per series: each number is drawn once and issued once. A draw made
// for a purpose (a key such as `<orderId>:refund:<refundId>`) is remembered until that document
// is recorded as issued, so a saga restarted after a failure draws the same number again
// instead of leaving a gap; only keys in flight are remembered.
export interface NumberSeries {
  last: number;
  /** key → number, drawn but not yet recorded as issued. */
  pending: Record<string, number>;
}

/** Entities stored before keyed draws hold just the last number. */
export function seriesFrom(state: unknown): NumberSeries {
  if (typeof state === 'number') return { last: state, pending: {} };
  const s = state as Partial<NumberSeries> | undefined;
  return { last: s?.last ?? 0, pending: { ...(s?.pending ?? {}) } };
}

export function draw(series: NumberSeries, key?: string): { series: NumberSeries; number: number } {
  if (key !== undefined && series.pending[key] !== undefined) return { series, number: series.pending[key] };
  const number = series.last + 1;
  return { series: { last: number, pending: key === undefined ? series.pending : { ...series.pending, [key]: number } }, number };
}

export function issued(series: NumberSeries, key: string): NumberSeries {
  if (series.pending[key] === undefined) return series;
  const { [key]: _, ...rest } = series.pending;
  return { last: series.last, pending: rest };
}
