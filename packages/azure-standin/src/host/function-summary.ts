// How many functions an app has, by trigger kind, for the startup line and the console's home:
// "36 functions: 14 HTTP, 9 orchestrations, 11 activities, 2 Service Bus". Each indexed function
// has exactly one trigger, so the parts always add up to the total.
import type { FunctionIndex } from './function-index';

export interface FunctionCounts {
  total: number;
  http: number;
  orchestrations: number;
  activities: number;
  entities: number;
  serviceBus: number;
  timers: number;
  blobs: number;
}

export function functionCounts(index: Pick<FunctionIndex, 'all' | 'http' | 'orchestrators' | 'activities' | 'entities' | 'serviceBus' | 'timers' | 'blobTriggers'>): FunctionCounts {
  return {
    total: index.all.length,
    http: index.http.length,
    orchestrations: index.orchestrators.size,
    activities: index.activities.size,
    entities: index.entities.size,
    serviceBus: index.serviceBus.length,
    timers: index.timers.length,
    blobs: index.blobTriggers.length,
  };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** "N functions: x HTTP, y orchestrations, …" (kinds with none are left out). */
export function describeFunctionCounts(c: FunctionCounts): string {
  const parts = [
    c.http ? `${c.http} HTTP` : '',
    c.orchestrations ? plural(c.orchestrations, 'orchestration') : '',
    c.activities ? plural(c.activities, 'activity', 'activities') : '',
    c.entities ? plural(c.entities, 'entity', 'entities') : '',
    c.serviceBus ? `${c.serviceBus} Service Bus` : '',
    c.timers ? plural(c.timers, 'timer') : '',
    c.blobs ? `${c.blobs} blob` : '',
  ].filter(Boolean);
  return `${plural(c.total, 'function')}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}
