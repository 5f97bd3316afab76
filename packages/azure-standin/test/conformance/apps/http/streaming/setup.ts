// The first entry file "main" names: HTTP streaming on, before any function is registered.
import { app } from '@azure/functions';

app.setup({ enableHttpStream: true });
