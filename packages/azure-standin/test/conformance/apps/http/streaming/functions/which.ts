// Loaded through the brace in package.json "main", after setup.js and index.js.
import { app } from '@azure/functions';

app.http('whichApp', { route: 'which', methods: ['GET'], authLevel: 'anonymous', handler: async () => ({ jsonBody: { app: 'streaming' } }) });
