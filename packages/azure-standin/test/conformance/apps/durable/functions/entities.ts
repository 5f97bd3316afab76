import * as df from 'durable-functions';
import type { EntityContext } from 'durable-functions';

df.app.entity('counter', (context: EntityContext<number>) => {
  const state = context.df.getState(() => 0) ?? 0;
  switch (context.df.operationName) {
    case 'add': {
      const next = state + (context.df.getInput() as number);
      context.df.setState(next);
      context.df.return(next);
      break;
    }
    case 'get':
      context.df.return(state);
      break;
    case 'reset':
      context.df.setState(0);
      break;
    default:
      throw new Error(`counter has no operation '${context.df.operationName}'`);
  }
});
