// Points the real PayPal SDK at another base URL (the local simulator). The SDK hard-codes its
// Production/Sandbox origins, but spreads `unstable_httpClientOptions` into `axios.create(...)`,
// so an axios `adapter` sees every absolute URL before it leaves the process: we rewrite the
// origin there and hand the request to axios' own http adapter.
import { createRequire } from 'node:module';

/** The slice of an axios request config the adapter touches. */
interface AxiosLikeConfig {
  url?: string;
  [key: string]: unknown;
}
type AxiosAdapter = (config: AxiosLikeConfig) => Promise<unknown>;

/**
 * Rewrites `url` from `fromOrigin` to `toBase` (origin plus optional path prefix). Anything else
 * is refused: with an override in place, a request to another host is a bug, never traffic to
 * send to the internet.
 */
export function rewritePayPalUrl(url: string, fromOrigin: string, toBase: string): string {
  const from = fromOrigin.replace(/\/+$/, '');
  if (url !== from && !url.startsWith(`${from}/`) && !url.startsWith(`${from}?`)) {
    throw new Error(`refusing to send ${url} outside ${from} while a PayPal base URL override is set`);
  }
  return toBase.replace(/\/+$/, '') + url.slice(from.length);
}

/**
 * An axios adapter for the SDK's `unstable_httpClientOptions.adapter`. It loads the same axios
 * copy the SDK's HTTP layer uses, so the delegated http adapter matches the config it receives.
 */
export function redirectingAxiosAdapter(fromOrigin: string, toBase: string): AxiosAdapter {
  const sdkRequire = createRequire(require.resolve('@apimatic/axios-client-adapter'));
  const axios = sdkRequire('axios') as { getAdapter(name: string): AxiosAdapter };
  const http = axios.getAdapter('http');
  return (config) => http({ ...config, url: rewritePayPalUrl(config.url ?? '', fromOrigin, toBase) });
}
