// Durable Entities: stock per SKU (serialized reservations) and gapless document numbers per
// series and year (one number per call, or per key until it is issued; entity operations run
// exactly once and in order).
import * as df from 'durable-functions';
import type { EntityContext } from 'durable-functions';
import { commit, release, reserve, restock } from '../domain/inventory';
import type { StockState } from '../domain/inventory';
import { catalog } from '../adapters/catalog/store-config';
import { draw, issued, seriesFrom } from '../domain/document-numbers';
import type { NumberSeries } from '../domain/document-numbers';

df.app.entity('stock', (context: EntityContext<StockState>) => {
  // A SKU's first operation starts from the catalog's stock level.
  const state = context.df.getState(() => ({ onHand: catalog.get(context.df.entityKey)?.stock ?? 0, reservations: {} })) as StockState;
  const input = context.df.getInput() as { orderId: string; quantity?: number } | undefined;
  switch (context.df.operationName) {
    case 'reserve': {
      const r = reserve(state, input!.orderId, input!.quantity!);
      context.df.setState(r.state);
      context.df.return(r.ok);
      return;
    }
    case 'release':
      context.df.setState(release(state, input!.orderId));
      return;
    case 'commit':
      context.df.setState(commit(state, input!.orderId));
      return;
    case 'restock':
      // Called once per refund by its orchestration, which records the call: no key needed.
      context.df.setState(restock(state, input!.quantity!));
      return;
    case 'get':
      context.df.return(state);
      return;
    default:
      throw new Error(`stock has no operation '${context.df.operationName}'`);
  }
});

df.app.entity('documentNumber', (context: EntityContext<NumberSeries | number>) => {
  const series = seriesFrom(context.df.getState(() => 0));
  const input = context.df.getInput() as { key?: string } | undefined;
  switch (context.df.operationName) {
    case 'next': {
      const r = draw(series, input?.key);
      context.df.setState(r.series);
      context.df.return(r.number);
      return;
    }
    case 'issued':
      if (input?.key) context.df.setState(issued(series, input.key));
      return;
    case 'get':
      context.df.return(series.last);
      return;
    default:
      throw new Error(`documentNumber has no operation '${context.df.operationName}'`);
  }
});
