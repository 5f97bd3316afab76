// Loaded through the brace in package.json "main", next to index.js.
import { app } from '@azure/functions';

app.http('whichApp', { route: 'which', methods: ['GET'], authLevel: 'anonymous', handler: async () => ({ jsonBody: { app: 'buffered' } }) });
