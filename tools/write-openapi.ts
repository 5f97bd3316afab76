// npm run openapi — writes docs/openapi.json from the code; a test fails when the two differ.
import fs from 'node:fs';
import path from 'node:path';
import { openApiDocument } from '../functions/http/openapi';

const file = path.resolve(__dirname, '..', '..', 'docs', 'openapi.json');
fs.writeFileSync(file, JSON.stringify(openApiDocument(), null, 2) + '\n');
console.log(`wrote ${path.relative(process.cwd(), file)}`);
