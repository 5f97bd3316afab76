// The API docs page's static files, served by the app itself: Swagger UI from the swagger-ui-dist
// package (a production dependency, so it ships in the deployment package) and the page's own
// script. No CDN: the page works offline and in locked-down networks alike.
// Each file is read once and kept in memory with its hash and gzip form. The page links each file
// as `<name>?v=<hash>`: a URL that names the current content is cached for a year (immutable);
// any other asks again and gets 304 while the ETag matches.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { docsScript } from './docs-script';

/* eslint-disable @typescript-eslint/no-require-imports */
// The package's documented way to locate its files.
const swaggerUiDir = (): string => (require('swagger-ui-dist') as { getAbsoluteFSPath(): string }).getAbsoluteFSPath();
/* eslint-enable @typescript-eslint/no-require-imports */

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
};

/** The files the page uses, by the name it links them under, and where their bytes come from. */
const sources: Record<string, () => Buffer> = {
  'swagger-ui.css': () => fs.readFileSync(path.join(swaggerUiDir(), 'swagger-ui.css')),
  'swagger-ui-bundle.js': () => fs.readFileSync(path.join(swaggerUiDir(), 'swagger-ui-bundle.js')),
  'favicon-32x32.png': () => fs.readFileSync(path.join(swaggerUiDir(), 'favicon-32x32.png')),
  'docs.js': () => Buffer.from(docsScript, 'utf8'),
};
export const docsAssetNames = Object.keys(sources);
/** The swagger-ui-dist files the page serves (the deployment package must hold them). */
export const swaggerUiFiles = docsAssetNames.filter((n) => n !== 'docs.js');

interface Asset {
  body: Buffer;
  gzip: Buffer | undefined;
  hash: string;
  contentType: string;
}
const loaded = new Map<string, Asset>();

function asset(name: string): Asset | undefined {
  const source = Object.hasOwn(sources, name) ? sources[name] : undefined;
  if (!source) return undefined;
  let a = loaded.get(name);
  if (!a) {
    const body = source();
    const contentType = contentTypes[path.extname(name)];
    // PNGs are compressed already; text shrinks to a quarter or less (the bundle from 1.5 MB to ~0.4 MB).
    a = { body, gzip: contentType.startsWith('text/') ? gzipSync(body, { level: 9 }) : undefined, hash: createHash('sha256').update(body).digest('hex').slice(0, 16), contentType };
    loaded.set(name, a);
  }
  return a;
}

/** `<name>?v=<hash>`: the URL the page links, relative to /api/v1/docs. */
export function assetUrl(name: string): string {
  const a = asset(name);
  if (!a) throw new Error(`no docs asset ${name}`);
  return `docs/${name}?v=${a.hash}`;
}

export function serveDocsAsset(req: HttpRequest, name: string): HttpResponseInit {
  const a = asset(name);
  if (!a) return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: 'Not found' };
  const etag = `"${a.hash}"`;
  const headers: Record<string, string> = {
    'content-type': a.contentType,
    'cache-control': req.query.get('v') === a.hash ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate',
    etag,
    'x-content-type-options': 'nosniff',
    ...(a.gzip ? { vary: 'Accept-Encoding' } : {}),
  };
  if ((req.headers.get('if-none-match') ?? '').split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return { status: 304, headers };
  if (a.gzip && /\bgzip\b/.test(req.headers.get('accept-encoding') ?? '')) return { status: 200, headers: { ...headers, 'content-encoding': 'gzip' }, body: a.gzip };
  return { status: 200, headers, body: a.body };
}
